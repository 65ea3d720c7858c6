// A sync connection run from the app: the engine works on its own thread against a real
// nubo-server while the UI thread keeps turning, and the tray follows (syncing, then the result).
#include "folder_runner.h"
#include "browser_login.h"
#include "e2ee_api_client.h"
#include "e2ee_folder_hook.h"
#include "e2ee_identity.h"
#include "webdav_client.h"
#include "login_flow.h"
#include "server_process.h"
#include "tray_app.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
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
    // What the tray shows when the run starts (both of its signals may arrive in one turn of the
    // event loop on a busy machine, so it is read right there).
    std::optional<TrayState> stateWhileRunning;
    QObject::connect(&runner, &FolderRunner::runStarted, &app, [&] { stateWhileRunning = app.state(); });
    runner.syncNow();
    ASSERT_TRUE(started.wait(10000));
    ASSERT_TRUE(finished.count() > 0 || finished.wait(60000));
    EXPECT_TRUE(QTest::qWaitFor([&] { return stateWhileRunning.has_value(); }, 5000));
    EXPECT_EQ(stateWhileRunning, TrayState::Syncing);
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

TEST_F(FolderRunnerTest, AServerThatCannotBeReachedShowsAsOfflineNotAsAnError)
{
    TrayApp app(true);
    FolderRunner::Connection c = connection(QStringLiteral("Photos"), folder("Photos"));
    m_server.stop();
    FolderRunner runner(std::move(c));
    app.addFolder(&runner);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    runner.syncNow();
    ASSERT_TRUE(finished.wait(30000));
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_TRUE(QTest::qWaitFor([&] { return app.state() == TrayState::Offline; }, 5000))
        << static_cast<int>(app.state()) << " " << app.tray()->toolTip().toStdString();
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

TEST_F(FolderRunnerTest, AWatchedFolderFollowsBothSidesAndAPauseHoldsEverythingUntilResumed)
{
    auto watched = [&](const QString& name) {
        FolderRunner::Connection c = connection(name, folder(name.toStdString()));
        c.watchOptions.debounce = std::chrono::milliseconds(200);
        c.watchOptions.pollInterval = std::chrono::milliseconds(300);
        return c;
    };
    FolderRunner a(watched(QStringLiteral("a")));
    FolderRunner b(watched(QStringLiteral("b")));
    QSignalSpy aFinished(&a, &FolderRunner::runFinished);
    QSignalSpy bFinished(&b, &FolderRunner::runFinished);
    a.syncNow();
    b.syncNow();
    ASSERT_TRUE(aFinished.wait(30000));
    ASSERT_TRUE(bFinished.count() > 0 || bFinished.wait(30000));
    const fs::path aRoot = a.localFolder().toStdString(), bRoot = b.localFolder().toStdString();
    const auto waitFor = [](const std::function<bool()>& done) {
        return QTest::qWaitFor(done, 30000);
    };

    // A local change goes up by itself (inotify), and reaches the other side by itself (its poll).
    std::ofstream(aRoot / "from-a.txt") << "a";
    EXPECT_TRUE(waitFor([&] { return fs::exists(bRoot / "from-a.txt"); }));

    // Paused, b takes nothing in; resumed, it catches up.
    EXPECT_TRUE(waitFor([&] { return bFinished.count() >= 2 && !b.isRunning(); })) << "the run that took it in";
    b.setPaused(true);
    EXPECT_TRUE(b.isPaused());
    QTest::qWait(100);
    const int bRuns = bFinished.count();
    std::ofstream(aRoot / "while-b-paused.txt") << "a";
    std::ofstream(bRoot / "written-in-b-while-paused.txt") << "b";
    QTest::qWait(2500); // a's upload (debounce 200 ms), then several of b's poll intervals
    EXPECT_FALSE(fs::exists(bRoot / "while-b-paused.txt"));
    EXPECT_EQ(bFinished.count(), bRuns) << "no run while paused";
    b.setPaused(false);
    EXPECT_TRUE(waitFor([&] { return fs::exists(bRoot / "while-b-paused.txt"); }));
    EXPECT_TRUE(waitFor([&] { return fs::exists(aRoot / "written-in-b-while-paused.txt"); }));
    for (qsizetype i = bRuns; i < bFinished.count(); ++i)
        EXPECT_NE(bFinished.at(i).at(1).toString(), QStringLiteral("stopped")) << "the pause does not stop a later run";
}

TEST_F(FolderRunnerTest, ARevokedAppPasswordAsksForALoginOnceInsteadOfRetrying)
{
    // An app password of alice's, as the wizard would have stored it.
    auto flow = sync::LoginFlow::start(m_server.baseUrl());
    ASSERT_TRUE(flow) << flow.error().message;
    ASSERT_EQ(itest::logInWithTheBrowser(flow->loginUrl(), "alice", "secret"), 200);
    auto credentials = flow->poll();
    ASSERT_TRUE(credentials && credentials->has_value());
    FolderRunner::Connection c = connection(QStringLiteral("Notes"), folder("Notes"));
    c.account.password = (*credentials)->appPassword;
    c.watchOptions.pollInterval = std::chrono::milliseconds(200);
    FolderRunner runner(c);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    QSignalSpy needsLogin(&runner, &FolderRunner::needsLogin);
    runner.syncNow();
    ASSERT_TRUE(finished.wait(30000));
    ASSERT_TRUE(finished.at(0).at(0).toBool()) << finished.at(0).at(1).toString().toStdString();

    // Revoked in the web interface (here: Nextcloud's endpoint, with the app password itself).
    auto account = sync::Account::connect(c.account);
    ASSERT_TRUE(account);
    ASSERT_TRUE((*account)->ocs().revokeAppPassword());

    std::ofstream(fs::path(runner.localFolder().toStdString()) / "note.txt") << "x";
    ASSERT_TRUE(needsLogin.wait(30000));
    const int runs = finished.count();
    EXPECT_FALSE(finished.last().at(0).toBool());
    QTest::qWait(1500); // several poll intervals and a local change: nothing runs
    std::ofstream(fs::path(runner.localFolder().toStdString()) / "note2.txt") << "x";
    runner.syncNow();
    QTest::qWait(500);
    EXPECT_EQ(needsLogin.count(), 1);
    EXPECT_EQ(finished.count(), runs) << "no run against a refused password";
}

TEST(LockWatch, SaysSinceWhenAFolderHasBeenFoundLockedAndForgetsItOnceFree)
{
    LockWatch watch;
    const QDateTime first = QDateTime::currentDateTime();
    auto found = watch.update({QStringLiteral("vault")}, first);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].second, first);
    found = watch.update({QStringLiteral("vault"), QStringLiteral("vault")}, first.addSecs(25 * 60));
    ASSERT_EQ(found.size(), 1u) << "one entry per folder";
    EXPECT_EQ(found[0].second, first) << "since the first run that found it";
    EXPECT_TRUE(describeLock(found[0].second, first.addSecs(25 * 60)).contains(QStringLiteral("for 25 minutes")));
    EXPECT_TRUE(describeLock(first, first.addSecs(3 * 3600)).contains(QStringLiteral("for 3 hours")));
    EXPECT_TRUE(describeLock(first, first.addSecs(10)).contains(QStringLiteral("since moments ago")));
    EXPECT_TRUE(describeLock(first, first.addSecs(60)).contains(QStringLiteral("for 1 minute ")))
        << "English has its plural forms (translations/nubo_en.ts)";
    EXPECT_TRUE(watch.update({}, first.addSecs(26 * 60)).empty());
    found = watch.update({QStringLiteral("vault")}, first.addSecs(40 * 60));
    EXPECT_EQ(found[0].second, first.addSecs(40 * 60)) << "released in between: a new lock";
}

TEST_F(FolderRunnerTest, AnEncryptedFolderLockedByAnotherClientIsInTheActivityWithWhatNuboDoes)
{
    // This device's key (in the private key file under a temporary XDG_DATA_HOME) and an encrypted
    // folder "vault", synced once.
    const QByteArray oldDataHome = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", m_work.filePath(QStringLiteral("data")).toUtf8());
    const auto restore = qScopeGuard([&] { qputenv("XDG_DATA_HOME", oldDataHome); });
    FolderRunner::Connection c = connection(QStringLiteral("Docs"), folder("Docs"));
    c.keyStore = sync::KeyStoreKind::File;
    std::string vaultId;
    std::shared_ptr<sync::E2eeApiClient> api;
    {
        auto account = sync::Account::connect(c.account);
        ASSERT_TRUE(account) << account.error().message;
        auto client = sync::E2eeApiClient::forAccount(**account);
        ASSERT_TRUE(client);
        api = std::make_shared<sync::E2eeApiClient>(std::move(*client));
        auto store = sync::openE2eeKeyStore(**account, sync::KeyStoreKind::File);
        ASSERT_TRUE(store) << store.error().message;
        auto created = sync::createE2eeIdentity(*api, (*account)->davUser(), *store);
        ASSERT_TRUE(created) << created.error().message;
        sync::WebDavClient dav(*account, "");
        ASSERT_TRUE(dav.makeFolder("vault"));
        auto vault = dav.stat("vault");
        ASSERT_TRUE(vault);
        vaultId = vault->fileId;
        ASSERT_TRUE(sync::encryptEmptyFolder(*api, created->identity, vaultId));
    }
    c.options.maxRetries = 0;
    c.options.backoffBaseSeconds = 0; // the release is tried at once, not after the error's back-off
    FolderRunner runner(c);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    QSignalSpy activity(&runner, &FolderRunner::activity);
    runner.syncNow();
    ASSERT_TRUE(finished.wait(30000));
    ASSERT_TRUE(finished.last().at(0).toBool()) << finished.last().at(1).toString().toStdString();

    // Another client takes the lock; a file put in the folder here must wait for it.
    auto token = api->lock(vaultId, 50);
    ASSERT_TRUE(token) << token.error().message;
    const fs::path waiting = fs::path(runner.localFolder().toStdString()) / "vault" / "waiting.txt";
    std::ofstream(waiting) << "waits for the lock";
    activity.clear();
    runner.syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.size() >= 2; }, 30000));
    QStringList locked;
    for (const QList<QVariant>& entry : activity)
        if (entry.at(1).toString() == QStringLiteral("Locked by another client"))
            locked << entry.at(3).toString();
    ASSERT_EQ(locked.size(), 1) << "once per run and folder";
    EXPECT_TRUE(locked[0].contains(QStringLiteral("since moments ago"))) << locked[0].toStdString();
    EXPECT_TRUE(locked[0].contains(QStringLiteral("tries again by itself"))) << locked[0].toStdString();
    EXPECT_TRUE(fs::exists(waiting));

    // Released: the next run takes the file up, and the lock is no longer reported.
    ASSERT_TRUE(api->unlock(vaultId, *token, true));
    activity.clear();
    runner.syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.size() >= 3; }, 30000));
    EXPECT_TRUE(finished.last().at(0).toBool()) << finished.last().at(1).toString().toStdString();
    bool uploaded = false;
    for (const QList<QVariant>& entry : activity) {
        EXPECT_NE(entry.at(1).toString(), QStringLiteral("Locked by another client"));
        uploaded = uploaded || (entry.at(0).toString() == QStringLiteral("vault/waiting.txt") &&
                                entry.at(1).toString() == QStringLiteral("Uploaded"));
    }
    EXPECT_TRUE(uploaded);
}

TEST_F(FolderRunnerTest, AServerFolderThatDisappearsIsReportedAndNothingHereIsTouched)
{
    const fs::path local = folder("Docs");
    std::ofstream(local / "a.txt") << "a";
    fs::create_directories(local / "sub");
    std::ofstream(local / "sub" / "b.txt") << "b";
    FolderRunner::Connection c = connection(QStringLiteral("Docs"), local);
    c.account.remoteRoot = "/Docs";
    FolderRunner runner(c);
    QSignalSpy finished(&runner, &FolderRunner::runFinished);
    runner.syncNow();
    ASSERT_TRUE(finished.wait(30000));
    ASSERT_TRUE(finished.last().at(0).toBool()) << finished.last().at(1).toString().toStdString();

    // The server folder is deleted (in the web interface, by another client) while the app runs.
    auto account = sync::Account::connect(connection(QStringLiteral("Docs"), local).account);
    ASSERT_TRUE(account) << account.error().message;
    sync::WebDavClient dav(*account, "");
    ASSERT_TRUE(dav.remove("Docs", std::nullopt, ""));
    std::ofstream(local / "c.txt") << "written meanwhile";
    runner.syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.size() >= 2 && !runner.isRunning(); }, 30000));
    EXPECT_FALSE(finished.last().at(0).toBool());
    const QString message = finished.last().at(1).toString();
    EXPECT_TRUE(message.contains(QStringLiteral("gone"))) << "[" << message.toStdString() << "]";
    EXPECT_TRUE(fs::exists(local / "a.txt"));
    EXPECT_TRUE(fs::exists(local / "sub" / "b.txt"));
    EXPECT_TRUE(fs::exists(local / "c.txt"));
    EXPECT_FALSE(dav.stat("Docs").has_value()) << "not made again behind the user's back";
    EXPECT_FALSE(fs::exists(fs::path(m_work.path().toStdString()) / "trash" / "a.txt")) << "nothing to the trash";
}

} // namespace
} // namespace nubo::gui
