// Moving files to the desktop trash, as the freedesktop.org Trash specification 1.0 describes:
// $XDG_DATA_HOME/Trash (home trash) with files/ and info/<name>.trashinfo (Path percent-encoded,
// DeletionDate local time). Items on another filesystem than the home trash use
// $topdir/.Trash-$uid when it can be created; when no trash is usable the caller decides.
#pragma once

#include "sync_error.h"

#include <filesystem>

namespace nubo::sync {

class Trash {
public:
    // The user's trash ($XDG_DATA_HOME or ~/.local/share).
    static Trash forCurrentUser();
    // A trash at an explicit folder (tests).
    explicit Trash(std::filesystem::path homeTrash) : m_homeTrash(std::move(homeTrash)) {}

    // Moves `item` (file or folder) into the trash; returns where it went. Fails (nothing
    // changed) when no trash on the item's filesystem is usable.
    Result<std::filesystem::path> moveToTrash(const std::filesystem::path& item);

    const std::filesystem::path& homeTrash() const { return m_homeTrash; }

private:
    std::filesystem::path m_homeTrash;
};

} // namespace nubo::sync
