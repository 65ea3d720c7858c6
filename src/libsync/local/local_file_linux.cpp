// local_file.h on Linux: POSIX calls, renameat2 and posix_fadvise. Not built with NUBO_PORTABLE_ONLY
// (local_file_portable.cpp instead).
#include "local_file.h"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "encoding.h"
#include "local_file_errors.h"

namespace nubo::sync {

namespace {

constexpr std::size_t HASH_BLOCK = 1024 * 1024;

class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

Result<void> syncPath(const std::filesystem::path& path, int flags, const char* operation)
{
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(errnoError(errno, operation, path));
    // Some file systems cannot fsync a folder and say so with EINVAL; there is nothing more to do.
    if (::fsync(fd.get()) != 0 && !(errno == EINVAL && (flags & O_DIRECTORY) != 0))
        return std::unexpected(errnoError(errno, operation, path));
    return {};
}

} // namespace

Result<std::string> sha1OfFile(const std::filesystem::path& file, const std::atomic<bool>* cancel)
{
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return std::unexpected(errnoError(errno, "reading", file));
    // Sequential reads of possibly large files: ask for aggressive read-ahead.
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

    // A buffer no larger than the file, and not zeroed: 1 MiB zeroed for every file cost a bulk
    // upload of 500 small files 500 MiB of memset and page faults, a tenth of its time.
    struct stat st {};
    const std::size_t block = ::fstat(fd.get(), &st) == 0 && st.st_size >= 0
                                  ? std::clamp<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, 4096, HASH_BLOCK)
                                  : HASH_BLOCK;
    const auto buffer = std::make_unique_for_overwrite<unsigned char[]>(block);

    e2ee::StreamDigest sha1(e2ee::StreamDigest::Kind::Sha1);
    for (;;) {
        if (cancel != nullptr && cancel->load())
            return fail(SyncErrorCode::Cancelled, "not done: the sync was stopped");
        const ssize_t n = ::read(fd.get(), buffer.get(), block);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::unexpected(errnoError(errno, "reading", file));
        if (n == 0) break;
        sha1.update(buffer.get(), static_cast<std::size_t>(n));
    }
    auto hex = sha1.hex();
    if (!hex) return fail(SyncErrorCode::Internal, "computing the SHA-1 of " + quoted(file) + " failed: OpenSSL refused");
    return "SHA1:" + *hex;
}

Result<void> setModificationTime(const std::filesystem::path& file, std::int64_t mtime)
{
    // The access time is left alone: only the modification time is part of what we sync.
    const timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(mtime), 0}};
    if (::utimensat(AT_FDCWD, file.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
        return std::unexpected(errnoError(errno, "setting the modification time of", file));
    return {};
}

Result<void> syncFile(const std::filesystem::path& file)
{
    return syncPath(file, O_RDONLY, "flushing to disk");
}

Result<void> syncFolder(const std::filesystem::path& folder)
{
    return syncPath(folder, O_RDONLY | O_DIRECTORY, "flushing to disk");
}

Result<void> renameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to)
{
    if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
    if (errno != EINVAL && errno != ENOSYS) return std::unexpected(renameError(errno, from, to));

    // The file system (or kernel) has no RENAME_NOREPLACE. A hard link fails atomically when the
    // target exists; removing the old name then completes the move.
    if (::link(from.c_str(), to.c_str()) == 0) {
        if (::unlink(from.c_str()) != 0) {
            const int error = errno;
            ::unlink(to.c_str()); // back to where we started: only `from` exists
            return std::unexpected(renameError(error, from, to));
        }
        return {};
    }
    if (errno == EEXIST) return std::unexpected(renameError(EEXIST, from, to));
    // No hard links for folders, nor on some file systems (FAT, some FUSE): check, then rename.
    // A target created in between would be replaced; there is no better primitive left here.
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) return std::unexpected(renameError(EEXIST, from, to));
    if (errno != ENOENT) return std::unexpected(renameError(errno, from, to));
    if (::rename(from.c_str(), to.c_str()) != 0) return std::unexpected(renameError(errno, from, to));
    return {};
}

Result<void> renameReplace(const std::filesystem::path& from, const std::filesystem::path& to)
{
    if (::rename(from.c_str(), to.c_str()) != 0) {
        const int error = errno;
        // Here an existing folder target is not "changed", it is simply in the way.
        Reason reason = reasonFor(error);
        return fail(reason.code, "renaming " + quoted(from) + " to " + quoted(to) + " failed: " + reason.text);
    }
    return {};
}

Result<std::int64_t> freeSpace(const std::filesystem::path& path)
{
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0)
        return std::unexpected(errnoError(errno, "checking the free space of", path));
    return static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
}

} // namespace nubo::sync
