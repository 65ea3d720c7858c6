// What the tray icon shows: one of five states, each with an icon for a light and for a dark
// panel, and a tooltip with the last result. No widgets here, so tests need no tray.
#pragma once

#include <QString>

class QPalette;

namespace nubo::gui {

enum class TrayState { Idle, Syncing, Paused, Error, Offline };

inline constexpr TrayState kTrayStates[] = {TrayState::Idle, TrayState::Syncing, TrayState::Paused,
                                            TrayState::Error, TrayState::Offline};

// "idle", "syncing", "paused", "error", "offline": the icons' file names and log lines use it.
const char* trayStateName(TrayState state);

// The icon resource for a state on a light or a dark panel: ":/icons/tray-<state>-<light|dark>.svg".
QString trayIconResource(TrayState state, bool darkPanel);

// Whether a palette's window colour is dark (the panel then wants the light-drawn icons).
bool isDarkPalette(const QPalette& palette);

// "Nubo: up to date" or "Nubo: syncing", and the last result on a second line when there is one.
QString trayTooltip(TrayState state, const QString& lastResult);

} // namespace nubo::gui
