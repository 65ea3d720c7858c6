// local_file.h with std::filesystem and Qt (NUBO_PORTABLE_ONLY; Windows and macOS).
//
// renameNoReplace, the one operation with no portable primitive: a file is moved by a hard link
// to the new name (which fails, atomically, when the name is taken) and the removal of the old
// name. While both names exist a crash leaves the file twice, never lost. A move to another file
// system is refused (EXDEV), as rename(2) does. Folders, and file systems without hard links
// (FAT, some network shares), go through QFile::rename: Qt refuses an
// existing target, then uses the system's own no-replace rename where there is one (renameat2
// RENAME_NOREPLACE on Linux, renamex_np RENAME_EXCL on macOS, MoveFileEx without
// MOVEFILE_REPLACE_EXISTING on Windows). Where there is none, a target created between Qt's
// check and the rename would be replaced: that window remains, as in the Linux fallback.
//
// Durability: neither std::filesystem nor Qt can flush a file to disk, so syncFile and syncFolder
// use fsync on POSIX systems (Linux, macOS) and _commit on Windows, where a folder cannot be
// flushed (NTFS journals its metadata) and syncFolder does nothing.
#include "local_file.h"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <chrono>
#include <system_error>
#include <vector>

#include <QFile>

#include "encoding.h"
#include "local_file_errors.h"

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

constexpr qint64 HASH_BLOCK = 1024 * 1024;

// The error for an std::filesystem failure, or for a QFile one (which carries no errno: the
// item's absence is told apart, everything else is a LocalIo error with Qt's text).
SyncError qtError(const QFile& file, const std::string& operation, const fs::path& path)
{
    std::error_code error;
    if (fs::symlink_status(path, error).type() == fs::file_type::not_found)
        return errnoError(ENOENT, operation, path);
    return {SyncErrorCode::LocalIo, operation + " " + quoted(path) + " failed: " + file.errorString().toStdString()};
}

bool isSymlink(const fs::path& path)
{
    std::error_code error;
    return fs::symlink_status(path, error).type() == fs::file_type::symlink;
}

Result<void> flush(const fs::path& path, bool isFolder)
{
#if defined(_WIN32)
    if (isFolder) return {};
    const int fd = ::_wopen(path.c_str(), _O_RDWR | _O_BINARY);
    if (fd < 0) return std::unexpected(errnoError(errno, "flushing to disk", path));
    const int flushed = ::_commit(fd);
    const int error = errno;
    ::_close(fd);
    if (flushed != 0) return std::unexpected(errnoError(error, "flushing to disk", path));
    return {};
#else
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (isFolder ? O_DIRECTORY : 0));
    if (fd < 0) return std::unexpected(errnoError(errno, "flushing to disk", path));
    // Some file systems cannot fsync a folder and say so with EINVAL; there is nothing more to do.
    const int flushed = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (flushed != 0 && !(error == EINVAL && isFolder))
        return std::unexpected(errnoError(error, "flushing to disk", path));
    return {};
#endif
}

} // namespace

Result<std::string> sha1OfFile(const fs::path& file, const std::atomic<bool>* cancel)
{
    // No O_NOFOLLOW in Qt: a link is refused before it is opened (it could be swapped in between).
    if (isSymlink(file))
        return fail(SyncErrorCode::LocalIo, "reading " + quoted(file) + " failed: it is a symbolic link");
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) return std::unexpected(qtError(in, "reading", file));

    // A buffer no larger than the file, and not zeroed (see local_file_linux.cpp).
    const qint64 block = std::clamp<qint64>(in.size() + 1, 4096, HASH_BLOCK);
    const auto buffer = std::make_unique_for_overwrite<unsigned char[]>(static_cast<std::size_t>(block));

    e2ee::StreamDigest sha1(e2ee::StreamDigest::Kind::Sha1);
    for (;;) {
        if (cancel != nullptr && cancel->load())
            return fail(SyncErrorCode::Cancelled, "not done: the sync was stopped");
        const qint64 n = in.read(reinterpret_cast<char*>(buffer.get()), block);
        if (n < 0) return std::unexpected(qtError(in, "reading", file));
        if (n == 0) break;
        sha1.update(buffer.get(), static_cast<std::size_t>(n));
    }
    auto hex = sha1.hex();
    if (!hex)
        return fail(SyncErrorCode::Internal, "computing the SHA-1 of " + quoted(file) + " failed: OpenSSL refused");
    return "SHA1:" + *hex;
}

Result<void> setModificationTime(const fs::path& file, std::int64_t mtime)
{
    // std::filesystem follows links: a link is refused first (the check and the change are two steps).
    if (isSymlink(file))
        return fail(SyncErrorCode::LocalIo,
                    "setting the modification time of " + quoted(file) + " failed: it is a symbolic link");
    const std::chrono::sys_seconds when{std::chrono::seconds(mtime)};
    std::error_code error;
    fs::last_write_time(file, std::chrono::file_clock::from_sys(when), error);
    if (error) return std::unexpected(errnoError(errnoOf(error), "setting the modification time of", file));
    return {};
}

Result<void> syncFile(const fs::path& file)
{
    return flush(file, false);
}

Result<void> syncFolder(const fs::path& folder)
{
    return flush(folder, true);
}

Result<void> renameNoReplace(const fs::path& from, const fs::path& to)
{
    std::error_code error;
    const fs::file_status status = fs::symlink_status(from, error);
    if (status.type() == fs::file_type::not_found) return std::unexpected(renameError(ENOENT, from, to));
    if (error) return std::unexpected(renameError(errnoOf(error), from, to));

    if (status.type() == fs::file_type::regular) {
        // The link fails atomically when the target exists; removing the old name completes the move.
        fs::create_hard_link(from, to, error);
        if (!error) {
            fs::remove(from, error);
            if (error) {
                const int removeError = errnoOf(error);
                fs::remove(to, error); // back to where we started: only `from` exists
                return std::unexpected(renameError(removeError, from, to));
            }
            return {};
        }
        const int linkError = errnoOf(error);
        if (linkError == EEXIST) return std::unexpected(renameError(EEXIST, from, to));
        // Another file system: no rename can be atomic there, and QFile::rename would copy.
        if (linkError == EXDEV) return std::unexpected(renameError(EXDEV, from, to));
        // No hard links on this file system (FAT, some shares): Qt's rename below.
    }

    // Qt refuses an existing target (its own check), then renames with the system's no-replace
    // rename where it has one. (Its copy fallback is for other file systems: a file never gets
    // here across them, and a folder cannot be copied by it.)
    QFile file(from);
    if (file.rename(to)) return {};
    if (fs::symlink_status(to, error).type() != fs::file_type::not_found && !error)
        return std::unexpected(renameError(EEXIST, from, to));
    if (fs::symlink_status(from, error).type() == fs::file_type::not_found)
        return std::unexpected(renameError(ENOENT, from, to));
    return fail(SyncErrorCode::LocalIo,
                "renaming " + quoted(from) + " to " + quoted(to) + " failed: " + file.errorString().toStdString());
}

Result<void> renameReplace(const fs::path& from, const fs::path& to)
{
    // rename(2) on POSIX; MoveFileEx with MOVEFILE_REPLACE_EXISTING on Windows.
    std::error_code error;
    fs::rename(from, to, error);
    if (error) {
        // Here an existing folder target is not "changed", it is simply in the way.
        const Reason reason = reasonFor(errnoOf(error));
        return fail(reason.code, "renaming " + quoted(from) + " to " + quoted(to) + " failed: " + reason.text);
    }
    return {};
}

Result<std::int64_t> freeSpace(const fs::path& path)
{
    std::error_code error;
    const fs::space_info space = fs::space(path, error);
    if (error) return std::unexpected(errnoError(errnoOf(error), "checking the free space of", path));
    return static_cast<std::int64_t>(space.available);
}

} // namespace nubo::sync
