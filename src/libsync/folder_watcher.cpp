#include "folder_watcher.h"

#include "exclude_list.h"
#include "local_file.h"

#include <QFileSystemWatcher>
#include <QMetaObject>
#include <QSet>

#include <filesystem>

namespace nubo::sync {

namespace fs = std::filesystem;

SyncScheduler::SyncScheduler(std::shared_ptr<RemoteFs> remote, SyncOptions options, WatchOptions watch,
                             QObject* parent)
    : QObject(parent), m_remote(remote), m_engine(std::make_unique<SyncEngine>(remote, std::move(options))),
      m_watch(watch)
{
    qRegisterMetaType<nubo::sync::SyncSummary>();
    qRegisterMetaType<nubo::sync::SyncError>();
    m_watcher = new QFileSystemWatcher(this);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(static_cast<int>(m_watch.debounce.count()));
    connect(&m_debounce, &QTimer::timeout, this, &SyncScheduler::runNow);
    m_poll.setInterval(static_cast<int>(m_watch.pollInterval.count()));
    connect(&m_poll, &QTimer::timeout, this, &SyncScheduler::pollServer);
    // Our own writes during a run also fire; they only schedule one more (quiet) run.
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &SyncScheduler::scheduleSoon);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &SyncScheduler::scheduleSoon);
}

SyncScheduler::~SyncScheduler() { stop(); }

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
        auto result = m_engine->run();
        std::string etag;
        if (auto root = m_remote->stat(""); root)
            etag = root->etag;
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

void SyncScheduler::refreshWatches()
{
    // inotify watches folders, not trees: every synced folder gets one.
    const fs::path root = m_engine->options().localRoot;
    QStringList folders{QString::fromStdString(root.string())};
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        const std::string name = it->path().filename().string();
        std::error_code typeError;
        if (!it->is_directory(typeError) || it->is_symlink(typeError))
            continue;
        const std::string relative = fs::relative(it->path(), root, typeError).generic_string();
        if (m_engine->options().excludes.isExcluded(relative, true) || isTemporaryName(name)) {
            it.disable_recursion_pending();
            continue;
        }
        folders.push_back(QString::fromStdString(it->path().string()));
    }
    const QStringList watchedList = m_watcher->directories();
    const QSet<QString> watched(watchedList.begin(), watchedList.end());
    const QSet<QString> wanted(folders.begin(), folders.end());
    QStringList gone;
    for (const QString& folder : watchedList)
        if (!wanted.contains(folder))
            gone.push_back(folder);
    if (!gone.isEmpty())
        m_watcher->removePaths(gone);
    QStringList added;
    for (const QString& folder : folders)
        if (!watched.contains(folder))
            added.push_back(folder);
    if (!added.isEmpty())
        m_watcher->addPaths(added);
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
