// trash.h with Qt and std::filesystem (NUBO_PORTABLE_ONLY; Windows and macOS).
//
// The user's trash is the system's, through QFile::moveToTrash: the Recycle Bin on Windows, the
// Finder's trash on macOS, the freedesktop.org trash elsewhere. When Qt cannot move an item there
// (no trash on that volume, a network share, a refusal), the item stays where it is and the
// error is reported: a deletion the user cannot undo is never made in the trash's place.
//
// A trash at an explicit folder (tests, `SyncOptions::trashFolder`) keeps the freedesktop layout
// (files/ and info/<name>.trashinfo) so that a person can find and restore items from it, written
// with the portable file operations; it does not look for a trash on another file system: an item
// on another volume is reported and left where it is.
#include "trash.h"

#include <cerrno>
#include <string_view>
#include <system_error>

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include "local_file.h"
#include "trash_layout.h"
#include "local_file_errors.h"

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

using trash_layout::candidateName;
using trash_layout::INFO_SUFFIX;
using trash_layout::MAX_NAME_ATTEMPTS;
using trash_layout::percentEncode;

std::string utf8(const fs::path& path)
{
    const std::u8string text = path.u8string();
    return std::string(text.begin(), text.end());
}

// Creates `folder`, for its owner only, unless it is already a folder.
Result<void> ensureFolder(const fs::path& folder)
{
    std::error_code error;
    if (fs::create_directory(folder, error)) {
        fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, error);
        return {};
    }
    if (error) return std::unexpected(errnoError(errnoOf(error), "creating the trash folder", folder));
    if (fs::symlink_status(folder, error).type() == fs::file_type::directory) return {};
    return std::unexpected(errnoError(ENOTDIR, "creating the trash folder", folder));
}

Result<fs::path> moveToSystemTrash(const fs::path& item)
{
    QString inTrash;
    if (QFile::moveToTrash(QFileInfo(item).filePath(), &inTrash)) {
        const fs::path where(inTrash.toStdU16String());
        if (where.is_absolute()) return where;
        // Qt 6.4's freedesktop trash, when $XDG_DATA_HOME does not exist, makes files/ and info/ in
        // the current folder and reports a relative path: not a trash anyone would look in. The
        // item goes back where it was, and the failure is reported.
        if (auto back = renameNoReplace(where, item); !back)
            return fail(SyncErrorCode::LocalIo, "moving " + quoted(item) + " to the trash failed: the system trash " +
                                                    "put it at " + quoted(fs::absolute(where)) + " instead, and it " +
                                                    "could not be moved back (" + back.error().message + ")");
        return fail(SyncErrorCode::LocalIo, "moving " + quoted(item) + " to the trash failed: the system trash has no "
                                            "usable folder; it was left where it is");
    }
    return fail(SyncErrorCode::LocalIo, "moving " + quoted(item) +
                                            " to the trash failed: the system trash cannot take it here (a network "
                                            "share or a drive without a trash?); it was left where it is");
}

} // namespace

Trash Trash::forCurrentUser()
{
    return Trash(fs::path()); // no folder: the system's trash
}

Result<fs::path> Trash::moveToTrash(const fs::path& item)
{
    std::error_code error;
    fs::path absolute = fs::absolute(item, error).lexically_normal();
    if (error)
        return fail(SyncErrorCode::LocalIo, "moving " + quoted(item) + " to the trash failed: " + error.message());
    if (!absolute.has_filename()) absolute = absolute.parent_path();
    if (!absolute.has_relative_path())
        return fail(SyncErrorCode::LocalIo, "the root folder cannot be moved to the trash");
    // The folder is resolved, the item is not: a symlink goes to the trash, not what it points to.
    const fs::path folder = fs::canonical(absolute.parent_path(), error);
    if (error)
        return fail(SyncErrorCode::LocalIo, "moving " + quoted(absolute) +
                                                " to the trash failed: its folder cannot be resolved (" +
                                                error.message() + ")");
    absolute = folder / absolute.filename();
    const fs::file_status status = fs::symlink_status(absolute, error);
    if (status.type() == fs::file_type::not_found)
        return std::unexpected(errnoError(ENOENT, "moving to the trash", absolute));
    if (error) return std::unexpected(errnoError(errnoOf(error), "moving to the trash", absolute));

    if (m_homeTrash.empty()) return moveToSystemTrash(absolute);

    // A trash parent folder may not exist yet.
    fs::create_directories(m_homeTrash.parent_path(), error);
    for (const fs::path& part : {m_homeTrash, m_homeTrash / "files", m_homeTrash / "info"})
        if (auto made = ensureFolder(part); !made) return std::unexpected(made.error());

    const std::string name = utf8(absolute.filename());
    const QByteArray content = QByteArray("[Trash Info]\nPath=") + percentEncode(utf8(absolute)).c_str() +
                               "\nDeletionDate=" +
                               QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")).toUtf8() +
                               "\n";
    for (int attempt = 1; attempt <= MAX_NAME_ATTEMPTS; ++attempt) {
        const std::string candidate = candidateName(name, attempt);
        const std::u8string native(candidate.begin(), candidate.end());
        const fs::path info = m_homeTrash / "info" / fs::path(native + u8".trashinfo");
        const fs::path target = m_homeTrash / "files" / fs::path(native);

        // NewOnly reserves the name: the .trashinfo first, then the move.
        QFile infoFile(info);
        if (!infoFile.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            if (fs::symlink_status(info, error).type() != fs::file_type::not_found) continue;
            return fail(SyncErrorCode::LocalIo, "writing the trash information " + quoted(info) +
                                                    " failed: " + infoFile.errorString().toStdString());
        }
        const bool written = infoFile.write(content) == content.size() && infoFile.flush();
        infoFile.close();
        auto durable = written ? syncFile(info)
                               : Result<void>(fail(SyncErrorCode::LocalIo,
                                                   "writing the trash information " + quoted(info) + " failed"));
        if (!durable) {
            fs::remove(info, error);
            return std::unexpected(durable.error());
        }

        // A file without its .trashinfo (left by a crash or another tool) still owns the name.
        if (fs::symlink_status(target, error).type() != fs::file_type::not_found) {
            fs::remove(info, error);
            continue;
        }
        auto moved = renameNoReplace(absolute, target);
        if (moved) return target;
        fs::remove(info, error);
        if (moved.error().code == SyncErrorCode::FileChanged) continue;
        return fail(moved.error().code,
                    "moving " + quoted(absolute) + " to the trash failed: " + moved.error().message);
    }
    return fail(SyncErrorCode::LocalIo, "moving " + quoted(absolute) + " to the trash failed: too many items of that "
                                                                       "name in " + quoted(m_homeTrash));
}

} // namespace nubo::sync
