// nubo, the desktop app. One per session: a second launch brings up the running one's window.
#include "single_instance.h"
#include "tray_app.h"

#include <QApplication>
#include <QSystemTrayIcon>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Nubo"));
    QApplication::setOrganizationName(QStringLiteral("Nubo"));
    QApplication::setApplicationVersion(QStringLiteral(NUBO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("nubo"));

    nubo::gui::SingleInstance instance(nubo::gui::SingleInstance::defaultDirectory());
    switch (instance.claim()) {
    case nubo::gui::SingleInstance::Claim::Signalled:
        std::fprintf(stderr, "nubo: already running; its window was brought up\n");
        return 0;
    case nubo::gui::SingleInstance::Claim::Failed:
        std::fprintf(stderr, "nubo: %s\n", qPrintable(instance.error()));
        return 1;
    case nubo::gui::SingleInstance::Claim::Primary:
        break;
    }
    const bool tray = QSystemTrayIcon::isSystemTrayAvailable();
    nubo::gui::TrayApp shell(tray);
    QObject::connect(&instance, &nubo::gui::SingleInstance::showRequested, &shell, &nubo::gui::TrayApp::showSettings);
    std::fprintf(stderr, "nubo: running (%s)\n", tray ? "in the system tray" : "no system tray: in a window");
    return app.exec();
}
