#include "single_instance.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>

namespace nubo::gui {

namespace {
constexpr char kShow[] = "show\n";
}

SingleInstance::SingleInstance(QString directory, QObject* parent) : QObject(parent), m_directory(std::move(directory))
{
    connect(&m_server, &QLocalServer::newConnection, this, &SingleInstance::readRequest);
}

SingleInstance::~SingleInstance()
{
    m_server.close();
}

QString SingleInstance::defaultDirectory()
{
    QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty())
        runtime = QDir::tempPath() + QStringLiteral("/nubo-") + qEnvironmentVariable("USER", QStringLiteral("user"));
    return runtime;
}

SingleInstance::Claim SingleInstance::claim()
{
    if (!QDir().mkpath(m_directory)) {
        m_error = QStringLiteral("cannot create the folder %1 for nubo's lock file").arg(m_directory);
        return Claim::Failed;
    }
    const QString socketPath = m_directory + QStringLiteral("/nubo.socket");
    m_lock = std::make_unique<QLockFile>(m_directory + QStringLiteral("/nubo.lock"));
    m_lock->setStaleLockTime(0); // only a lock whose process is gone is stale, however old
    if (m_lock->tryLock(0)) {
        QLocalServer::removeServer(socketPath); // a crashed instance's socket
        m_server.setSocketOptions(QLocalServer::UserAccessOption);
        if (!m_server.listen(socketPath)) {
            m_error = QStringLiteral("cannot listen on %1: %2").arg(socketPath, m_server.errorString());
            return Claim::Failed;
        }
        return Claim::Primary;
    }
    if (m_lock->error() != QLockFile::LockFailedError) {
        m_error = QStringLiteral("cannot use the lock file in %1").arg(m_directory);
        return Claim::Failed;
    }
    // Another nubo holds the lock; it may still be starting, so its socket gets a few seconds.
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        QLocalSocket socket;
        socket.connectToServer(socketPath);
        if (socket.waitForConnected(500)) {
            socket.write(kShow);
            if (socket.waitForBytesWritten(2000)) {
                socket.disconnectFromServer();
                return Claim::Signalled;
            }
        }
        QThread::msleep(100);
    }
    m_error = QStringLiteral("another nubo holds %1/nubo.lock but does not answer on its socket").arg(m_directory);
    return Claim::Failed;
}

void SingleInstance::readRequest()
{
    while (QLocalSocket* socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        const auto read = [this, socket] {
            while (socket->canReadLine()) {
                if (socket->readLine() == kShow)
                    emit showRequested();
            }
        };
        connect(socket, &QLocalSocket::readyRead, this, read);
        read();
    }
}

} // namespace nubo::gui
