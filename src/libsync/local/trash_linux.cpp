#include "trash.h"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string_view>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <system_error>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "local_file.h"
#include "trash_layout.h"

namespace nubo::sync {

namespace {

using trash_layout::candidateName;
using trash_layout::INFO_SUFFIX;
using trash_layout::MAX_NAME_ATTEMPTS;
using trash_layout::percentEncode;

std::string quoted(const std::filesystem::path& path)
{
    return "\"" + path.string() + "\"";
}

std::string deletionDate()
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    char text[32] = "1970-01-01T00:00:00";
    if (localtime_r(&now, &local) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
    return text;
}

// Creates `folder` (mode 0700) unless it is already a folder.
Result<void> ensureFolder(const std::filesystem::path& folder)
{
    if (::mkdir(folder.c_str(), 0700) == 0) return {};
    const int error = errno;
    struct stat st {};
    if (error == EEXIST && ::stat(folder.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
    return std::unexpected(errnoError(error == EEXIST ? ENOTDIR : error, "creating the trash folder", folder));
}

Result<void> ensureTrashLayout(const std::filesystem::path& trash)
{
    for (const auto& folder : {trash, trash / "files", trash / "info"})
        if (auto ok = ensureFolder(folder); !ok) return ok;
    return {};
}

Result<void> writeAll(int fd, std::string_view text, const std::filesystem::path& file)
{
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::unexpected(errnoError(errno, "writing", file));
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

int renameNoReplaceErrno(const std::filesystem::path& from, const std::filesystem::path& to)
{
    if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return errno;
    // The caller checked that `to` does not exist; in a trash nobody else races for the name.
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

struct Attempt {
    Result<std::filesystem::path> result;
    bool crossDevice = false;
};

// One trash folder: the .trashinfo first (O_EXCL reserves the name), then the move. On any
// failure the .trashinfo is removed again and the item is where it was.
Attempt trashInto(const std::filesystem::path& trash, const std::filesystem::path& item, const std::string& infoPath)
{
    if (auto ok = ensureTrashLayout(trash); !ok) return {std::unexpected(ok.error())};

    const std::string name = item.filename().string();
    const std::string content =
        "[Trash Info]\nPath=" + percentEncode(infoPath) + "\nDeletionDate=" + deletionDate() + "\n";
    for (int attempt = 1; attempt <= MAX_NAME_ATTEMPTS; ++attempt) {
        const std::string candidate = candidateName(name, attempt);
        const std::filesystem::path info = trash / "info" / (candidate + std::string(INFO_SUFFIX));
        const std::filesystem::path target = trash / "files" / candidate;

        const int fd = ::open(info.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) return {std::unexpected(errnoError(errno, "writing the trash information", info))};
        auto written = writeAll(fd, content, info);
        if (written && ::fsync(fd) != 0)
            written = std::unexpected(errnoError(errno, "writing the trash information", info));
        ::close(fd);
        if (!written) {
            ::unlink(info.c_str());
            return {std::unexpected(written.error())};
        }

        // A file without its .trashinfo (left by a crash or another tool) still owns the name.
        struct stat st {};
        if (::lstat(target.c_str(), &st) == 0) {
            ::unlink(info.c_str());
            continue;
        }

        const int error = renameNoReplaceErrno(item, target);
        if (error == 0) return {target};
        ::unlink(info.c_str());
        if (error == EEXIST || error == ENOTEMPTY) continue;
        Attempt failed{std::unexpected(errnoError(error, "moving to the trash", item))};
        failed.crossDevice = error == EXDEV;
        return failed;
    }
    return {fail(SyncErrorCode::LocalIo,
                 "moving " + quoted(item) + " to the trash failed: too many items of that name in " + quoted(trash))};
}

// The mount point of the file system holding `folder`: the highest ancestor on the same device.
std::filesystem::path topDirectoryOf(const std::filesystem::path& folder, dev_t device)
{
    std::filesystem::path top = folder;
    while (top.has_relative_path()) {
        const std::filesystem::path parent = top.parent_path();
        struct stat st {};
        if (::stat(parent.c_str(), &st) != 0 || st.st_dev != device) break;
        top = parent;
    }
    return top;
}

// Trash spec, method (1): an administrator-made $topdir/.Trash with the sticky bit, not a link.
bool isSharedTrashUsable(const std::filesystem::path& shared)
{
    struct stat st {};
    return ::lstat(shared.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
}

std::filesystem::path homeDirectory()
{
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') return home;
    std::vector<char> buffer(16 * 1024);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr)
        return found->pw_dir;
    return "/";
}

} // namespace

Trash Trash::forCurrentUser()
{
    // The spec ignores a relative XDG_DATA_HOME, as the XDG base directory spec requires.
    if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && data[0] == '/')
        return Trash(std::filesystem::path(data) / "Trash");
    return Trash(homeDirectory() / ".local" / "share" / "Trash");
}

Result<std::filesystem::path> Trash::moveToTrash(const std::filesystem::path& item)
{
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(item, ec).lexically_normal();
    if (ec) return fail(SyncErrorCode::LocalIo, "moving " + quoted(item) + " to the trash failed: " + ec.message());
    if (!absolute.has_filename()) absolute = absolute.parent_path();
    if (!absolute.has_relative_path())
        return fail(SyncErrorCode::LocalIo, "the root folder cannot be moved to the trash");

    // The folder is resolved, the item is not: a symlink goes to the trash, not what it points to.
    const std::filesystem::path folder = std::filesystem::canonical(absolute.parent_path(), ec);
    if (ec)
        return fail(SyncErrorCode::LocalIo, "moving " + quoted(absolute) +
                                                " to the trash failed: its folder cannot be resolved (" + ec.message() +
                                                ")");
    absolute = folder / absolute.filename();
    struct stat st {};
    if (::lstat(absolute.c_str(), &st) != 0) return std::unexpected(errnoError(errno, "moving to the trash", absolute));

    // A home trash parent such as ~/.local/share may not exist yet on a fresh account.
    std::filesystem::create_directories(m_homeTrash.parent_path(), ec);
    Attempt home = trashInto(m_homeTrash, absolute, absolute.string());
    if (home.result || !home.crossDevice) return std::move(home.result);

    // Another file system: use a trash on that file system, with a path relative to its top.
    struct stat folderStat {};
    if (::stat(folder.c_str(), &folderStat) != 0)
        return std::unexpected(errnoError(errno, "moving to the trash", absolute));
    const std::filesystem::path top = topDirectoryOf(folder, folderStat.st_dev);
    const std::string relative = absolute.lexically_relative(top).string();
    const std::string uid = std::to_string(::getuid());

    const std::filesystem::path shared = top / ".Trash";
    if (isSharedTrashUsable(shared)) {
        Attempt attempt = trashInto(shared / uid, absolute, relative);
        if (attempt.result) return std::move(attempt.result);
    }
    const std::filesystem::path own = top / (".Trash-" + uid);
    struct stat ownStat {};
    if (::lstat(own.c_str(), &ownStat) == 0 && (S_ISLNK(ownStat.st_mode) || ownStat.st_uid != ::getuid()))
        return fail(SyncErrorCode::LocalIo, "moving " + quoted(absolute) + " to the trash failed: it is on another " +
                                                "file system than " + quoted(m_homeTrash) + ", and " + quoted(own) +
                                                " is not a trash folder of this user");
    Attempt attempt = trashInto(own, absolute, relative);
    if (attempt.result) return std::move(attempt.result);
    return fail(attempt.result.error().code, "moving " + quoted(absolute) + " to the trash failed: it is on another " +
                                                 "file system than " + quoted(m_homeTrash) + ", and the trash there " +
                                                 "cannot be used (" + attempt.result.error().message + ")");
}

} // namespace nubo::sync
