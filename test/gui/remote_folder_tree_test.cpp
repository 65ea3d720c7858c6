// The server tree of a sync connection against a real nubo-server: lock icons on encrypted folders,
// the Encrypt entry's rules (each reason on its own, then on real folders), encrypting an empty
// folder, and selective sync through "Choose what to sync…" in the app.
#include "account.h"
#include "app_controller.h"
#include "e2ee_api_client.h"
#include "remote_folder_tree.h"
#include "screenshot.h"
#include "server_process.h"
#include "webdav_client.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace nubo::gui {
namespace {

constexpr int kWait = 30000;

TEST(EncryptRule, EachReasonWhyAFolderCannotBeEncryptedIsSaid)
{
    EncryptFacts ready{true, true, false, false, true, false};
    EXPECT_TRUE(encryptRule(ready).enabled);
    EXPECT_TRUE(encryptRule(ready).reason.isEmpty());

    auto reason = [](EncryptFacts facts) {
        const EncryptRule rule = encryptRule(facts);
        EXPECT_FALSE(rule.enabled);
        return rule.reason;
    };
    EncryptFacts f = ready;
    f.serverOffersE2ee = false;
    EXPECT_TRUE(reason(f).contains("does not offer end-to-end encryption"));
    f = ready;
    f.encrypted = true;
    EXPECT_TRUE(reason(f).contains("encrypted already"));
    f = ready;
    f.insideEncrypted = true;
    EXPECT_TRUE(reason(f).contains("inside an encrypted folder"));
    f = ready;
    f.setUpHere = false;
    EXPECT_TRUE(reason(f).contains("Set up end-to-end encryption on this computer first"));
    f = ready;
    f.empty = false;
    EXPECT_TRUE(reason(f).contains("Only an empty folder can be encrypted"));
    f = ready;
    f.empty.reset();
    EXPECT_TRUE(reason(f).contains("Checking"));
    f = ready;
    f.isRoot = true;
    EXPECT_TRUE(reason(f).contains("Only a folder inside"));
}

class RemoteFolderTreeTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (const char* old = std::getenv("XDG_DATA_HOME"))
            m_oldDataHome = old;
        ::setenv("XDG_DATA_HOME", m_work.filePath("data").toLocal8Bit().constData(), 1);
        m_server.addUser("alice", "secret");
        m_server.start();
        sync::AccountConfig config;
        config.serverUrl = m_server.baseUrl();
        config.user = "alice";
        config.password = "secret";
        auto account = sync::Account::connect(config);
        ASSERT_TRUE(account) << account.error().message;
        m_account = *account;
        sync::WebDavClient dav(m_account, "");
        for (const char* folder : {"Docs", "Docs/empty", "Docs/full", "Docs/vault"})
            ASSERT_TRUE(dav.makeFolder(folder));
        const fs::path file = fs::path(m_work.path().toStdString()) / "f.txt";
        std::ofstream(file) << "x";
        ASSERT_TRUE(dav.upload("Docs/full/f.txt", file, {}));
    }
    void TearDown() override
    {
        sync::HttpClient::releaseThreadResources();
        if (m_oldDataHome)
            ::setenv("XDG_DATA_HOME", m_oldDataHome->c_str(), 1);
        else
            ::unsetenv("XDG_DATA_HOME");
    }

    // This device's E2EE key (in the private file), and "Docs/vault" encrypted with it.
    void setUpE2ee()
    {
        auto api = sync::E2eeApiClient::forAccount(*m_account);
        ASSERT_TRUE(api);
        auto store = sync::openE2eeKeyStore(*m_account, sync::KeyStoreKind::File);
        ASSERT_TRUE(store) << store.error().message;
        auto created = sync::createE2eeIdentity(*api, m_account->davUser(), *store);
        ASSERT_TRUE(created) << created.error().message;
        sync::WebDavClient dav(m_account, "");
        auto vault = dav.stat("Docs/vault");
        ASSERT_TRUE(vault);
        ASSERT_TRUE(sync::encryptEmptyFolder(*api, created->identity, vault->fileId));
    }

    std::unique_ptr<RemoteFolderTree> tree(bool setUp)
    {
        RemoteFolderTree::Options options;
        options.rootPath = QStringLiteral("/Docs");
        options.checkable = true;
        options.encryptMenu = true;
        options.serverOffersE2ee = m_account->capabilities().e2eeEnabled;
        options.keyStore = sync::KeyStoreKind::File;
        auto view = std::make_unique<RemoteFolderTree>(m_account, options);
        view->setSetUpHere(setUp);
        view->show();
        return view;
    }
    bool open(RemoteFolderTree& view, const QString& path)
    {
        view.list(view.itemFor(path));
        return QTest::qWaitFor([&] { return RemoteFolderTree::isListed(view.itemFor(path)); }, kWait);
    }

    QTemporaryDir m_work;
    std::optional<std::string> m_oldDataHome;
    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    std::shared_ptr<sync::Account> m_account;
};

TEST_F(RemoteFolderTreeTest, EncryptIsOfferedOnlyForAnEmptyPlainFolderOnceE2eeIsSetUpHere)
{
    setUpE2ee();
    auto view = tree(false);
    ASSERT_TRUE(QTest::qWaitFor([&] { return view->itemFor("/Docs/vault") != nullptr; }, kWait));
    EXPECT_TRUE(RemoteFolderTree::isEncrypted(view->itemFor("/Docs/vault"))) << "encrypted folders carry a lock";
    EXPECT_EQ(view->itemFor("/Docs/vault")->toolTip(0), "End-to-end encrypted");
    EXPECT_FALSE(RemoteFolderTree::isEncrypted(view->itemFor("/Docs/empty")));
    ASSERT_TRUE(open(*view, "/Docs/empty"));
    ASSERT_TRUE(open(*view, "/Docs/full"));

    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs/empty")).reason.contains("Set up end-to-end encryption"));
    view->setSetUpHere(true);
    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs/empty")).enabled);
    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs/full")).reason.contains("Only an empty folder"));
    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs/vault")).reason.contains("encrypted already"));
    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs")).reason.contains("Only a folder inside"));
    view->resize(420, 220);
    test::saveScreenshot(view.get(), QStringLiteral("server-tree"));

    QSignalSpy encrypted(view.get(), &RemoteFolderTree::encrypted);
    view->encrypt(view->itemFor("/Docs/empty"));
    ASSERT_TRUE(encrypted.wait(kWait));
    EXPECT_TRUE(encrypted.first().at(1).toBool()) << encrypted.first().at(2).toString().toStdString();
    EXPECT_TRUE(RemoteFolderTree::isEncrypted(view->itemFor("/Docs/empty")));
    sync::WebDavClient dav(m_account, "");
    auto flagged = dav.stat("Docs/empty");
    ASSERT_TRUE(flagged);
    EXPECT_TRUE(flagged->encrypted) << "the server has the folder flagged";
    EXPECT_TRUE(view->encryptRuleFor(view->itemFor("/Docs/empty")).reason.contains("encrypted already"));
}

TEST_F(RemoteFolderTreeTest, AnUntickedFolderIsLeftOutOfTheSyncAndRemembered)
{
    QTemporaryDir config;
    AppSettings seed(config.filePath("nubo.conf"));
    AccountSettings account{QString::fromStdString(m_server.baseUrl()), QStringLiteral("alice"), {}, true};
    seed.setAccount(account);
    sync::FileCredentialStore secrets((seed.directory() + "/secrets.json").toStdString());
    ASSERT_TRUE(secrets.write(account.secretKey(), "secret"));
    const QString local = m_work.filePath("Docs");
    fs::create_directories(local.toStdString());
    seed.setFolders({FolderSettings{local, QStringLiteral("/Docs"), false, {}}});

    AppController::Options options;
    options.settingsFile = config.filePath("nubo.conf");
    options.trashFolder = fs::path(m_work.path().toStdString()) / "trash";
    AppController app(options);
    QSignalSpy connected(&app, &AppController::accountConnected);
    app.start();
    ASSERT_TRUE(connected.wait(kWait));
    QSignalSpy firstRun(app.runner(local), &FolderRunner::runFinished);
    ASSERT_TRUE(QTest::qWaitFor([&] { return fs::exists(fs::path(local.toStdString()) / "full/f.txt"); }, kWait))
        << (firstRun.isEmpty() ? std::string("no run") : firstRun.first().at(1).toString().toStdString());

    app.showFolderTree(local);
    RemoteFolderTree* view = app.folderTree();
    ASSERT_NE(view, nullptr);
    ASSERT_TRUE(QTest::qWaitFor([&] { return view->itemFor("/Docs/full") != nullptr; }, kWait));
    view->itemFor("/Docs/full")->setCheckState(0, Qt::Unchecked);
    EXPECT_EQ(view->uncheckedFolders(), QStringList{"full"});
    app.folderTreeDialog()->accept();
    ASSERT_EQ(app.settings().folders().front().unsyncedFolders, QStringList{"full"});

    // The server's new file in the left-out folder does not come down; elsewhere it does.
    sync::WebDavClient dav(m_account, "");
    const fs::path file = fs::path(m_work.path().toStdString()) / "g.txt";
    std::ofstream(file) << "g";
    ASSERT_TRUE(dav.upload("Docs/full/g.txt", file, {}));
    ASSERT_TRUE(dav.upload("Docs/empty/g.txt", file, {}));
    app.runner(local)->syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return fs::exists(fs::path(local.toStdString()) / "empty/g.txt"); }, kWait));
    EXPECT_FALSE(fs::exists(fs::path(local.toStdString()) / "full/g.txt"));
    EXPECT_TRUE(dav.stat("Docs/full/f.txt")) << "leaving a folder out deletes nothing on the server";

    // The tree opened again shows it unticked.
    app.showFolderTree(local);
    ASSERT_TRUE(QTest::qWaitFor([&] { return app.folderTree()->itemFor("/Docs/full") != nullptr; }, kWait));
    EXPECT_EQ(app.folderTree()->itemFor("/Docs/full")->checkState(0), Qt::Unchecked);
}

} // namespace
} // namespace nubo::gui
