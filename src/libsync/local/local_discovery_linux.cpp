#include "local_discovery.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
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

// One entry's properties, as the scan needs them (a fraction of a `struct stat`: folders read
// ahead hold many of them).
struct Properties {
    int error = 0; // errno of fstatat, 0 when the rest holds the properties
    mode_t mode = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec mtime{}, ctime{};
};

Properties propertiesOf(const struct stat& st)
{
    Properties properties;
    properties.mode = st.st_mode;
    properties.inode = st.st_ino;
    properties.size = st.st_size;
    properties.mtime = st.st_mtim;
    properties.ctime = st.st_ctim;
    return properties;
}

Properties propertiesOf(int dirFd, const char* name)
{
    struct stat st {};
    if (::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        Properties failed;
        failed.error = errno;
        return failed;
    }
    return propertiesOf(st);
}

LocalEntry entryOf(const Properties& properties)
{
    const bool isDirectory = S_ISDIR(properties.mode);
    LocalEntry entry;
    entry.type = isDirectory ? ItemType::Directory : ItemType::File;
    entry.inode = static_cast<std::uint64_t>(properties.inode);
    entry.size = isDirectory ? 0 : static_cast<std::int64_t>(properties.size);
    entry.mtime = static_cast<std::int64_t>(properties.mtime.tv_sec);
    entry.mtimeNs = static_cast<std::int64_t>(properties.mtime.tv_nsec);
    entry.ctime = static_cast<std::int64_t>(properties.ctime.tv_sec) * 1'000'000'000 + properties.ctime.tv_nsec;
    return entry;
}

// Properties are read a block at a time, so a huge folder costs no more memory than its names.
constexpr std::size_t kBlock = 4096;

void readProperties(int dirFd, const std::vector<std::string>& names, std::size_t begin, std::size_t end,
                    std::vector<Properties>& out)
{
    out.resize(end - begin);
    for (std::size_t i = begin; i < end; ++i)
        out[i - begin] = propertiesOf(dirFd, names[i].c_str());
}

// A folder listed: its names in order and the properties of the first block of them.
struct Listing {
    int fd = -1;   // the open folder, owned; -1 when it could not be opened or read
    int error = 0; // errno that kept it from being listed
    std::vector<std::string> names;
    std::vector<Properties> first;

    Listing() = default;
    Listing(Listing&& other) noexcept
        : fd(std::exchange(other.fd, -1)), error(other.error), names(std::move(other.names)),
          first(std::move(other.first))
    {
    }
    Listing& operator=(Listing&& other) noexcept
    {
        std::swap(fd, other.fd);
        error = other.error;
        names = std::move(other.names);
        first = std::move(other.first);
        return *this;
    }
    ~Listing()
    {
        if (fd >= 0) ::close(fd);
    }
};

// The names in the folder open as `fd`, without "." and "..": 0, or the errno of the failure.
// getdents64 into a buffer of this thread's instead of readdir: no DIR (and its 32 KiB buffer)
// allocated and freed per folder, on one thread and the other.
int readNames(int fd, std::vector<std::string>& names)
{
    alignas(alignof(dirent64)) thread_local char buffer[32 * 1024];
    for (;;) {
        const ssize_t length = ::getdents64(fd, buffer, sizeof buffer);
        if (length < 0) return errno;
        if (length == 0) return 0;
        for (ssize_t offset = 0; offset < length;) {
            const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
            offset += entry->d_reclen;
            const char* name = entry->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
            names.emplace_back(name);
        }
    }
}

// Lists the folder open as `fd` (consumed). Names first, then properties: the listing is
// complete (or reported as failed) before any entry reaches the tree, so a folder read half-way
// never looks like deleted files.
Listing listFolder(int fd)
{
    Listing listing;
    listing.fd = fd;
    if (const int error = readNames(fd, listing.names); error != 0) {
        listing.error = error;
        ::close(std::exchange(listing.fd, -1));
        listing.names.clear();
        return listing;
    }
    // In name order, most paths land right after the previous one in the tree, so each
    // insertion with a hint is constant time instead of a full descent with string compares.
    std::sort(listing.names.begin(), listing.names.end());
    readProperties(fd, listing.names, 0, std::min(listing.names.size(), kBlock), listing.first);
    return listing;
}

// Opens the folder `name` in `parentFd` and lists it. O_NOFOLLOW: it may have been replaced by a
// symlink since it was seen.
Listing openAndList(int parentFd, const char* name)
{
    const int fd = ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        Listing failed;
        failed.error = errno;
        return failed;
    }
    return listFolder(fd);
}

// Reads ahead on a second thread what the scanning thread will need next: the listings of the
// folders it is about to enter, and the next block of properties of a big folder. On an
// unchanged tree the scan is mostly these system calls, and the scanning thread's own work
// (comparing each folder with the journal) then runs while they are made instead of after them.
// What was not started when it is needed is dropped and read by the scanning thread itself, so
// the scan never waits for work that is not running; what is not needed after all is forgotten
// with its parent folder. Entries are visited in name order as before, from properties read a
// little earlier than before.
class ReadAhead {
public:
    ~ReadAhead()
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

    struct Folder {
        std::string path, name;
    };
    // The listings of `folders` in `parentFd`, in the order they will be entered, before
    // anything asked earlier (the scan is depth first).
    void askFolders(int parentFd, std::vector<Folder> folders)
    {
        if (folders.empty() || !started())
            return;
        {
            std::lock_guard lock(m_mutex);
            for (auto it = folders.rbegin(); it != folders.rend(); ++it) {
                Job job;
                job.fd = parentFd;
                job.path = std::move(it->path);
                job.name = std::move(it->name);
                m_queue.push_front(std::move(job));
            }
        }
        m_wake.notify_one();
    }

    // The listing of `path` if it was read ahead (waiting for it while it is read); nothing when
    // it was not asked for or not started yet (dropped then: the caller lists it itself).
    std::optional<Listing> takeFolder(const std::string& path)
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (const auto done = m_done.find(path); done != m_done.end()) {
                Listing listing = std::move(done->second.listing);
                m_heldNames -= listing.names.size();
                m_done.erase(done);
                lock.unlock();
                m_wake.notify_one(); // room again
                return listing;
            }
            if (m_running && m_running->folder && m_running->path == path) {
                m_finished.wait(lock);
                continue;
            }
            std::erase_if(m_queue, [&](const Job& job) { return job.folder && job.path == path; });
            return std::nullopt;
        }
    }

    // Properties of names[begin, end) in `dirFd` into `out`, read next.
    void askBlock(int dirFd, const std::vector<std::string>& names, std::size_t begin, std::size_t end,
                  std::vector<Properties>& out)
    {
        if (!started())
            return;
        {
            std::lock_guard lock(m_mutex);
            Job job;
            job.folder = false;
            job.fd = dirFd;
            job.names = &names;
            job.begin = begin;
            job.end = end;
            job.out = &out;
            m_queue.push_front(std::move(job));
        }
        m_wake.notify_one();
    }

    // Whether the block asked for into `out` was read (waiting for it while it is read); false
    // when it was not started (dropped then: the caller reads it itself).
    bool takeBlock(const std::vector<Properties>& out)
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_blocksDone.erase(&out) != 0)
                return true;
            if (m_running && !m_running->folder && m_running->out == &out) {
                m_finished.wait(lock);
                continue;
            }
            std::erase_if(m_queue, [&](const Job& job) { return !job.folder && job.out == &out; });
            return false;
        }
    }

    // Before `parentFd` is closed: whatever was asked in it and not taken is dropped. (The scan
    // takes every folder it asked for, so this only keeps a slip there from reading through a
    // closed, reused descriptor.)
    void forget(int parentFd)
    {
        std::vector<Listing> unused; // closed outside the lock
        {
            std::unique_lock lock(m_mutex);
            std::erase_if(m_queue, [&](const Job& job) { return job.fd == parentFd; });
            m_finished.wait(lock, [&] { return !m_running || m_running->fd != parentFd; });
            for (auto it = m_done.begin(); it != m_done.end();) {
                if (it->second.parentFd != parentFd) {
                    ++it;
                    continue;
                }
                m_heldNames -= it->second.listing.names.size();
                unused.push_back(std::move(it->second.listing));
                it = m_done.erase(it);
            }
        }
        m_wake.notify_one();
    }

private:
    // Listings read ahead and not taken yet hold open folders and memory: at most this many.
    static constexpr std::size_t kMaxHeldListings = 64;
    static constexpr std::size_t kMaxHeldNames = 4 * kBlock;

    struct Job {
        bool folder = true;
        int fd = -1; // the parent folder of a listing, the folder of a block
        std::string path, name;
        const std::vector<std::string>* names = nullptr;
        std::size_t begin = 0, end = 0;
        std::vector<Properties>* out = nullptr;
    };
    struct Done {
        int parentFd = -1;
        Listing listing;
    };

    bool started()
    {
        if (m_thread.joinable())
            return true;
        if (m_cannotStart)
            return false;
        try {
            m_thread = std::thread([this] { work(); });
            return true;
        } catch (const std::system_error&) {
            m_cannotStart = true; // the scanning thread reads everything itself
            return false;
        }
    }

    bool hasRoom() const { return m_done.size() < kMaxHeldListings && m_heldNames < kMaxHeldNames; }

    void work()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            // A block is always wanted next; a listing only while there is room to hold it.
            m_wake.wait(lock, [&] {
                return m_stop || (!m_queue.empty() && (!m_queue.front().folder || hasRoom()));
            });
            if (m_stop)
                return;
            m_running = std::move(m_queue.front());
            m_queue.pop_front();
            const Job& job = *m_running;
            lock.unlock();
            Listing listing;
            if (job.folder)
                listing = openAndList(job.fd, job.name.c_str());
            else
                readProperties(job.fd, *job.names, job.begin, job.end, *job.out);
            lock.lock();
            if (job.folder) {
                m_heldNames += listing.names.size();
                m_done.emplace(job.path, Done{job.fd, std::move(listing)});
            } else {
                m_blocksDone.insert(job.out);
            }
            m_running.reset();
            lock.unlock();
            m_finished.notify_all();
            lock.lock();
        }
    }

    std::thread m_thread;
    bool m_cannotStart = false;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_finished;
    std::deque<Job> m_queue;
    std::optional<Job> m_running;
    std::unordered_map<std::string, Done> m_done;
    std::unordered_set<const std::vector<Properties>*> m_blocksDone;
    std::size_t m_heldNames = 0;
    bool m_stop = false;
};

class Scanner {
public:
    Scanner(const LocalScanOptions& options, LocalTree& tree) : m_scan(options, tree) {}

    // Lists the folder open as `fd` (consumed) whose relative path is `prefix`, and everything below
    // it. Returns 0, or the errno that kept the folder itself from being listed (nothing added then).
    int scanFolder(int fd, std::string& prefix) { return scanListed(listFolder(fd), prefix); }

private:
    int scanListed(Listing listing, std::string& prefix)
    {
        if (listing.fd < 0)
            return listing.error;
        const std::vector<std::string>& names = listing.names;
        m_scan.namesRead(prefix, names);
        const int dirFd = listing.fd;
        const std::size_t prefixLength = prefix.size();
        const auto childPath = [&](std::string& path, const std::string& name) {
            path.resize(prefixLength);
            if (!path.empty()) path.push_back('/');
            path.append(name);
        };
        std::vector<Properties> properties = std::move(listing.first), next;
        for (std::size_t begin = 0; begin < names.size(); begin += kBlock) {
            const std::size_t end = std::min(names.size(), begin + kBlock);
            if (begin != 0) {
                // The block read ahead into `next` while the one before it was visited (taken
                // before it is touched: the other thread writes into it until then).
                if (!m_ahead.takeBlock(next))
                    readProperties(dirFd, names, begin, end, next);
                properties.swap(next);
            }
            if (end < names.size())
                m_ahead.askBlock(dirFd, names, end, std::min(names.size(), end + kBlock), next);
            // The folders of this block are listed ahead, in the order they are entered.
            std::vector<ReadAhead::Folder> folders;
            for (std::size_t i = begin; i < end; ++i) {
                if (properties[i - begin].error != 0 || !S_ISDIR(properties[i - begin].mode)) continue;
                childPath(prefix, names[i]);
                if (m_scan.mayEnter(prefix, names[i]))
                    folders.push_back({prefix, names[i]});
            }
            m_ahead.askFolders(dirFd, std::move(folders));
            for (std::size_t i = begin; i < end; ++i) {
                childPath(prefix, names[i]);
                visit(dirFd, names[i], prefix, properties[i - begin]);
            }
        }
        prefix.resize(prefixLength);
        m_ahead.forget(dirFd); // before the folder closes with the listing
        return 0;
    }

    void visit(int dirFd, const std::string& name, std::string& path, const Properties& properties)
    {
        if (!m_scan.acceptName(path, name)) return;
        if (properties.error != 0) {
            // Removed since the listing: it is simply not there any more.
            if (properties.error != ENOENT)
                m_scan.skip(path, "cannot read its properties: " + errnoText(properties.error), SkipKind::CannotSync);
            return;
        }
        const mode_t mode = properties.mode;
        const bool isDirectory = S_ISDIR(mode);
        const ListedKind kind = isDirectory      ? ListedKind::Directory
                                : S_ISREG(mode) ? ListedKind::Regular
                                : S_ISLNK(mode) ? ListedKind::Symlink
                                                : ListedKind::Special;
        if (!m_scan.accept(path, name, kind)) return;

        if (isDirectory) {
            std::optional<Listing> listing = m_ahead.takeFolder(path);
            if (!listing)
                listing = openAndList(dirFd, name.c_str());
            if (listing->fd < 0 && listing->error == ENOENT)
                return; // removed since it was seen
            const auto it = m_scan.insert(path, entryOf(properties));
            if (const int error = scanListed(std::move(*listing), path); error != 0) {
                // Without its contents the folder would look emptied; report it as a whole instead.
                m_scan.eraseFolder(it, path);
                m_scan.skip(path, "the folder cannot be read: " + errnoText(error), SkipKind::CannotSync);
                return;
            }
            m_scan.folderListed(it, path);
            return;
        }
        m_scan.insert(path, entryOf(properties));
    }

    LocalScan m_scan;
    ReadAhead m_ahead;
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
    return entryOf(propertiesOf(st));
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
