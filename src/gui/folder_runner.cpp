#include "folder_runner.h"

#include "e2ee_folder_hook.h"
#include "webdav_client.h"

#include <QLocale>
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
        if (m_question) {
            askAgain();
            return;
        }
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

    void resolveMassDelete(sync::MassDeleteDecision decision)
    {
        if (!m_question || !m_scheduler)
            return;
        m_question.reset();
        m_runner->m_waitingForAnswer = false;
        m_scheduler->engine().decideMassDeleteForNextRun(decision);
        if (m_runner->m_paused)
            return; // the run after resuming gets it
        if (m_connection.watch && !m_started) {
            m_started = true;
            m_scheduler->start(); // watching again, and the run right away
            return;
        }
        m_scheduler->syncNow();
    }

    void shutdown()
    {
        m_retry.stop();
        m_scheduler.reset(); // cancels the run and waits for it
        m_account.reset();
        sync::HttpClient::releaseThreadResources();
    }

private:
    // A run stopped at the mass-delete guard: nothing runs until the user answers.
    void holdForAnswer(std::shared_ptr<const sync::MassDeleteReport> report)
    {
        m_question = std::move(report);
        m_runner->m_waitingForAnswer = true;
        m_retry.stop();
        if (m_connection.watch && m_started) {
            m_scheduler->stop(); // no local change or server poll starts a run meanwhile
            m_started = false;
        }
        const qint64 total = m_question->total;
        emit m_runner->runFinished(false, m_question->deletedOnServer
                                              ? FolderRunner::tr("waiting for your answer: %n item(s) deleted on "
                                                                 "the server", nullptr, static_cast<int>(total))
                                              : FolderRunner::tr("waiting for your answer: %n item(s) deleted on "
                                                                 "this computer", nullptr, static_cast<int>(total)));
        askAgain();
    }

    void askAgain()
    {
        QStringList paths;
        paths.reserve(static_cast<qsizetype>(m_question->paths.size()));
        for (const std::string& path : m_question->paths)
            paths << QString::fromStdString(path);
        emit m_runner->massDeleteQuestion(m_question->deletedOnServer, paths, m_question->total);
    }

    bool ensureScheduler()
    {
        if (m_scheduler)
            return true;
        // A connection's server folder may not exist before its first sync (nubocmd --path does
        // the same); gone after earlier syncs, it is not made again. Checked while the
        // capabilities are read.
        std::optional<sync::Result<bool>> root;
        auto account = sync::Account::connect(m_connection.account, [&](const std::shared_ptr<const sync::Account>& a) {
            root = sync::ensureRemoteRoot(a, m_connection.options.localRoot);
        });
        if (!account) {
            if (account.error().code == sync::SyncErrorCode::Network)
                emit m_runner->reachable(false);
            emit m_runner->runFinished(false, QString::fromStdString(account.error().message));
            if (account.error().code == sync::SyncErrorCode::Auth) {
                m_needsLogin = true;
                emit m_runner->needsLogin(QString::fromStdString(account.error().message));
            } else {
                m_retry.start();
            }
            return false;
        }
        if (root && !*root) {
            emit m_runner->runFinished(false, QString::fromStdString(root->error().message));
            if (root->error().retryable())
                m_retry.start();
            return false;
        }
        m_account = *account;
        m_scheduler = std::make_unique<sync::SyncScheduler>(std::make_shared<sync::WebDavClient>(m_account),
                                                            m_connection.options, m_connection.watchOptions);
        if (m_connection.keyStore) {
            sync::E2eeSetup e2ee = sync::e2eeSetupFor(m_account, m_connection.keyStore);
            if (e2ee.problem)
                emit m_runner->encryptionProblem(QString::fromStdString(e2ee.problem->message));
            sync::useFolderHook(m_scheduler->engine(), std::move(e2ee.hook));
        }
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
                if (item.ok && item.kind == sync::ActionKind::Conflict)
                    emit runner->conflictKept(QString::fromStdString(item.path),
                                              QString::fromStdString(item.conflictCopy));
                // A lock held by another client is reported once per run, with its age (below).
                if (item.code == sync::SyncErrorCode::Locked && !item.ok)
                    return;
                if (const QString what = describeItem(item); !what.isEmpty())
                    emit runner->activity(QString::fromStdString(item.path), what, item.ok,
                                          QString::fromStdString(item.ok ? item.conflictCopy : item.message));
            },
            Qt::DirectConnection);
        connect(m_scheduler.get(), &sync::SyncScheduler::syncStarted, this, [runner] {
            runner->m_running = true;
            emit runner->runStarted();
        });
        connect(m_scheduler.get(), &sync::SyncScheduler::syncFinished, this,
                [this, runner](const sync::SyncSummary& summary) {
                    runner->m_running = false;
                    emit runner->reachable(true);
                    QStringList locked;
                    for (const sync::ItemReport& error : summary.errors)
                        if (error.code == sync::SyncErrorCode::Locked)
                            locked << QString::fromStdString(error.path);
                    const QDateTime now = QDateTime::currentDateTime();
                    for (const auto& [path, since] : m_locks.update(locked, now))
                        emit runner->activity(path, FolderRunner::tr("Locked by another client"), false,
                                              describeLock(since, now));
                    emit runner->runFinished(summary.inSync(), describeRun(summary));
                });
        connect(m_scheduler.get(), &sync::SyncScheduler::syncFailed, this, [this, runner](const sync::SyncError& error) {
            runner->m_running = false;
            if (error.code == sync::SyncErrorCode::Cancelled) {
                // Stopped on purpose: what is done is kept, the rest waits for the next run.
                emit runner->runFinished(true, runner->m_paused ? FolderRunner::tr("paused") : FolderRunner::tr("stopped"));
                return;
            }
            if (error.code == sync::SyncErrorCode::MassDelete && error.massDelete) {
                holdForAnswer(error.massDelete);
                return;
            }
            emit runner->reachable(error.code != sync::SyncErrorCode::Network);
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
    LockWatch m_locks;
    QTimer m_retry;
    bool m_started = false;
    bool m_needsLogin = false;
    std::shared_ptr<const sync::MassDeleteReport> m_question; // while waiting for the user's answer
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

void FolderRunner::resolveMassDelete(sync::MassDeleteDecision decision)
{
    FolderWorker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, decision] { worker->resolveMassDelete(decision); });
}

QString describeItem(const sync::ItemReport& item)
{
    if (!item.ok)
        return FolderRunner::tr("Not synced");
    switch (item.kind) {
    case sync::ActionKind::Upload: return FolderRunner::tr("Uploaded");
    case sync::ActionKind::Download: return FolderRunner::tr("Downloaded");
    case sync::ActionKind::MakeRemoteFolder: return FolderRunner::tr("Folder made on the server");
    case sync::ActionKind::MakeLocalFolder: return FolderRunner::tr("Folder made here");
    case sync::ActionKind::MoveRemote: return FolderRunner::tr("Moved on the server");
    case sync::ActionKind::MoveLocal: return FolderRunner::tr("Moved here");
    case sync::ActionKind::DeleteRemote: return FolderRunner::tr("Deleted on the server");
    case sync::ActionKind::DeleteLocal: return FolderRunner::tr("Deleted here");
    case sync::ActionKind::Conflict: return FolderRunner::tr("Conflict, both versions kept");
    case sync::ActionKind::Error: return FolderRunner::tr("Not synced");
    case sync::ActionKind::UpdateJournal:
    case sync::ActionKind::ForgetJournal: return {};
    }
    return {};
}

std::vector<std::pair<QString, QDateTime>> LockWatch::update(const QStringList& locked, const QDateTime& now)
{
    std::map<QString, QDateTime> still;
    std::vector<std::pair<QString, QDateTime>> result;
    for (const QString& path : locked) {
        const auto known = m_since.find(path);
        const QDateTime since = known == m_since.end() ? now : known->second;
        if (still.emplace(path, since).second)
            result.emplace_back(path, since);
    }
    m_since = std::move(still);
    return result;
}

QString describeLock(const QDateTime& since, const QDateTime& now)
{
    const qint64 minutes = since.secsTo(now) / 60;
    const QString held = minutes < 1    ? FolderRunner::tr("since moments ago")
                         : minutes < 60 ? FolderRunner::tr("for %n minute(s)", nullptr, static_cast<int>(minutes))
                                        : FolderRunner::tr("for %n hour(s)", nullptr, static_cast<int>(minutes / 60));
    //: %1: "for 12 minutes" or "since moments ago"; %2: the time it was first found locked
    return FolderRunner::tr("Another client (another of your devices, or someone the folder is shared with) holds "
                            "the lock of this encrypted folder while it changes it: found locked %1 (first at %2). "
                            "Nubo changes nothing in it until the lock is released: your files here stay as they "
                            "are and go up at the first sync after that. Nubo tries again by itself, waiting a "
                            "little longer each time; the rest of the folder syncs as usual. A lock that stays for hours was left by a client that "
                            "stopped half-way; it is released when that client syncs again.")
        .arg(held, QLocale().toString(since.time(), QLocale::ShortFormat));
}

QString describeRun(const sync::SyncSummary& summary)
{
    QStringList parts;
    if (!summary.errors.empty()) {
        const auto& first = summary.errors.front();
        //: %1 is the first item's path, %2 why it was not synced
        parts << QObject::tr("%n item(s) not synced (%1: %2)", nullptr, static_cast<int>(summary.errors.size()))
                     .arg(QString::fromStdString(first.path), QString::fromStdString(first.message));
    }
    if (summary.conflicts > 0)
        parts << QObject::tr("%n conflict(s) kept as copies", nullptr, static_cast<int>(summary.conflicts));
    if (summary.uploaded > 0)
        parts << QObject::tr("%n up", "items uploaded", static_cast<int>(summary.uploaded));
    if (summary.downloaded > 0)
        parts << QObject::tr("%n down", "items downloaded", static_cast<int>(summary.downloaded));
    if (summary.movedLocal + summary.movedRemote > 0)
        parts << QObject::tr("%n moved", "items", static_cast<int>(summary.movedLocal + summary.movedRemote));
    if (summary.deletedLocal + summary.deletedRemote > 0)
        parts << QObject::tr("%n deleted", "items", static_cast<int>(summary.deletedLocal + summary.deletedRemote));
    return parts.isEmpty() ? QObject::tr("up to date") : parts.join(QObject::tr(", ", "between the parts of a sync result"));
}

} // namespace nubo::gui
