// One sync connection (a local folder and its server folder) whose engine runs on a thread of its
// own: the UI thread asks for a run and hears back through queued signals, so it never waits on
// the network or the disk. The engine lives as long as the runner (it keeps the folder's lock).
#pragma once

#include "account.h"
#include "sync_engine.h"

#include <QObject>
#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace nubo::gui {

class FolderRunner : public QObject {
    Q_OBJECT
public:
    struct Connection {
        QString name;                // what the UI calls it ("Documents")
        sync::AccountConfig account; // server, user, password and the server folder (remoteRoot)
        sync::SyncOptions options;   // localRoot and the rest
    };

    explicit FolderRunner(Connection connection, QObject* parent = nullptr);
    // Stops a run in progress (transfers notice within moments) and waits for the thread.
    ~FolderRunner() override;

    const QString& name() const { return m_connection.name; }
    QString localFolder() const { return QString::fromStdString(m_connection.options.localRoot.string()); }
    bool isRunning() const;

public slots:
    // Starts a run; asked while one runs, one more follows it (what changed meanwhile).
    void syncNow();
    // Stops the run in progress; the journal and temporary files are made for that.
    void stop();

signals:
    void runStarted();
    void transferProgress(qint64 bytesDone, qint64 bytesTotal);
    void itemFinished(const QString& path, bool ok, const QString& message);
    // ok: the run finished with every item in sync. summary: what it did, or what went wrong.
    void runFinished(bool ok, const QString& summary);

private:
    void work();
    std::pair<bool, QString> runOnce(std::unique_ptr<sync::SyncEngine>& engine);

    Connection m_connection;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_requested = false;
    bool m_running = false;
    bool m_quit = false;
    std::shared_ptr<sync::Account> m_account; // the worker's
    sync::SyncEngine* m_engine = nullptr;      // the worker's, while it exists
    std::thread m_thread;
};

// "3 up, 2 down, 1 moved" or "up to date"; failed items and conflicts first.
QString describeRun(const sync::SyncSummary& summary);

} // namespace nubo::gui
