#include "tray_state.h"

#include <QCoreApplication>
#include <QPalette>

namespace nubo::gui {

const char* trayStateName(TrayState state)
{
    switch (state) {
    case TrayState::Idle:
        return "idle";
    case TrayState::Syncing:
        return "syncing";
    case TrayState::Paused:
        return "paused";
    case TrayState::Error:
        return "error";
    case TrayState::Offline:
        return "offline";
    }
    return "idle";
}

QString trayIconResource(TrayState state, bool darkPanel)
{
    // A dark panel needs the icon drawn light, and the other way round.
    return QStringLiteral(":/icons/tray-%1-%2.svg")
        .arg(QLatin1String(trayStateName(state)), darkPanel ? QStringLiteral("dark") : QStringLiteral("light"));
}

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString trayTooltip(TrayState state, const QString& lastResult)
{
    QString what;
    switch (state) {
    case TrayState::Idle:
        what = QCoreApplication::translate("Tray", "up to date");
        break;
    case TrayState::Syncing:
        what = QCoreApplication::translate("Tray", "syncing");
        break;
    case TrayState::Paused:
        what = QCoreApplication::translate("Tray", "paused");
        break;
    case TrayState::Error:
        what = QCoreApplication::translate("Tray", "needs your attention");
        break;
    case TrayState::Offline:
        what = QCoreApplication::translate("Tray", "offline");
        break;
    }
    QString tooltip = QCoreApplication::translate("Tray", "Nubo: %1").arg(what);
    if (!lastResult.isEmpty())
        tooltip += QLatin1Char('\n') + lastResult;
    return tooltip;
}

} // namespace nubo::gui
