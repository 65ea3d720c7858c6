#include "folder_runner.h"

#include "webdav_client.h"

#include <chrono>

namespace nubo::gui {

FolderRunner::FolderRunner(Connection connection, QObject* parent)
    : QObject(parent), m_connection(std::move(connection))
{
    m_thread = std::thread([this] { work(); });
}

FolderRunner::~FolderRunner()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_all();
    // A run clears the cancel flag when it starts, so one cancel could land just before it and
    // be lost: keep cancelling until the thread is idle.
    for (;;) {
        std::unique_lock lock(m_mutex);
        if (!m_running)
            break;
        if (m_engine)
            m_engine->cancel();
        m_wake.wait_for(lock, std::chrono::milliseconds(50));
    }
    m_thread.join();
}

bool FolderRunner::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return m_running;
}

void FolderRunner::syncNow()
{
    {
        std::lock_guard lock(m_mutex);
        m_requested = true;
    }
    m_wake.notify_all();
}

void FolderRunner::stop()
{
    std::lock_guard lock(m_mutex);
    m_requested = false;
    if (m_engine)
        m_engine->cancel();
}

void FolderRunner::work()
{
    // The engine is made on this thread and kept: it holds the folder's lock between runs.
    std::unique_ptr<sync::SyncEngine> engine;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_requested || m_quit; });
            if (m_quit)
                break;
            m_requested = false;
            m_running = true;
        }
        emit runStarted();
        const auto [ok, summary] = runOnce(engine);
        {
            std::lock_guard lock(m_mutex);
            m_running = false;
        }
        m_wake.notify_all();
        emit runFinished(ok, summary);
    }
    std::lock_guard lock(m_mutex);
    m_engine = nullptr; // before the engine goes with this scope
}

std::pair<bool, QString> FolderRunner::runOnce(std::unique_ptr<sync::SyncEngine>& engine)
{
    if (!m_account) {
        auto account = sync::Account::connect(m_connection.account);
        if (!account)
            return {false, QString::fromStdString(account.error().message)};
        m_account = *account;
    }
    if (!engine) {
        engine = std::make_unique<sync::SyncEngine>(std::make_shared<sync::WebDavClient>(m_account),
                                                    m_connection.options);
        QObject::connect(engine.get(), &sync::SyncEngine::transferProgress, engine.get(),
                         [this](qint64 done, qint64 total) { emit transferProgress(done, total); },
                         Qt::DirectConnection);
        QObject::connect(
            engine.get(), &sync::SyncEngine::itemFinished, engine.get(),
            [this](const sync::ItemReport& item) {
                emit itemFinished(QString::fromStdString(item.path), item.ok, QString::fromStdString(item.message));
            },
            Qt::DirectConnection);
        std::lock_guard lock(m_mutex);
        m_engine = engine.get();
    }
    auto result = engine->run();
    if (!result) {
        if (result.error().code == sync::SyncErrorCode::Auth)
            m_account.reset(); // connect again next time (a new password)
        return {false, QString::fromStdString(result.error().message)};
    }
    return {result->inSync(), describeRun(*result)};
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
