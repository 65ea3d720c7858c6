// The app's shell on a real X server (Xvfb, which has no system tray): with a tray it lives in
// the tray and its menu; without one it is a window, and closing that quits. The program itself:
// a second launch brings up the first one's window and exits.
#include "tray_app.h"

#include <QAction>
#include <QApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

TEST(TrayApp, WithATrayItStartsInTheTrayWithSettingsAndQuitInItsMenu)
{
    TrayApp app(true);
    ASSERT_TRUE(app.usesTray());
    EXPECT_FALSE(app.window().isVisible());
    EXPECT_FALSE(QApplication::quitOnLastWindowClosed());
    QStringList actions;
    for (const QAction* action : app.menu()->actions())
        if (!action->isSeparator())
            actions << action->objectName();
    EXPECT_EQ(actions, (QStringList{QStringLiteral("settings"), QStringLiteral("quit")}));
    EXPECT_FALSE(app.menu()->accessibleName().isEmpty());

    app.setState(TrayState::Error, QStringLiteral("Photos: 507 Insufficient Storage"));
    EXPECT_EQ(app.tray()->toolTip(), QStringLiteral("Nubo: needs your attention\nPhotos: 507 Insufficient Storage"));
    EXPECT_FALSE(app.tray()->icon().isNull());
    EXPECT_EQ(app.window().statusText(), app.tray()->toolTip());

    app.menu()->actions().first()->trigger(); // Settings…
    EXPECT_TRUE(QTest::qWaitForWindowExposed(&app.window()));
}

TEST(TrayApp, WithoutATrayItIsAWindowAndClosingItQuits)
{
    TrayApp app(false);
    EXPECT_FALSE(app.usesTray());
    EXPECT_TRUE(QTest::qWaitForWindowExposed(&app.window()));
    EXPECT_TRUE(QApplication::quitOnLastWindowClosed());
    EXPECT_FALSE(app.window().accessibleName().isEmpty());
    app.setState(TrayState::Syncing);
    EXPECT_EQ(app.window().statusText(), QStringLiteral("Nubo: syncing"));
    app.window().close();
    EXPECT_FALSE(app.window().isVisible());
}

// Runs nubo with its own runtime and config folders until `line` appears on its stderr.
bool waitForLine(QProcess& process, const QString& line, QString& seen, int ms = 15000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        seen += QString::fromUtf8(process.readAllStandardError());
        if (seen.contains(line))
            return true;
        if (process.state() == QProcess::NotRunning)
            return false;
        process.waitForReadyRead(200);
    }
    return false;
}

TEST(NuboProgram, ASecondLaunchBringsUpTheFirstOnesWindowAndExits)
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.filePath(QStringLiteral("run")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    QDir().mkpath(home.filePath(QStringLiteral("run")));
    QFile::setPermissions(home.filePath(QStringLiteral("run")), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    QProcess first;
    first.setProcessEnvironment(env);
    first.start(QStringLiteral(NUBO_APP_BINARY), {});
    QString firstOutput;
    ASSERT_TRUE(waitForLine(first, QStringLiteral("nubo: running"), firstOutput)) << firstOutput.toStdString();
    // Xvfb has no system tray: the first nubo is a window.
    EXPECT_TRUE(firstOutput.contains(QStringLiteral("no system tray"))) << firstOutput.toStdString();

    QProcess second;
    second.setProcessEnvironment(env);
    second.start(QStringLiteral(NUBO_APP_BINARY), {});
    ASSERT_TRUE(second.waitForFinished(15000));
    EXPECT_EQ(second.exitStatus(), QProcess::NormalExit);
    EXPECT_EQ(second.exitCode(), 0) << second.readAllStandardError().toStdString();
    EXPECT_TRUE(waitForLine(first, QStringLiteral("settings window shown"), firstOutput)) << firstOutput.toStdString();
    EXPECT_EQ(first.state(), QProcess::Running);

    // SIGTERM (a session that ends) stops it as "Quit" does: cleanly, with status 0.
    first.terminate();
    EXPECT_TRUE(first.waitForFinished(10000));
    firstOutput += QString::fromUtf8(first.readAllStandardError());
    EXPECT_EQ(first.exitStatus(), QProcess::NormalExit) << firstOutput.toStdString();
    EXPECT_EQ(first.exitCode(), 0);
    EXPECT_TRUE(firstOutput.contains(QStringLiteral("nubo: stopped"))) << firstOutput.toStdString();
}

} // namespace
} // namespace nubo::gui
