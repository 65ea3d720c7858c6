// A mass deletion met by a sync connection of the app, against a real nubo-server: the runner
// asks instead of failing, holds the folder (no watching, polling or "Sync now" run) until the
// user answers, and then runs once with the answer.
#include "folder_runner.h"
#include "server_process.h"
#include "webdav_client.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace nubo::gui {
namespace {

std::string readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

class MassDeleteRunnerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_server.addUser("alice", "secret");
        m_server.start();
    }

    fs::path work() const { return fs::path(m_work.path().toStdString()); }
    fs::path trash() const { return work() / "trash"; }

    FolderRunner::Connection connection(const QString& name, bool watch)
    {
        FolderRunner::Connection c;
        c.name = name;
        c.account.serverUrl = m_server.baseUrl();
        c.account.user = "alice";
        c.account.password = "secret";
        c.options.localRoot = work() / name.toStdString();
        c.options.trashFolder = trash();
        c.watch = watch;
        c.watchOptions.debounce = std::chrono::milliseconds(200);
        c.watchOptions.pollInterval = std::chrono::milliseconds(300);
        fs::create_directories(c.options.localRoot);
        return c;
    }

    // 15 files and a folder "docs" with "docs/a.txt" and "docs/sub/b.txt": 19 items.
    static void fill(const fs::path& root)
    {
        for (int i = 0; i < 15; ++i)
            std::ofstream(root / ("file-" + std::to_string(100 + i) + ".txt")) << "content " << i;
        fs::create_directories(root / "docs/sub");
        std::ofstream(root / "docs/a.txt") << "a";
        std::ofstream(root / "docs/sub/b.txt") << "b";
    }

    // What another device does: the folder and the first 12 files go (16 of 19 items).
    static std::vector<std::string> deletedByTheOtherDevice()
    {
        std::vector<std::string> paths{"docs"};
        for (int i = 0; i < 12; ++i)
            paths.push_back("file-" + std::to_string(100 + i) + ".txt");
        return paths;
    }

    static QStringList expectedList()
    {
        QStringList list{QStringLiteral("docs"), QStringLiteral("docs/a.txt"), QStringLiteral("docs/sub"),
                         QStringLiteral("docs/sub/b.txt")};
        for (int i = 0; i < 12; ++i)
            list << QStringLiteral("file-%1.txt").arg(100 + i);
        return list;
    }

    std::shared_ptr<sync::WebDavClient> dav()
    {
        if (!m_dav) {
            sync::AccountConfig config;
            config.serverUrl = m_server.baseUrl();
            config.user = "alice";
            config.password = "secret";
            auto account = sync::Account::connect(config);
            EXPECT_TRUE(account.has_value());
            m_dav = std::make_shared<sync::WebDavClient>(*account);
        }
        return m_dav;
    }

    bool onServer(const std::string& path) { return dav()->stat(path).has_value(); }

    // The other device's deletions, all of them before the runner looks: a watching runner is
    // paused meanwhile (a poll between two of the DELETEs would see only some of them, few
    // enough to be carried out), and its resume runs. One that does not watch runs when asked.
    void deleteOnServer(FolderRunner& runner, bool watching)
    {
        if (watching)
            runner.setPaused(true);
        for (const std::string& path : deletedByTheOtherDevice())
            ASSERT_TRUE(dav()->remove(path).has_value()) << path;
        if (watching)
            runner.setPaused(false);
        else
            runner.syncNow();
    }

    // Synced once, then the other device deletes; the runner's next run asks.
    void syncThenDeleteOnServer(FolderRunner& runner, bool watching, QSignalSpy& finished, QSignalSpy& question)
    {
        runner.syncNow();
        ASSERT_TRUE(finished.wait(30000));
        ASSERT_TRUE(finished.last().at(0).toBool()) << finished.last().at(1).toString().toStdString();
        ASSERT_TRUE(onServer("docs/sub/b.txt"));
        deleteOnServer(runner, watching);
        ASSERT_TRUE(question.count() > 0 || question.wait(30000));
        ASSERT_EQ(question.count(), 1);
        EXPECT_TRUE(question.at(0).at(0).toBool()) << "deleted on the server";
        EXPECT_EQ(question.at(0).at(1).toStringList(), expectedList());
        EXPECT_EQ(question.at(0).at(2).toLongLong(), 16);
        EXPECT_FALSE(finished.last().at(0).toBool());
        EXPECT_EQ(finished.last().at(1).toString(), QStringLiteral("waiting for your answer: 16 items deleted on the server"));
        EXPECT_TRUE(runner.isWaitingForAnswer());
    }

    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    QTemporaryDir m_work;
    std::shared_ptr<sync::WebDavClient> m_dav;
};

TEST_F(MassDeleteRunnerTest, ADeletionOnTheServerIsAskedAboutHoldsTheFolderAndRestoreUploadsThemAgain)
{
    FolderRunner::Connection c = connection(QStringLiteral("Documents"), true);
    const fs::path local = c.options.localRoot;
    fill(local);
    FolderRunner runner(std::move(c));
    QSignalSpy started(&runner, &FolderRunner::runStarted);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    QSignalSpy question(&runner, &FolderRunner::massDeleteQuestion);
    syncThenDeleteOnServer(runner, true, finished, question);

    // Waiting: several poll intervals, a local change and "Sync now" start no run.
    const qsizetype runs = started.count();
    ASSERT_EQ(finished.count(), runs);
    QTest::qWait(1200);
    std::ofstream(local / "written-while-waiting.txt") << "new";
    QTest::qWait(800);
    runner.syncNow();
    EXPECT_TRUE(question.count() == 2 || question.wait(5000)) << "Sync now asks again";
    QTest::qWait(500);
    EXPECT_EQ(started.count(), runs) << "no run while the question waits";
    EXPECT_TRUE(fs::exists(local / "docs/sub/b.txt"));
    EXPECT_TRUE(fs::exists(local / "file-100.txt"));
    EXPECT_FALSE(fs::exists(trash() / "files"));
    EXPECT_FALSE(onServer("file-100.txt"));
    EXPECT_FALSE(onServer("written-while-waiting.txt"));

    // Restore: they go up again (and what was written meanwhile with them).
    runner.resolveMassDelete(sync::MassDeleteDecision::Restore);
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > runs && !runner.isRunning(); }, 30000));
    EXPECT_TRUE(finished.at(runs).at(0).toBool()) << finished.at(runs).at(1).toString().toStdString();
    EXPECT_FALSE(runner.isWaitingForAnswer());
    for (const std::string path : {"docs", "docs/a.txt", "docs/sub/b.txt", "file-100.txt", "file-111.txt",
                                    "file-114.txt", "written-while-waiting.txt"})
        EXPECT_TRUE(onServer(path)) << path;
    EXPECT_EQ(readFile(local / "docs/sub/b.txt"), "b");
    EXPECT_FALSE(fs::exists(trash() / "files"));

    // Back to normal: watching again, and a new mass deletion is asked about again.
    std::ofstream(local / "after.txt") << "after";
    EXPECT_TRUE(QTest::qWaitFor([&] { return onServer("after.txt"); }, 30000)) << "watching again";
    deleteOnServer(runner, true);
    EXPECT_TRUE(QTest::qWaitFor([&] { return question.count() >= 3; }, 30000)) << "asked again";
    EXPECT_TRUE(runner.isWaitingForAnswer());
    EXPECT_TRUE(fs::exists(local / "file-100.txt"));
}

TEST_F(MassDeleteRunnerTest, DeleteMovesWhatTheServerDeletedToTheTrashHere)
{
    FolderRunner::Connection c = connection(QStringLiteral("Photos"), false); // runs only when asked
    const fs::path local = c.options.localRoot;
    fill(local);
    FolderRunner runner(std::move(c));
    QSignalSpy started(&runner, &FolderRunner::runStarted);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    QSignalSpy question(&runner, &FolderRunner::massDeleteQuestion);
    syncThenDeleteOnServer(runner, false, finished, question);
    const qsizetype runs = started.count();
    ASSERT_EQ(finished.count(), runs);
    runner.syncNow();
    QTest::qWait(1000);
    EXPECT_EQ(started.count(), runs) << "no run while the question waits";
    EXPECT_TRUE(fs::exists(local / "file-100.txt"));

    runner.resolveMassDelete(sync::MassDeleteDecision::Delete);
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > runs && !runner.isRunning(); }, 30000));
    EXPECT_TRUE(finished.last().at(0).toBool()) << finished.last().at(1).toString().toStdString();
    EXPECT_EQ(finished.last().at(1).toString(), QStringLiteral("13 deleted"));
    EXPECT_FALSE(fs::exists(local / "docs"));
    EXPECT_FALSE(fs::exists(local / "file-100.txt"));
    EXPECT_TRUE(fs::exists(local / "file-114.txt"));
    EXPECT_EQ(readFile(trash() / "files" / "docs" / "sub" / "b.txt"), "b");
    EXPECT_EQ(readFile(trash() / "files" / "file-100.txt"), "content 0");
    EXPECT_FALSE(onServer("file-100.txt")) << "nothing restored";

    // The next run is an ordinary one.
    runner.syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > runs + 1 && !runner.isRunning(); }, 30000));
    EXPECT_EQ(finished.last().at(1).toString(), QStringLiteral("up to date"));
    EXPECT_EQ(question.count(), 2);
}

} // namespace
} // namespace nubo::gui
