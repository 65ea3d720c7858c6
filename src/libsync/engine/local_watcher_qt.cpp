// LocalWatcher with QFileSystemWatcher (NUBO_PORTABLE_ONLY; Windows and macOS).
//
// Its limits, and what this does about them:
// - It says which folder or file changed, not what changed in it, so the journal and the
//   engine's temporary files (which every run writes) would wake the next run, forever. Each
//   watched folder's listing (names, types, sizes, modification times of what is not ignored) is
//   kept, and a notification counts only when that listing differs.
// - A watched folder reports names that come and go, but not writes into a file that exists
//   (inotify's IN_CLOSE_WRITE has no equivalent): files are watched too, one by one.
// - Every watched path costs the system a handle or a descriptor (a handle per folder and a thread
//   per 63 on Windows, a descriptor per path with kqueue), so at most MAX_WATCHED_PATHS are
//   watched: folders first, then files. Past that the watcher is incomplete (isComplete() is
//   false) and the scheduler looks for changes itself on its poll timer.
// - Changes made while no run has refreshed the watches (a folder created and filled at once) are
//   caught by the listing of the folder they appear in, not one by one; refresh() compares the
//   whole tree's listings with the previous ones, so nothing made between a notification and
//   the refresh after a run is lost.
#include "local_watcher.h"

#include "sync_types.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QStringList>

#include <chrono>
#include <map>
#include <optional>
#include <system_error>
#include <vector>

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

constexpr qsizetype MAX_WATCHED_PATHS = 1024;

struct Stamp {
    bool isFolder = false;
    std::uintmax_t size = 0;
    fs::file_time_type written{};
    bool operator==(const Stamp&) const = default;
};

using Listing = std::map<std::string, Stamp>; // name -> stamp

std::string utf8(const fs::path& path)
{
    const std::u8string text = path.u8string();
    return std::string(text.begin(), text.end());
}

fs::path fromUtf8(const std::string& text)
{
    return fs::path(std::u8string(text.begin(), text.end()));
}

QString qtPath(const fs::path& path)
{
    return QFileInfo(path).filePath(); // Qt's own conversion of native names
}

std::optional<Stamp> stampOf(const fs::path& item)
{
    std::error_code error;
    const fs::file_status status = fs::symlink_status(item, error);
    if (error)
        return std::nullopt;
    Stamp stamp;
    stamp.isFolder = status.type() == fs::file_type::directory;
    if (!stamp.isFolder && status.type() != fs::file_type::regular)
        return std::nullopt; // links and special files are not synced
    if (!stamp.isFolder)
        stamp.size = fs::file_size(item, error);
    stamp.written = stamp.isFolder ? fs::file_time_type{} : fs::last_write_time(item, error);
    return stamp;
}

class QtWatcher final : public LocalWatcher {
public:
    QtWatcher(fs::path root, Ignore ignore, std::function<void()> onChange)
        : m_root(std::move(root)), m_ignore(std::move(ignore)), m_onChange(std::move(onChange))
    {
        QObject::connect(&m_watcher, &QFileSystemWatcher::directoryChanged,
                         [this](const QString& path) { folderChanged(path); });
        QObject::connect(&m_watcher, &QFileSystemWatcher::fileChanged,
                         [this](const QString& path) { fileChanged(path); });
    }

    void refresh() override
    {
        // Start over: what was deleted or renamed since must not stay watched under its old name.
        if (const QStringList watched = m_watcher.files() + m_watcher.directories(); !watched.isEmpty())
            m_watcher.removePaths(watched);
        const bool first = m_listings.empty();
        std::map<std::string, Listing> before = std::move(m_listings);
        m_listings.clear();
        m_files.clear();
        m_complete = true;

        std::vector<std::string> folders{""};
        std::vector<std::string> files;
        for (std::size_t i = 0; i < folders.size(); ++i) {
            const std::string folder = folders[i]; // copied: the vector grows below
            Listing listing = list(folder);
            for (const auto& [name, stamp] : listing) {
                const std::string path = joinPath(folder, name);
                (stamp.isFolder ? folders : files).push_back(path);
            }
            m_listings[folder] = std::move(listing);
        }
        // A change between the last notification and now (the end of a run) would otherwise be
        // in the new listings without ever being reported. (The run's own downloads show here
        // too, and cost one quiet extra run, as with inotify.)
        const bool changedMeanwhile = !first && before != m_listings;

        QStringList folderPaths, filePaths;
        for (const std::string& folder : folders)
            folderPaths.push_back(qtPath(absolute(folder)));
        for (const std::string& file : files)
            filePaths.push_back(qtPath(absolute(file)));
        // Folders first: they see new and removed names anywhere, files only their own writes.
        if (folderPaths.size() > MAX_WATCHED_PATHS) {
            folderPaths.resize(MAX_WATCHED_PATHS);
            m_complete = false;
        }
        const qsizetype room = MAX_WATCHED_PATHS - folderPaths.size();
        if (filePaths.size() > room) {
            filePaths.resize(room);
            m_complete = false;
        }
        // What the system refuses to watch (a limit, a vanished path) is returned, and goes unseen.
        if (!m_watcher.addPaths(folderPaths).isEmpty())
            m_complete = false;
        if (!filePaths.isEmpty()) {
            const QStringList refused = m_watcher.addPaths(filePaths);
            if (!refused.isEmpty())
                m_complete = false;
            for (const QString& file : filePaths)
                if (!refused.contains(file))
                    m_files.emplace(relative(file), stampOf(fromQt(file)));
        }
        if (changedMeanwhile)
            m_onChange();
    }

    bool isComplete() const override { return m_complete; }

private:
    fs::path absolute(const std::string& relative) const
    {
        return relative.empty() ? m_root : m_root / fromUtf8(relative);
    }

    static fs::path fromQt(const QString& path) { return fs::path(path.toStdU16String()); }

    std::string relative(const QString& path) const
    {
        const std::u8string generic = fromQt(path).lexically_relative(m_root).generic_u8string();
        const std::string text(generic.begin(), generic.end());
        return text == "." ? std::string() : text;
    }

    // The items of one folder that are not ignored.
    Listing list(const std::string& folder) const
    {
        Listing listing;
        std::error_code error;
        for (fs::directory_iterator it(absolute(folder), error); !error && it != fs::directory_iterator();
             it.increment(error)) {
            const std::string name = utf8(it->path().filename());
            const auto stamp = stampOf(it->path());
            if (!stamp || m_ignore(joinPath(folder, name), stamp->isFolder))
                continue;
            listing.emplace(name, *stamp);
        }
        return listing;
    }

    void folderChanged(const QString& path)
    {
        const std::string folder = relative(path);
        Listing now = list(folder);
        Listing& before = m_listings[folder];
        if (now == before)
            return; // the journal, a temporary file, an excluded name: nothing the sync cares about
        // A new folder is watched at once, so what is written into it next is seen too.
        for (const auto& [name, stamp] : now) {
            const auto old = before.find(name);
            if (!stamp.isFolder || (old != before.end() && old->second.isFolder))
                continue;
            const std::string added = joinPath(folder, name);
            const qsizetype watched = m_watcher.files().size() + m_watcher.directories().size();
            if (watched >= MAX_WATCHED_PATHS || !m_watcher.addPath(qtPath(absolute(added))))
                m_complete = false;
            m_listings[added] = list(added);
        }
        m_listings[folder] = std::move(now);
        m_onChange();
    }

    void fileChanged(const QString& path)
    {
        const std::string file = relative(path);
        const auto now = stampOf(fromQt(path));
        const auto it = m_files.find(file);
        if (it != m_files.end() && it->second == now)
            return;
        m_files[file] = now;
        // A file replaced by a rename is no longer watched under its name: watch the new one.
        if (now && !m_watcher.files().contains(path))
            m_watcher.addPath(path);
        m_onChange();
    }

    fs::path m_root;
    Ignore m_ignore;
    std::function<void()> m_onChange;
    QFileSystemWatcher m_watcher;
    std::map<std::string, Listing> m_listings;            // relative folder -> its listing
    std::map<std::string, std::optional<Stamp>> m_files; // relative file -> its stamp (none: gone)
    bool m_complete = false;
};

} // namespace

std::unique_ptr<LocalWatcher> makeLocalWatcher(fs::path root, LocalWatcher::Ignore ignore,
                                               std::function<void()> onChange)
{
    return std::make_unique<QtWatcher>(std::move(root), std::move(ignore), std::move(onChange));
}

} // namespace nubo::sync
