#include "tray_app.h"

#include <QApplication>
#include <QIcon>

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
