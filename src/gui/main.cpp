// nubo, the desktop app. One per session: a second launch brings up the running one's window.
#include "app_controller.h"
#include "app_settings.h"
#include "background.h"
#include "quit_signals.h"
#include "single_instance.h"
#include "translations.h"

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
    nubo::gui::installTranslations(app, nubo::gui::AppSettings().language()); // "": the system's language

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
    nubo::gui::AppController::Options options;
    options.tray = QSystemTrayIcon::isSystemTrayAvailable();
    int status = 0;
    {
        nubo::gui::AppController controller(options);
        QObject::connect(&instance, &nubo::gui::SingleInstance::showRequested, &controller.shell(),
                         &nubo::gui::TrayApp::showSettings);
        std::fprintf(stderr, "nubo: running (%s), settings in %s\n",
                     options.tray ? "in the system tray" : "no system tray: in a window",
                     qPrintable(controller.settings().file()));
        nubo::gui::quitOnTerminationSignals(app);
        controller.start();
        status = app.exec();
    } // the folders stop their runs and threads here
    nubo::gui::finishBackgroundWork();
    std::fprintf(stderr, "nubo: stopped\n");
    return status;
}
