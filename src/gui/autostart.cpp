#include "autostart.h"

#include <QDir>
#include <QFileInfo>
#include <QObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace nubo::gui {

QString autostartFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/autostart/nubo.desktop");
}

bool autostartEnabled()
{
    return QFileInfo::exists(autostartFile());
}

namespace {
// An Exec argument as the Desktop Entry Specification wants it: plain when it has no reserved
// character, else in double quotes with ", `, $ and \ escaped by a backslash (and every backslash
// doubled once more by the string-value escaping of the file format).
QString execArgument(const QString& argument)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`=%");
    if (std::none_of(argument.begin(), argument.end(), [](QChar c) { return reserved.contains(c); }))
        return argument;
    QString quoted;
    for (QChar c : argument) {
        if (c == QLatin1Char('\\'))
            quoted += QStringLiteral("\\\\\\\\"); // one backslash is four in the file
        else if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$'))
            quoted += QStringLiteral("\\\\") + c;
        else if (c == QLatin1Char('%'))
            quoted += QStringLiteral("%%"); // a literal percent sign
        else
            quoted += c;
    }
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}
} // namespace

QString autostartEntry(const QString& program)
{
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Nubo\n"
                          "Comment=Sync your files with Nextcloud, with end-to-end encrypted folders\n"
                          "Exec=%1\n"
                          "Icon=nubo\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(execArgument(program));
}

QString setAutostart(bool enabled, const QString& program)
{
    const QString file = autostartFile();
    if (enabled && (program.contains(QLatin1Char('\n')) || program.contains(QLatin1Char('\r'))))
        return QObject::tr("Nubo's path holds a line break, which an autostart entry cannot hold: move Nubo to a "
                           "plainer path.");
    if (!enabled) {
        if (QFileInfo::exists(file) && !QFile::remove(file))
            return QObject::tr("Nubo cannot remove %1: remove it by hand, or check its permissions.").arg(file);
        return {};
    }
    if (!QDir().mkpath(QFileInfo(file).absolutePath()))
        return QObject::tr("Nubo cannot make the folder %1: check its permissions.").arg(QFileInfo(file).absolutePath());
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(autostartEntry(program).toUtf8()) < 0 || !out.commit())
        return QObject::tr("Nubo cannot write %1 (%2): check the folder's permissions and free space.")
            .arg(file, out.errorString());
    return {};
}

} // namespace nubo::gui
