#include "settings_window.h"

#include <QLabel>
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
    m_status->setAccessibleName(tr("Sync status"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_status->setFocusPolicy(Qt::StrongFocus); // reachable with the keyboard, read by a screen reader
    layout->addWidget(m_status);
    layout->addStretch();
    resize(480, 320);
}

void SettingsWindow::setStatus(TrayState state, const QString& lastResult)
{
    m_status->setText(trayTooltip(state, lastResult));
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
