// One sync connection (a local folder and its server folder) on a thread of its own. The thread
// holds the folder's SyncScheduler: it connects the account, watches the local folder (inotify),
// polls the server, and runs the engine on the scheduler's worker; the UI thread only asks for a
// run, a pause or a stop and hears back through queued signals, so it never waits on the network
// or the disk. The engine lives as long as the runner (it keeps the folder's lock).
#pragma once

#include "account.h"
#include "e2ee_identity.h"
#include "folder_watcher.h"
#include "sync_engine.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QDateTime>
#include <QThread>

#include <atomic>
#include <map>
#include <utility>
#include <vector>

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
        // Where this device's end-to-end encryption key is (the encrypted folders sync when it holds
        // one); nullopt: encrypted folders are left alone.
        std::optional<sync::KeyStoreKind> keyStore;
    };

    explicit FolderRunner(Connection connection, QObject* parent = nullptr);
    // Stops a run in progress (transfers notice within moments) and waits for the thread.
    ~FolderRunner() override;

    const QString& name() const { return m_name; }
    const QString& localFolder() const { return m_localFolder; }
    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }
    // A run stopped at the mass-delete guard, and the folder waits for resolveMassDelete().
    bool isWaitingForAnswer() const { return m_waitingForAnswer; }

public slots:
    // Starts a run (and, the first time, the watching); asked while one runs, one more follows.
    void syncNow();
    // Stops the run in progress; the journal and temporary files are made for that.
    void stop();
    // Paused: no run starts and the one in progress stops; resumed: a run starts.
    void setPaused(bool paused);
    // The user's answer to massDeleteQuestion(): one run with it (Delete: the deletions are
    // carried out; Restore: everything that run would delete is brought back on the side that
    // deleted it), then the folder is back to normal, where a mass deletion is asked about
    // again. Refuse runs once as usual (and asks again if the deletion is still there). When
    // paused, the answer waits for the run after resuming. Ignored when no question waits.
    void resolveMassDelete(nubo::sync::MassDeleteDecision decision);

signals:
    void runStarted();
    void planReady(qint64 items, qint64 bytes);
    void itemStarted(const QString& path);
    void transferProgress(qint64 bytesDone, qint64 bytesTotal);
    void itemFinished(const QString& path, bool ok, const QString& message);
    // For the activity list: what was done to the item in words ("Uploaded", "Moved to the trash",
    // "Conflict: both kept", "Not synced"); items that only had their record updated are left out.
    void activity(const QString& path, const QString& what, bool ok, const QString& message);
    // The server could not be reached (true) or could again (false): the tray shows "offline".
    void reachable(bool reachable);
    // Both sides changed a file: the other version was kept as `copy` (for a notification).
    void conflictKept(const QString& path, const QString& copy);
    // ok: the run finished with every item in sync. summary: what it did, or what went wrong.
    void runFinished(bool ok, const QString& summary);
    // The server refused the app password (revoked, changed): runs stop until the user logs in
    // again, rather than being refused over and over.
    void needsLogin(const QString& message);
    // The encrypted folders cannot be trusted (a changed server key or certificate: the pins say
    // otherwise) or the key cannot be read; they are left alone and this says why.
    void encryptionProblem(const QString& message);
    // A run stopped at the mass-delete guard: `total` items were deleted on the server
    // (deletedOnServer) or on this computer, and the run would delete them on the other side.
    // Nothing was changed. `paths` are the first of them in path order (at most 10 000, relative,
    // '/'-separated; a deleted folder is listed with what was in it). The run also ends with
    // runFinished(false, "waiting for your answer: …"), just before this signal. Until
    // resolveMassDelete() is called no run of this folder starts: watching, polling and the
    // retry hold, and syncNow() (or resuming) only emits the question again.
    void massDeleteQuestion(bool deletedOnServer, const QStringList& paths, qint64 total);

private:
    friend class FolderWorker;
    QString m_name;
    QString m_localFolder;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_paused{false};
    std::atomic<bool> m_waitingForAnswer{false};
    QThread m_thread;
    FolderWorker* m_worker = nullptr; // lives on m_thread
};

// What an item report says happened, for the activity list; "" for record-only items.
QString describeItem(const sync::ItemReport& item);

// The encrypted folders a sync connection found locked by another client, and since when: from
// the first run that found each locked until a run no longer does. The server does not say how
// old a lock is, so "since" is when this device first met it.
class LockWatch {
public:
    // After a run: `locked` holds the paths its errors reported as locked. Returns, for each,
    // since when it has been found locked; the others are forgotten.
    std::vector<std::pair<QString, QDateTime>> update(const QStringList& locked, const QDateTime& now);

private:
    std::map<QString, QDateTime> m_since;
};

// The activity text for a lock held by another client: for how long, and what Nubo does meanwhile.
QString describeLock(const QDateTime& since, const QDateTime& now);

// "3 up, 2 down, 1 moved" or "up to date"; failed items and conflicts first.
QString describeRun(const sync::SyncSummary& summary);

} // namespace nubo::gui
