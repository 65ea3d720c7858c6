// One nubo per user session. The first launch takes a lock file and listens on a local socket,
// both in the user's runtime directory; a later launch finds the lock held, asks the running one
// to show its settings window, and exits. A crashed instance leaves a stale lock (QLockFile sees
// that its process is gone) and a stale socket (removed before listening), neither of which
// blocks the next launch.
#pragma once

#include <QLocalServer>
#include <QLockFile>
#include <QObject>
#include <QString>

#include <memory>

namespace nubo::gui {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    // directory: where the lock file and the socket live (the runtime directory; tests pass
    // their own).
    explicit SingleInstance(QString directory, QObject* parent = nullptr);
    ~SingleInstance() override;

    enum class Claim {
        Primary,   // this process is the one nubo; showRequested() fires on later launches
        Signalled, // another one runs and was asked to show its window: exit
        Failed,    // neither (the directory is not writable, or the other one does not answer)
    };
    Claim claim();
    // What went wrong when claim() said Failed.
    QString error() const { return m_error; }

    // The runtime directory ($XDG_RUNTIME_DIR, else a private folder under the temp directory).
    static QString defaultDirectory();

signals:
    void showRequested();

private:
    void readRequest();

    QString m_directory;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer m_server;
    QString m_error;
};

} // namespace nubo::gui
