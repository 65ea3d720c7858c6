// The long-running mode (GUI, `nubocmd sync --watch`): sync once, then again whenever the local
// folder changes (a LocalWatcher, debounced) or the server's root ETag changes (polled). A change
// seen during a run schedules one more run after it. When the watcher cannot see everything (a
// limit reached), each poll runs a sync whatever the server says.
#pragma once

#include "local_watcher.h"
#include "sync_engine.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace nubo::sync {

struct WatchOptions {
    std::chrono::milliseconds debounce{1500};   // quiet time after the last local change
    std::chrono::milliseconds pollInterval{30000}; // how often the server's root ETag is checked
};

class SyncScheduler : public QObject {
    Q_OBJECT
public:
    SyncScheduler(std::shared_ptr<RemoteFs> remote, SyncOptions options, WatchOptions watch = {},
                  QObject* parent = nullptr);
    ~SyncScheduler() override;

    // Starts the first run right away; later runs follow changes. Needs a running event loop.
    void start();
    // Stops watching and polling; a running sync is cancelled and waited for.
    void stop();

    // A run now (after the one in progress, when one runs), whatever changed.
    void syncNow() { runNow(); }
    bool isRunning() const { return m_running; }

    // The engine of the runs (connect to its item signals for per-item reports).
    SyncEngine& engine() { return *m_engine; }
    int runs() const { return m_runs; }

signals:
    void syncStarted();
    void syncFinished(const nubo::sync::SyncSummary& summary);
    void syncFailed(const nubo::sync::SyncError& error);

private:
    void scheduleSoon();
    void runNow();
    void finished();
    void refreshWatches();
    void pollServer();

    std::shared_ptr<RemoteFs> m_remote;
    std::unique_ptr<SyncEngine> m_engine;
    WatchOptions m_watch;
    std::unique_ptr<LocalWatcher> m_watcher;
    QTimer m_debounce;
    QTimer m_poll;
    std::thread m_worker;
    bool m_running = false;
    bool m_pending = false;
    bool m_stopped = false;
    int m_runs = 0;
    std::string m_rootEtag;
};

} // namespace nubo::sync

Q_DECLARE_METATYPE(nubo::sync::SyncSummary)
Q_DECLARE_METATYPE(nubo::sync::SyncError)
