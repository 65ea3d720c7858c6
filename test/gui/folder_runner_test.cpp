// A sync connection run from the app: the engine works on its own thread against a real
// nubo-server while the UI thread keeps turning, and the tray follows (syncing, then the result).
#include "folder_runner.h"
#include "server_process.h"
#include "tray_app.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace nubo::gui {
namespace {

class FolderRunnerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_server.addUser("alice", "secret");
        m_server.start();
    }

    FolderRunner::Connection connection(const QString& name, const fs::path& local)
    {
        FolderRunner::Connection c;
        c.name = name;
        c.account.serverUrl = m_server.baseUrl();
        c.account.user = "alice";
        c.account.password = "secret";
        c.options.localRoot = local;
        c.options.trashFolder = fs::path(m_work.path().toStdString()) / "trash";
        return c;
    }

    fs::path folder(const std::string& name)
    {
        const fs::path path = fs::path(m_work.path().toStdString()) / name;
        fs::create_directories(path);
        return path;
    }

    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    QTemporaryDir m_work;
};

TEST_F(FolderRunnerTest, ARunOnItsOwnThreadSyncsWhileTheUiThreadKeepsTurningAndTheTrayFollows)
{
    const fs::path local = folder("Documents");
    for (int i = 0; i < 300; ++i)
        std::ofstream(local / ("file-" + std::to_string(i) + ".txt")) << "content " << i;
    TrayApp app(true);
    FolderRunner runner(connection(QStringLiteral("Documents"), local));
    app.addFolder(&runner);
    QSignalSpy started(&runner, &FolderRunner::runStarted);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);

    // The UI thread's longest gap between two 5 ms timer ticks while the run works: a stall.
    QElapsedTimer sinceTick;
    qint64 longestGap = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        longestGap = std::max(longestGap, sinceTick.restart());
    });
    sinceTick.start();
    tick.start(5);
    runner.syncNow();
    ASSERT_TRUE(started.wait(10000));
    EXPECT_EQ(app.state(), TrayState::Syncing);
    ASSERT_TRUE(finished.count() > 0 || finished.wait(60000));
    tick.stop();
    ASSERT_EQ(finished.count(), 1);
    EXPECT_TRUE(finished.at(0).at(0).toBool()) << finished.at(0).at(1).toString().toStdString();
    EXPECT_EQ(finished.at(0).at(1).toString(), QStringLiteral("300 up"));
    EXPECT_EQ(app.state(), TrayState::Idle);
    EXPECT_EQ(app.tray()->toolTip(), QStringLiteral("Nubo: up to date\nDocuments: 300 up"));
    std::cout << "longest UI-thread gap while 300 files went up: " << longestGap << " ms\n";
    RecordProperty("longest_ui_gap_ms", std::to_string(longestGap));

    // A second device's folder gets them; "Sync now" from the tray menu runs it.
    const fs::path other = folder("Documents on b");
    FolderRunner second(connection(QStringLiteral("Documents on b"), other));
    app.addFolder(&second);
    QSignalSpy secondFinished(&second, &FolderRunner::runFinished);
    QMenu* secondMenu = nullptr;
    for (QAction* action : app.menu()->actions())
        if (action->menu() && action->text() == QStringLiteral("Documents on b"))
            secondMenu = action->menu();
    ASSERT_NE(secondMenu, nullptr);
    QAction* syncNow = secondMenu->findChild<QAction*>(QStringLiteral("syncNow"));
    ASSERT_NE(syncNow, nullptr);
    syncNow->trigger();
    ASSERT_TRUE(secondFinished.wait(60000));
    EXPECT_EQ(secondFinished.at(0).at(1).toString(), QStringLiteral("300 down"));
    EXPECT_TRUE(fs::exists(other / "file-299.txt"));
}

TEST_F(FolderRunnerTest, AFailedRunShowsAsAnErrorThatNamesTheFolderAndWhatToFix)
{
    TrayApp app(true);
    FolderRunner::Connection c = connection(QStringLiteral("Photos"), folder("Photos"));
    c.account.password = "wrong";
    FolderRunner runner(std::move(c));
    app.addFolder(&runner);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    runner.syncNow();
    ASSERT_TRUE(finished.wait(30000));
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_EQ(app.state(), TrayState::Error);
    EXPECT_TRUE(app.tray()->toolTip().startsWith(QStringLiteral("Nubo: needs your attention\nPhotos: ")))
        << app.tray()->toolTip().toStdString();
}

TEST_F(FolderRunnerTest, DestroyingTheRunnerStopsARunningSync)
{
    const fs::path local = folder("Big");
    {
        std::ofstream out(local / "big.bin", std::ios::binary);
        const std::string block(1 << 20, 'x');
        for (int i = 0; i < 200; ++i)
            out << block;
    }
    auto runner = std::make_unique<FolderRunner>(connection(QStringLiteral("Big"), local));
    QSignalSpy started(runner.get(), &FolderRunner::runStarted);
    runner->syncNow();
    ASSERT_TRUE(started.wait(10000));
    QElapsedTimer timer;
    timer.start();
    runner.reset(); // waits for the thread, having cancelled the run
    std::cout << "a running sync of 200 MiB stopped in " << timer.elapsed() << " ms\n";
}

} // namespace
} // namespace nubo::gui
