#include "tray_app.h"

#include <QApplication>
#include <QDesktopServices>
#include <QIcon>
#include <QUrl>

namespace nubo::gui {

TrayApp::TrayApp(bool trayAvailable, QObject* parent) : QObject(parent)
{
    if (trayAvailable) {
        m_menu = std::make_unique<QMenu>();
        m_menu->setAccessibleName(tr("Nubo menu"));
        QAction* settings = m_menu->addAction(tr("&Settings…"), this, &TrayApp::showSettings);
        settings->setObjectName(QStringLiteral("settings"));
        m_menu->addSeparator();
        QAction* quit = m_menu->addAction(tr("&Quit Nubo"), qApp, &QCoreApplication::quit);
        quit->setObjectName(QStringLiteral("quit"));
        m_tray = std::make_unique<QSystemTrayIcon>();
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray.get(), &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                showSettings();
        });
        QApplication::setQuitOnLastWindowClosed(false); // the tray keeps the app
    } else {
        // No tray to come back through: the window is the app.
        QApplication::setQuitOnLastWindowClosed(true);
    }
    updateIcon();
    if (m_tray)
        m_tray->show();
    else
        m_window.bringUp();
}

TrayApp::~TrayApp() = default;

void TrayApp::setState(TrayState state, const QString& lastResult)
{
    m_state = state;
    m_lastResult = lastResult;
    updateIcon();
}

void TrayApp::addFolder(FolderRunner* runner)
{
    const QString name = runner->name();
    FolderStatus& status = m_folders[name];
    status = {};
    status.localPath = runner->localFolder();
    if (m_menu) {
        QMenu* folder = new QMenu(name, m_menu.get());
        folder->setAccessibleName(tr("Folder %1").arg(name));
        folder->addAction(tr("&Open"), this, [runner] {
            QDesktopServices::openUrl(QUrl::fromLocalFile(runner->localFolder()));
        });
        QAction* now = folder->addAction(tr("S&ync now"), runner, &FolderRunner::syncNow);
        now->setObjectName(QStringLiteral("syncNow"));
        QAction* pause = folder->addAction(tr("&Pause"));
        pause->setObjectName(QStringLiteral("pause"));
        connect(pause, &QAction::triggered, this, [this, name] {
            const auto it = m_folders.find(name);
            if (it != m_folders.end())
                emit pauseToggled(it->second.localPath, !it->second.paused);
        });
        m_menu->insertMenu(m_menu->actions().first(), folder);
        status.menu = folder;
        status.pause = pause;
    }
    connect(runner, &FolderRunner::runStarted, this, [this, name] {
        m_folders[name].running = true;
        folderChanged(name, tr("syncing"));
    });
    connect(runner, &FolderRunner::reachable, this, [this, name](bool reachable) {
        m_folders[name].offline = !reachable;
    });
    connect(runner, &FolderRunner::runFinished, this, [this, name](bool ok, const QString& summary) {
        FolderStatus& folder = m_folders[name];
        folder.running = false;
        folder.failed = !ok;
        folderChanged(name, summary);
    });
}

void TrayApp::removeFolder(FolderRunner* runner)
{
    runner->disconnect(this);
    const auto it = m_folders.find(runner->name());
    if (it == m_folders.end())
        return;
    delete it->second.menu;
    m_folders.erase(it);
    folderChanged(runner->name(), tr("removed"));
}

void TrayApp::setFolderPaused(const QString& localPath, bool paused)
{
    for (auto& [name, status] : m_folders) {
        if (status.localPath != localPath)
            continue;
        status.paused = paused;
        if (paused)
            status.running = false;
        if (status.pause)
            status.pause->setText(paused ? tr("&Resume") : tr("&Pause"));
        folderChanged(name, paused ? tr("paused") : tr("resumed"));
    }
}

void TrayApp::folderChanged(const QString& name, const QString& result)
{
    TrayState state = TrayState::Idle;
    bool allPaused = !m_folders.empty();
    bool allOffline = !m_folders.empty();
    for (const auto& [folder, status] : m_folders) {
        allPaused = allPaused && status.paused;
        allOffline = allOffline && (status.offline || status.paused) && !status.running;
        if (status.running)
            state = TrayState::Syncing;
        else if (status.failed && !status.paused && state != TrayState::Syncing)
            state = TrayState::Error;
    }
    if (allPaused)
        state = TrayState::Paused;
    else if (allOffline)
        state = TrayState::Offline; // the server cannot be reached: not an error of the user's
    //: A folder's name, then the result of its last sync run (French: "%1 : %2")
    setState(state, tr("%1: %2").arg(name, result));
}

void TrayApp::showSettings()
{
    m_window.bringUp();
    qInfo("nubo: settings window shown");
}

void TrayApp::updateIcon()
{
    const QIcon icon(trayIconResource(m_state, isDarkPalette(QApplication::palette())));
    m_window.setWindowIcon(icon);
    m_window.setStatus(m_state, m_lastResult);
    if (m_tray) {
        m_tray->setIcon(icon);
        m_tray->setToolTip(trayTooltip(m_state, m_lastResult));
    }
}

} // namespace nubo::gui
