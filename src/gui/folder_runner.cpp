#include "folder_runner.h"

#include "webdav_client.h"

#include <QMetaObject>
#include <QTimer>

namespace nubo::gui {

// The runner's half on its thread: the account, the scheduler, and a retry while the server cannot
// be reached.
class FolderWorker : public QObject {
public:
    FolderWorker(FolderRunner* runner, FolderRunner::Connection connection)
        : m_runner(runner), m_connection(std::move(connection))
    {
        m_retry.setSingleShot(true);
        m_retry.setInterval(std::chrono::seconds(30));
        connect(&m_retry, &QTimer::timeout, this, &FolderWorker::sync);
    }

    void sync()
    {
        if (m_runner->m_paused || m_needsLogin)
            return;
        if (!ensureScheduler())
            return;
        if (!m_started) {
            m_started = true;
            if (m_connection.watch) {
                m_scheduler->start(); // the first run, then whatever changes
                return;
            }
        }
        m_scheduler->syncNow();
    }

    void stopRun()
    {
        if (m_scheduler)
            m_scheduler->engine().cancel();
    }

    void pause(bool paused)
    {
        if (paused) {
            m_retry.stop();
            if (m_scheduler) {
                m_scheduler->stop(); // cancels the run and waits for it
                m_started = false;
            }
        } else {
            sync();
        }
    }

    void shutdown()
    {
        m_retry.stop();
        m_scheduler.reset(); // cancels the run and waits for it
        m_account.reset();
        sync::HttpClient::releaseThreadResources();
    }

private:
    bool ensureScheduler()
    {
        if (m_scheduler)
            return true;
        auto account = sync::Account::connect(m_connection.account);
        if (!account) {
            emit m_runner->runFinished(false, QString::fromStdString(account.error().message));
            if (account.error().code == sync::SyncErrorCode::Auth) {
                m_needsLogin = true;
                emit m_runner->needsLogin(QString::fromStdString(account.error().message));
            } else {
                m_retry.start();
            }
            return false;
        }
        m_account = *account;
        m_scheduler = std::make_unique<sync::SyncScheduler>(std::make_shared<sync::WebDavClient>(m_account),
                                                            m_connection.options, m_connection.watchOptions);
        if (m_connection.folderHook)
            m_scheduler->engine().setFolderHook(m_connection.folderHook);
        FolderRunner* runner = m_runner;
        sync::SyncEngine* engine = &m_scheduler->engine();
        // The engine's signals come from the scheduler's worker: re-emitted right there, they reach
        // the UI thread queued.
        connect(engine, &sync::SyncEngine::planReady, runner, &FolderRunner::planReady, Qt::DirectConnection);
        connect(
            engine, &sync::SyncEngine::itemStarted, engine,
            [runner](const sync::ItemReport& item) { emit runner->itemStarted(QString::fromStdString(item.path)); },
            Qt::DirectConnection);
        connect(engine, &sync::SyncEngine::transferProgress, runner, &FolderRunner::transferProgress,
                Qt::DirectConnection);
        connect(
            engine, &sync::SyncEngine::itemFinished, engine,
            [runner](const sync::ItemReport& item) {
                emit runner->itemFinished(QString::fromStdString(item.path), item.ok,
                                          QString::fromStdString(item.message));
            },
            Qt::DirectConnection);
        connect(m_scheduler.get(), &sync::SyncScheduler::syncStarted, this, [runner] {
            runner->m_running = true;
            emit runner->runStarted();
        });
        connect(m_scheduler.get(), &sync::SyncScheduler::syncFinished, this,
                [runner](const sync::SyncSummary& summary) {
                    runner->m_running = false;
                    emit runner->runFinished(summary.inSync(), describeRun(summary));
                });
        connect(m_scheduler.get(), &sync::SyncScheduler::syncFailed, this, [this, runner](const sync::SyncError& error) {
            runner->m_running = false;
            if (error.code == sync::SyncErrorCode::Cancelled) {
                // Stopped on purpose: what is done is kept, the rest waits for the next run.
                emit runner->runFinished(true, runner->m_paused ? FolderRunner::tr("paused") : FolderRunner::tr("stopped"));
                return;
            }
            emit runner->runFinished(false, QString::fromStdString(error.message));
            if (error.code == sync::SyncErrorCode::Auth) {
                m_needsLogin = true;
                m_scheduler->stop();
                emit runner->needsLogin(QString::fromStdString(error.message));
            }
        });
        return true;
    }

    FolderRunner* m_runner;
    FolderRunner::Connection m_connection;
    std::shared_ptr<sync::Account> m_account;
    std::unique_ptr<sync::SyncScheduler> m_scheduler;
    QTimer m_retry;
    bool m_started = false;
    bool m_needsLogin = false;
};

FolderRunner::FolderRunner(Connection connection, QObject* parent)
    : QObject(parent), m_name(connection.name),
      m_localFolder(QString::fromStdString(connection.options.localRoot.string()))
{
    m_thread.setObjectName(QStringLiteral("folder ") + m_name);
    m_worker = new FolderWorker(this, std::move(connection));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

FolderRunner::~FolderRunner()
{
    FolderWorker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] {
        worker->shutdown();
        QThread::currentThread()->quit();
    });
    m_thread.wait();
}

void FolderRunner::syncNow()
{
    FolderWorker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->sync(); });
}

void FolderRunner::stop()
{
    FolderWorker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->stopRun(); });
}

void FolderRunner::setPaused(bool paused)
{
    m_paused = paused;
    FolderWorker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, paused] { worker->pause(paused); });
}

QString describeRun(const sync::SyncSummary& summary)
{
    QStringList parts;
    if (!summary.errors.empty()) {
        const auto& first = summary.errors.front();
        parts << QObject::tr("%n item(s) not synced", nullptr, static_cast<int>(summary.errors.size())) +
                     QStringLiteral(" (") + QString::fromStdString(first.path) + QStringLiteral(": ") +
                     QString::fromStdString(first.message) + QLatin1Char(')');
    }
    if (summary.conflicts > 0)
        parts << QObject::tr("%n conflict(s) kept as copies", nullptr, static_cast<int>(summary.conflicts));
    if (summary.uploaded > 0)
        parts << QObject::tr("%1 up").arg(summary.uploaded);
    if (summary.downloaded > 0)
        parts << QObject::tr("%1 down").arg(summary.downloaded);
    if (summary.movedLocal + summary.movedRemote > 0)
        parts << QObject::tr("%1 moved").arg(summary.movedLocal + summary.movedRemote);
    if (summary.deletedLocal + summary.deletedRemote > 0)
        parts << QObject::tr("%1 deleted").arg(summary.deletedLocal + summary.deletedRemote);
    return parts.isEmpty() ? QObject::tr("up to date") : parts.join(QStringLiteral(", "));
}

} // namespace nubo::gui
