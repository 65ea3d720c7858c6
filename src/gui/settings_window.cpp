#include "settings_window.h"

#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace nubo::gui {

SettingsWindow::SettingsWindow(QWidget* parent) : QWidget(parent)
{
    setWindowTitle(tr("Nubo"));
    setObjectName(QStringLiteral("settingsWindow"));
    setAccessibleName(tr("Nubo settings"));
    auto* layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setAccessibleDescription(tr("Sync status"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_status->setFocusPolicy(Qt::StrongFocus); // reachable with the keyboard, read by a screen reader
    layout->addWidget(m_status);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("panes"));
    m_tabs->setAccessibleName(tr("Settings sections"));
    layout->addWidget(m_tabs, 1);
    resize(640, 520);
}

void SettingsWindow::setStatus(TrayState state, const QString& lastResult)
{
    m_status->setText(trayTooltip(state, lastResult));
}

void SettingsWindow::addPane(QWidget* pane, const QString& title)
{
    m_tabs->addTab(pane, title);
}

void SettingsWindow::showPane(QWidget* pane)
{
    m_tabs->setCurrentWidget(pane);
}

QString SettingsWindow::statusText() const
{
    return m_status->text();
}

void SettingsWindow::bringUp()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

} // namespace nubo::gui
