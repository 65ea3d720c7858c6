// The long-running mode (GUI, `nubocmd sync --watch`): sync once, then again whenever the local
// folder changes (inotify, debounced) or the server's root ETag changes (polled). A change seen
// during a run schedules one more run after it. inotify is used directly rather than through
// QFileSystemWatcher because that one does not report writes into existing files, and because
// the event's name lets the journal's and the engine's own temporary files be ignored (otherwise
// every run would wake the next one).
#pragma once

#include "sync_engine.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

class QSocketNotifier;

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
    void watchFolder(const std::string& relative);
    void readEvents();
    void pollServer();

    std::shared_ptr<RemoteFs> m_remote;
    std::unique_ptr<SyncEngine> m_engine;
    WatchOptions m_watch;
    int m_inotify = -1;
    QSocketNotifier* m_notifier = nullptr;
    std::unordered_map<int, std::string> m_watches; // watch descriptor -> relative folder
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
