#include "local_discovery.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <dirent.h>
#include <mutex>
#include <thread>
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

// Reads the properties (fstatat) of a folder's entries on a second thread while the scanning
// thread reads the other half: on an unchanged tree the scan is mostly these calls, and the
// kernel serves two of them at once. Entries are then visited in name order as before, from
// the properties read here; only when they were read differs (all of a folder's entries before
// its first subfolder is entered, instead of each just before its own visit).
class StatHelper {
public:
    struct Result {
        int error = 0; // errno of fstatat, 0 when `st` holds the properties
        struct stat st {};
    };

    ~StatHelper()
    {
        if (!m_thread.joinable())
            return;
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    // The properties of names[begin, end) in `dirFd`: results[i - begin] for names[i].
    void statAll(int dirFd, const std::vector<std::string>& names, std::size_t begin, std::size_t end,
                 std::vector<Result>& results)
    {
        results.assign(end - begin, Result{});
        // Below this many entries handing half to the other thread costs more than it saves.
        constexpr std::size_t kParallelFrom = 64;
        if (end - begin < kParallelFrom) {
            statRange(dirFd, names, results, begin, begin, end);
            return;
        }
        if (!m_thread.joinable())
            m_thread = std::thread([this] { work(); });
        const std::size_t middle = begin + (end - begin) / 2;
        {
            std::lock_guard lock(m_mutex);
            m_job = Job{dirFd, &names, &results, begin, middle, end};
            m_pending = true;
        }
        m_wake.notify_one();
        statRange(dirFd, names, results, begin, begin, middle);
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [&] { return !m_pending; });
    }

private:
    struct Job {
        int dirFd = -1;
        const std::vector<std::string>* names = nullptr;
        std::vector<Result>* results = nullptr;
        std::size_t first = 0, begin = 0, end = 0; // results[0] is names[first]
    };

    static void statRange(int dirFd, const std::vector<std::string>& names, std::vector<Result>& results,
                          std::size_t first, std::size_t begin, std::size_t end)
    {
        for (std::size_t i = begin; i < end; ++i)
            if (::fstatat(dirFd, names[i].c_str(), &results[i - first].st, AT_SYMLINK_NOFOLLOW) != 0)
                results[i - first].error = errno;
    }

    void work()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [&] { return m_pending || m_stop; });
            if (m_stop)
                return;
            const Job job = m_job;
            lock.unlock();
            statRange(job.dirFd, *job.names, *job.results, job.first, job.begin, job.end);
            lock.lock();
            m_pending = false;
            m_done.notify_one();
        }
    }

    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    Job m_job;
    bool m_pending = false;
    bool m_stop = false;
};

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
        // Properties are read a block at a time, so a huge folder costs no more memory than its names.
        constexpr std::size_t kBlock = 4096;
        std::vector<StatHelper::Result> properties;
        const std::size_t prefixLength = prefix.size();
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (i % kBlock == 0)
                m_stats.statAll(dirFd, names, i, std::min(names.size(), i + kBlock), properties);
            prefix.resize(prefixLength);
            if (!prefix.empty()) prefix.push_back('/');
            prefix.append(names[i]);
            visit(dirFd, names[i], prefix, properties[i % kBlock]);
        }
        prefix.resize(prefixLength);
        ::closedir(dir);
        return 0;
    }

private:
    void visit(int dirFd, const std::string& name, std::string& path, const StatHelper::Result& properties)
    {
        if (!m_scan.acceptName(path, name)) return;
        if (properties.error != 0) {
            // Removed since the listing: it is simply not there any more.
            if (properties.error != ENOENT)
                m_scan.skip(path, "cannot read its properties: " + errnoText(properties.error), SkipKind::CannotSync);
            return;
        }
        const struct stat& st = properties.st;
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
    StatHelper m_stats;
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
