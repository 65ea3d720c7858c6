#include "folder_watcher.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <QMetaObject>

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
    // The journal, the engine's temporary files and conflict copies change because of the sync
    // itself; excluded names do not matter to it.
    auto ignore = [this](const std::string& path, bool isFolder) {
        const std::string name = fileName(path);
        return name.starts_with(JOURNAL_FILE_NAME) || isTemporaryName(name) || isConflictCopyName(name) ||
               m_engine->options().excludes.isExcluded(path, isFolder);
    };
    m_watcher = makeLocalWatcher(m_engine->options().localRoot, ignore, [this] { scheduleSoon(); });
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(static_cast<int>(m_watch.debounce.count()));
    connect(&m_debounce, &QTimer::timeout, this, &SyncScheduler::runNow);
    m_poll.setInterval(static_cast<int>(m_watch.pollInterval.count()));
    connect(&m_poll, &QTimer::timeout, this, &SyncScheduler::pollServer);
}

SyncScheduler::~SyncScheduler()
{
    stop();
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

void SyncScheduler::refreshWatches()
{
    m_watcher->refresh();
}

void SyncScheduler::pollServer()
{
    if (m_stopped || m_running)
        return;
    // One PROPFIND Depth 0: the root ETag changes when anything on the server changes.
    auto root = m_remote->stat("");
    // A watcher that cannot see everything leaves the looking to the run.
    if ((root && root->etag != m_rootEtag) || !m_watcher->isComplete())
        runNow();
}

} // namespace nubo::sync
