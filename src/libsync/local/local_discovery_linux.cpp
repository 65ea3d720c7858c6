#include "local_discovery.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "local_file.h"
#include "local_scan.h"

namespace nubo::sync {

namespace {

std::string errnoText(int error)
{
    switch (error) {
    case EACCES:
    case EPERM: return "permission denied";
    default: break;
    }
    char buffer[256];
    return strerror_r(error, buffer, sizeof buffer);
}

LocalEntry entryOf(const struct stat& st)
{
    const bool isDirectory = S_ISDIR(st.st_mode);
    LocalEntry entry;
    entry.type = isDirectory ? ItemType::Directory : ItemType::File;
    entry.inode = static_cast<std::uint64_t>(st.st_ino);
    entry.size = isDirectory ? 0 : static_cast<std::int64_t>(st.st_size);
    entry.mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    entry.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_nsec);
    entry.ctime = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return entry;
}

class Scanner {
public:
    Scanner(const LocalScanOptions& options, LocalTree& tree) : m_scan(options, tree) {}

    // Lists the folder open as `fd` (consumed) whose relative path is `prefix`, and everything below
    // it. Returns 0, or the errno that kept the folder itself from being listed (nothing added then).
    int scanFolder(int fd, std::string& prefix)
    {
        DIR* dir = ::fdopendir(fd);
        if (dir == nullptr) {
            const int error = errno;
            ::close(fd);
            return error;
        }

        // Names first, then stat: the listing is complete (or reported as failed) before any
        // entry reaches the tree, so a folder read half-way never looks like deleted files.
        std::vector<std::string> names;
        errno = 0;
        while (const dirent* entry = ::readdir(dir)) {
            const char* name = entry->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
            names.emplace_back(name);
            errno = 0;
        }
        if (errno != 0) {
            const int error = errno;
            ::closedir(dir);
            return error;
        }

        // In name order, most paths land right after the previous one in the tree, so each
        // insertion with a hint is constant time instead of a full descent with string compares.
        std::sort(names.begin(), names.end());
        m_scan.namesRead(prefix, names);
        const int dirFd = ::dirfd(dir);
        const std::size_t prefixLength = prefix.size();
        for (const std::string& name : names) {
            prefix.resize(prefixLength);
            if (!prefix.empty()) prefix.push_back('/');
            prefix.append(name);
            visit(dirFd, name, prefix);
        }
        prefix.resize(prefixLength);
        ::closedir(dir);
        return 0;
    }

private:
    void visit(int dirFd, const std::string& name, std::string& path)
    {
        if (!m_scan.acceptName(path, name)) return;
        struct stat st {};
        if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            // Removed since the listing: it is simply not there any more.
            if (errno != ENOENT)
                m_scan.skip(path, "cannot read its properties: " + errnoText(errno), SkipKind::CannotSync);
            return;
        }
        const bool isDirectory = S_ISDIR(st.st_mode);
        const ListedKind kind = isDirectory            ? ListedKind::Directory
                                : S_ISREG(st.st_mode) ? ListedKind::Regular
                                : S_ISLNK(st.st_mode) ? ListedKind::Symlink
                                                      : ListedKind::Special;
        if (!m_scan.accept(path, name, kind)) return;

        if (isDirectory) {
            // O_NOFOLLOW: the folder may have been replaced by a symlink since the fstatat.
            const int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (errno != ENOENT)
                    m_scan.skip(path, "the folder cannot be read: " + errnoText(errno), SkipKind::CannotSync);
                return;
            }
            const auto it = m_scan.insert(path, entryOf(st));
            if (const int error = scanFolder(fd, path); error != 0) {
                // Without its contents the folder would look emptied; report it as a whole instead.
                m_scan.eraseFolder(it, path);
                m_scan.skip(path, "the folder cannot be read: " + errnoText(error), SkipKind::CannotSync);
                return;
            }
            m_scan.folderListed(it, path);
            return;
        }
        m_scan.insert(path, entryOf(st));
    }

    LocalScan m_scan;
};

} // namespace

Result<LocalTree> scanLocal(const std::filesystem::path& root, const LocalScanOptions& options)
{
    // The root itself may be a symlink (users move their sync folder and link it back).
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT)
            return fail(SyncErrorCode::LocalIo, "the local folder \"" + root.string() +
                                                    "\" does not exist; was it moved, or is its drive unmounted?");
        return std::unexpected(errnoError(error, "opening the local folder", root));
    }
    LocalTree tree;
    Scanner scanner(options, tree);
    std::string prefix;
    if (const int error = scanner.scanFolder(fd, prefix); error != 0)
        return std::unexpected(errnoError(error, "listing the local folder", root));
    if (options.onFolderListed) options.onFolderListed("", tree, tree.end());
    return tree;
}

Result<LocalEntry> statLocal(const std::filesystem::path& file)
{
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) return std::unexpected(errnoError(errno, "checking", file));
    if (S_ISLNK(st.st_mode))
        return fail(SyncErrorCode::LocalIo,
                    "\"" + file.string() + "\" is a symbolic link; symbolic links are not synced");
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return fail(SyncErrorCode::LocalIo,
                    "\"" + file.string() + "\" is a special file; special files are not synced");
    return entryOf(st);
}

bool isCaseInsensitiveFilesystem(const std::filesystem::path& root)
{
    // A fresh random name so that no existing file can answer for the probe.
    const std::string name = temporaryPathFor(root / ".nubo-case-probe").filename().string();
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    const std::filesystem::path probe = root / name;
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false; // cannot probe: assume the POSIX default
    ::close(fd);
    struct stat st {};
    const bool insensitive = ::lstat((root / upper).c_str(), &st) == 0;
    ::unlink(probe.c_str());
    return insensitive;
}

} // namespace nubo::sync
