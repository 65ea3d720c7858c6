// Screenshots of the app's windows as the tests leave them, into the build tree
// (<build>/test/gui/screenshots/NAME.png): what the README shows comes from here.
#pragma once

#include <QDir>
#include <QPixmap>
#include <QString>
#include <QWidget>

namespace nubo::gui::test {

inline bool saveScreenshot(QWidget* widget, const QString& name)
{
    const QString dir = QStringLiteral(QT_TESTCASE_BUILDDIR "/screenshots");
    QDir().mkpath(dir);
    QWidget* window = widget->window();
    window->repaint();
    return window->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

} // namespace nubo::gui::test
