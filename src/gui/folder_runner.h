// One sync connection (a local folder and its server folder) on a thread of its own. The thread
// holds the folder's SyncScheduler: it connects the account, watches the local folder (inotify),
// polls the server, and runs the engine on the scheduler's worker; the UI thread only asks for a
// run, a pause or a stop and hears back through queued signals, so it never waits on the network
// or the disk. The engine lives as long as the runner (it keeps the folder's lock).
#pragma once

#include "account.h"
#include "folder_watcher.h"
#include "sync_engine.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>

namespace nubo::gui {

class FolderWorker;

class FolderRunner : public QObject {
    Q_OBJECT
public:
    struct Connection {
        QString name;                // what the UI calls it ("Documents")
        sync::AccountConfig account; // server, user, password and the server folder (remoteRoot)
        sync::SyncOptions options;   // localRoot and the rest
        bool watch = true;           // run again on local changes and server changes
        sync::WatchOptions watchOptions;
        std::shared_ptr<sync::RemoteFolderHook> folderHook; // end-to-end encryption, when set up
    };

    explicit FolderRunner(Connection connection, QObject* parent = nullptr);
    // Stops a run in progress (transfers notice within moments) and waits for the thread.
    ~FolderRunner() override;

    const QString& name() const { return m_name; }
    const QString& localFolder() const { return m_localFolder; }
    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }

public slots:
    // Starts a run (and, the first time, the watching); asked while one runs, one more follows.
    void syncNow();
    // Stops the run in progress; the journal and temporary files are made for that.
    void stop();
    // Paused: no run starts and the one in progress stops; resumed: a run starts.
    void setPaused(bool paused);

signals:
    void runStarted();
    void planReady(qint64 items, qint64 bytes);
    void itemStarted(const QString& path);
    void transferProgress(qint64 bytesDone, qint64 bytesTotal);
    void itemFinished(const QString& path, bool ok, const QString& message);
    // ok: the run finished with every item in sync. summary: what it did, or what went wrong.
    void runFinished(bool ok, const QString& summary);
    // The server refused the app password (revoked, changed): runs stop until the user logs in
    // again, rather than being refused over and over.
    void needsLogin(const QString& message);

private:
    friend class FolderWorker;
    QString m_name;
    QString m_localFolder;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_paused{false};
    QThread m_thread;
    FolderWorker* m_worker = nullptr; // lives on m_thread
};

// "3 up, 2 down, 1 moved" or "up to date"; failed items and conflicts first.
QString describeRun(const sync::SyncSummary& summary);

} // namespace nubo::gui
