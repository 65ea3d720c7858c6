// "Start Nubo when I log in": an XDG autostart entry ($XDG_CONFIG_HOME/autostart/nubo.desktop),
// which every freedesktop session (GNOME, KDE, Xfce, ...) starts at login. The file is the
// setting: its presence, not a value in nubo.conf, says whether Nubo starts, so removing it by
// hand is understood too.
#pragma once

#include <QString>

namespace nubo::gui {

// $XDG_CONFIG_HOME/autostart/nubo.desktop
QString autostartFile();
bool autostartEnabled();
// Writes the entry (starting `program`, normally the running nubo) or removes it. Returns why it
// could not, or "" when it did.
QString setAutostart(bool enabled, const QString& program);
// The entry's text: a desktop entry that passes desktop-file-validate, Exec quoted as the
// specification asks when the path holds spaces or special characters.
QString autostartEntry(const QString& program);

} // namespace nubo::gui
