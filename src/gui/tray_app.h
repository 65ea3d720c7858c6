// The app's shell: the tray icon with its menu when the desktop has a tray, the settings window
// otherwise (closing it then quits, as there is no other way back in).
#pragma once

#include "settings_window.h"
#include "tray_state.h"

#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>

#include <memory>

namespace nubo::gui {

class TrayApp : public QObject {
    Q_OBJECT
public:
    // trayAvailable: QSystemTrayIcon::isSystemTrayAvailable() (tests choose).
    explicit TrayApp(bool trayAvailable, QObject* parent = nullptr);
    ~TrayApp() override;

    void setState(TrayState state, const QString& lastResult = {});
    TrayState state() const { return m_state; }

    bool usesTray() const { return m_tray != nullptr; }
    QSystemTrayIcon* tray() const { return m_tray.get(); }
    QMenu* menu() const { return m_menu.get(); }
    SettingsWindow& window() { return m_window; }

public slots:
    void showSettings();

private:
    void updateIcon();

    SettingsWindow m_window;
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    TrayState m_state = TrayState::Idle;
    QString m_lastResult;
};

} // namespace nubo::gui
