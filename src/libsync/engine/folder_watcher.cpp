#include "folder_watcher.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <QMetaObject>
#include <QSocketNotifier>

#include <filesystem>
#include <sys/inotify.h>
#include <unistd.h>

namespace nubo::sync {

namespace fs = std::filesystem;

SyncScheduler::SyncScheduler(std::shared_ptr<RemoteFs> remote, SyncOptions options, WatchOptions watch,
                             QObject* parent)
    : QObject(parent), m_remote(remote), m_engine(std::make_unique<SyncEngine>(remote, std::move(options))),
      m_watch(watch)
{
    qRegisterMetaType<nubo::sync::SyncSummary>();
    qRegisterMetaType<nubo::sync::SyncError>();
    m_inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotify >= 0) {
        m_notifier = new QSocketNotifier(m_inotify, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &SyncScheduler::readEvents);
    }
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(static_cast<int>(m_watch.debounce.count()));
    connect(&m_debounce, &QTimer::timeout, this, &SyncScheduler::runNow);
    m_poll.setInterval(static_cast<int>(m_watch.pollInterval.count()));
    connect(&m_poll, &QTimer::timeout, this, &SyncScheduler::pollServer);
}

SyncScheduler::~SyncScheduler()
{
    stop();
    if (m_inotify >= 0)
        ::close(m_inotify);
}

void SyncScheduler::start()
{
    m_stopped = false;
    refreshWatches();
    m_poll.start();
    runNow();
}

void SyncScheduler::stop()
{
    m_stopped = true;
    m_poll.stop();
    m_debounce.stop();
    m_engine->cancel();
    if (m_worker.joinable())
        m_worker.join();
    m_engine->clearCancel(); // a start() after this stop() runs
    m_running = false;
}

void SyncScheduler::scheduleSoon()
{
    if (m_stopped)
        return;
    if (m_running) {
        m_pending = true;
        return;
    }
    m_debounce.start(); // restarts: the run waits for a quiet moment
}

void SyncScheduler::runNow()
{
    if (m_stopped)
        return;
    if (m_running) {
        m_pending = true;
        return;
    }
    if (m_worker.joinable())
        m_worker.join();
    m_running = true;
    m_pending = false;
    ++m_runs;
    emit syncStarted();
    // The run blocks, so it gets its own thread; its result comes back through the event loop.
    m_worker = std::thread([this] {
        // The ETag from before the run: a server change made while it runs still differs from
        // it, so the next poll catches it (our own uploads cost one quiet extra run).
        std::string etag;
        if (auto root = m_remote->stat(""); root)
            etag = root->etag;
        auto result = m_engine->run();
        QMetaObject::invokeMethod(
            this,
            [this, result = std::move(result), etag = std::move(etag)] {
                m_running = false;
                m_rootEtag = etag;
                if (result)
                    emit syncFinished(*result);
                else
                    emit syncFailed(result.error());
                finished();
            },
            Qt::QueuedConnection);
    });
}

void SyncScheduler::finished()
{
    if (m_stopped)
        return;
    refreshWatches();
    if (m_pending) {
        m_pending = false;
        m_debounce.start();
    }
}

void SyncScheduler::watchFolder(const std::string& relative)
{
    if (m_inotify < 0)
        return;
    const fs::path folder = relative.empty() ? m_engine->options().localRoot
                                             : m_engine->options().localRoot / relative;
    const int wd = ::inotify_add_watch(m_inotify, folder.c_str(),
                                       IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                           IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW);
    if (wd >= 0)
        m_watches[wd] = relative;
}

void SyncScheduler::refreshWatches()
{
    // inotify watches folders, not trees: every synced folder gets one (adding one twice is harmless).
    const fs::path root = m_engine->options().localRoot;
    watchFolder("");
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        std::error_code typeError;
        if (!it->is_directory(typeError) || it->is_symlink(typeError))
            continue;
        const std::string relative = fs::relative(it->path(), root, typeError).generic_string();
        if (m_engine->options().excludes.isExcluded(relative, true) || isTemporaryName(fileName(relative))) {
            it.disable_recursion_pending();
            continue;
        }
        watchFolder(relative);
    }
}

void SyncScheduler::readEvents()
{
    alignas(inotify_event) char buffer[16384];
    bool changed = false;
    for (;;) {
        const ssize_t length = ::read(m_inotify, buffer, sizeof buffer);
        if (length <= 0)
            break;
        for (ssize_t offset = 0; offset < length;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            const auto folder = m_watches.find(event->wd);
            if (event->mask & IN_IGNORED) {
                if (folder != m_watches.end())
                    m_watches.erase(folder);
                continue;
            }
            if (folder == m_watches.end())
                continue;
            const std::string name = event->len > 0 ? std::string(event->name) : std::string();
            const std::string path = joinPath(folder->second, name);
            const bool isFolder = (event->mask & IN_ISDIR) != 0;
            // The journal, the engine's temporary files and conflict copies change because of the
            // sync itself; excluded names do not matter to it.
            if (!name.empty() && (name.starts_with(JOURNAL_FILE_NAME) || isTemporaryName(name) ||
                                  isConflictCopyName(name) || m_engine->options().excludes.isExcluded(path, isFolder)))
                continue;
            if (isFolder && (event->mask & (IN_CREATE | IN_MOVED_TO)))
                watchFolder(path); // so what is created inside it next is seen too
            changed = true;
        }
    }
    if (changed)
        scheduleSoon();
}

void SyncScheduler::pollServer()
{
    if (m_stopped || m_running)
        return;
    // One PROPFIND Depth 0: the root ETag changes when anything on the server changes.
    auto root = m_remote->stat("");
    if (root && root->etag != m_rootEtag)
        runNow();
}

} // namespace nubo::sync
