// Moving files to the desktop trash, as the freedesktop.org Trash specification 1.0 describes:
// $XDG_DATA_HOME/Trash (home trash) with files/ and info/<name>.trashinfo (Path percent-encoded,
// DeletionDate local time). Items on another filesystem than the home trash use
// $topdir/.Trash/$uid (when an administrator made $topdir/.Trash with the sticky bit) or
// $topdir/.Trash-$uid when it can be created, with Path relative to $topdir as the spec asks;
// when no trash is usable the caller decides.
//
// Two implementations, one per build: trash_linux.cpp (the above) and, with NUBO_PORTABLE_ONLY,
// trash_portable.cpp (the system trash through QFile::moveToTrash; an explicit folder keeps the
// layout above). Neither ever deletes an item it could not move.
#pragma once

#include <filesystem>
#include <utility>

#include "sync_error.h"

namespace nubo::sync {

class Trash {
public:
    // The user's trash ($XDG_DATA_HOME or ~/.local/share). Portable build: the system's trash, and
    // homeTrash() is empty.
    static Trash forCurrentUser();
    // A trash at an explicit folder (tests).
    explicit Trash(std::filesystem::path homeTrash) : m_homeTrash(std::move(homeTrash)) {}

    // Moves `item` (file or folder; a symlink itself, not its target) into the trash; returns where
    // it went (".../files/<name>", "<name>.2", … when the name is taken). Fails (nothing changed)
    // when no trash on the item's filesystem is usable.
    Result<std::filesystem::path> moveToTrash(const std::filesystem::path& item);

    const std::filesystem::path& homeTrash() const { return m_homeTrash; }

private:
    std::filesystem::path m_homeTrash;
};

} // namespace nubo::sync
