// The app's shell: the tray icon with its menu when the desktop has a tray, the settings window
// otherwise (closing it then quits, as there is no other way back in).
#pragma once

#include "folder_runner.h"
#include "settings_window.h"
#include "tray_state.h"

#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>

#include <map>
#include <memory>

namespace nubo::gui {

class TrayApp : public QObject {
    Q_OBJECT
public:
    // trayAvailable: QSystemTrayIcon::isSystemTrayAvailable() (tests choose).
    explicit TrayApp(bool trayAvailable, QObject* parent = nullptr);
    ~TrayApp() override;

    void setState(TrayState state, const QString& lastResult = {});
    // A sync connection: its runs drive the state (syncing while any runs, an error while any
    // last run failed), and the tray menu gets "Open" and "Sync now" for it.
    void addFolder(FolderRunner* runner);
    void removeFolder(FolderRunner* runner);
    // The folder's "Pause"/"Resume" follows this (the app decides, the menu asks through pauseToggled).
    void setFolderPaused(const QString& localPath, bool paused);
    TrayState state() const { return m_state; }

    bool usesTray() const { return m_tray != nullptr; }
    QSystemTrayIcon* tray() const { return m_tray.get(); }
    QMenu* menu() const { return m_menu.get(); }
    SettingsWindow& window() { return m_window; }

public slots:
    void showSettings();

signals:
    void pauseToggled(const QString& localPath, bool paused);

private:
    void updateIcon();

    SettingsWindow m_window;
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    void folderChanged(const QString& name, const QString& result);

    struct FolderStatus {
        bool running = false;
        bool failed = false;
        bool paused = false;
        bool offline = false;
        QString localPath;
        QMenu* menu = nullptr;
        QAction* pause = nullptr;
    };
    TrayState m_state = TrayState::Idle;
    QString m_lastResult;
    std::map<QString, FolderStatus> m_folders;
};

} // namespace nubo::gui
