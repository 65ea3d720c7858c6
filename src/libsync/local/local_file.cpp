#include "local_file.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <random>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include <openssl/rand.h>

#include "encoding.h"

namespace nubo::sync {

namespace {

constexpr std::size_t HASH_BLOCK = 1024 * 1024;
constexpr std::string_view TEMPORARY_MARKER = ".~nubo";
constexpr std::size_t TEMPORARY_RANDOM_DIGITS = 8;
constexpr std::size_t NAME_MAX_BYTES = 255;

struct Reason {
    SyncErrorCode code;
    std::string text;
};

Reason reasonFor(int error)
{
    switch (error) {
    case ENOSPC:
    case EDQUOT: return {SyncErrorCode::DiskFull, "the local disk is full; free some space and sync again"};
    case EACCES:
    case EPERM: return {SyncErrorCode::LocalIo, "permission denied"};
    case EROFS: return {SyncErrorCode::LocalIo, "the file system is read-only"};
    case ENAMETOOLONG: return {SyncErrorCode::NameNotAllowed, "the name is too long for the local file system"};
    case EILSEQ: return {SyncErrorCode::NameNotAllowed, "the local file system cannot hold this name"};
    case ENOENT: return {SyncErrorCode::NotFound, "it does not exist"};
    case ENOTDIR: return {SyncErrorCode::NotFound, "a part of the path is not a folder"};
    default: break;
    }
    char buffer[256];
    // GNU strerror_r: returns the message, which may or may not live in `buffer`.
    const char* text = strerror_r(error, buffer, sizeof buffer);
    return {SyncErrorCode::LocalIo, text != nullptr ? text : "error " + std::to_string(error)};
}

std::string quoted(const std::filesystem::path& path)
{
    return "\"" + path.string() + "\"";
}

SyncError renameError(int error, const std::filesystem::path& from, const std::filesystem::path& to)
{
    Reason reason = reasonFor(error);
    if (error == EEXIST || error == ENOTEMPTY) reason = {SyncErrorCode::FileChanged, "the target already exists"};
    return {reason.code, "renaming " + quoted(from) + " to " + quoted(to) + " failed: " + reason.text};
}

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

std::string randomHex(std::size_t digits)
{
    std::array<unsigned char, 16> bytes{};
    const std::size_t count = (digits + 1) / 2;
    if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
        std::random_device device;
        for (std::size_t i = 0; i < count; ++i)
            bytes[i] = static_cast<unsigned char>(device());
    }
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i)
        out.push_back(HEX[(bytes[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f]);
    return out;
}

// Cuts a UTF-8 string to at most `bytes` without splitting a character.
std::string truncateUtf8(const std::string& s, std::size_t bytes)
{
    if (s.size() <= bytes) return s;
    std::size_t end = bytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
        --end;
    return s.substr(0, end);
}

} // namespace

SyncError errnoError(int error, const std::string& operation, const std::filesystem::path& path)
{
    Reason reason = reasonFor(error);
    return {reason.code, operation + " " + quoted(path) + " failed: " + reason.text};
}

Result<std::string> sha1OfFile(const std::filesystem::path& file)
{
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return std::unexpected(errnoError(errno, "reading", file));
    // Sequential reads of possibly large files: ask for aggressive read-ahead.
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

    e2ee::StreamDigest sha1(e2ee::StreamDigest::Kind::Sha1);
    std::vector<unsigned char> buffer(HASH_BLOCK);
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::unexpected(errnoError(errno, "reading", file));
        if (n == 0) break;
        sha1.update(buffer.data(), static_cast<std::size_t>(n));
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

std::filesystem::path temporaryPathFor(const std::filesystem::path& target)
{
    const std::size_t room = NAME_MAX_BYTES - 1 - TEMPORARY_MARKER.size() - TEMPORARY_RANDOM_DIGITS;
    const std::string name = truncateUtf8(target.filename().string(), room);
    std::string temporary = ".";
    temporary += name;
    temporary += TEMPORARY_MARKER;
    temporary += randomHex(TEMPORARY_RANDOM_DIGITS);
    return target.parent_path() / temporary;
}

bool isTemporaryName(const std::string& name)
{
    const std::size_t tail = TEMPORARY_MARKER.size() + TEMPORARY_RANDOM_DIGITS;
    if (name.size() < 1 + tail || name.front() != '.') return false;
    const std::string_view end = std::string_view(name).substr(name.size() - tail);
    if (!end.starts_with(TEMPORARY_MARKER)) return false;
    for (const char c : end.substr(TEMPORARY_MARKER.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

Result<std::int64_t> freeSpace(const std::filesystem::path& path)
{
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0)
        return std::unexpected(errnoError(errno, "checking the free space of", path));
    return static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
}

} // namespace nubo::sync
