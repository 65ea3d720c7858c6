// The app as a whole against a real nubo-server: an empty configuration starts the wizard, whose
// end leads to "Add a folder"; a configured account starts its folders; folders are added through
// the dialog (with its checks), paused and removed, and the settings file follows; a revoked app
// password is a banner that asks for a new login.
#include "account_pane.h"
#include "activity_pane.h"
#include "add_folder_dialog.h"
#include "app_controller.h"
#include "app_fixture.h"
#include "mass_delete_dialog.h"
#include "webdav_client.h"
#include "browser_login.h"
#include "screenshot.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace nubo::gui {
namespace {

class AppControllerTest : public test::AppFixture {};

TEST_F(AppControllerTest, AnEmptyConfigurationStartsTheWizardWhoseEndLeadsToAddingAFolder)
{
    AppController app(options());
    app.start();
    ASSERT_NE(app.wizard(), nullptr);
    EXPECT_TRUE(app.wizard()->isVisible());
    auto* url = app.wizard()->findChild<QLineEdit*>(QStringLiteral("serverUrl"));
    QTest::keyClicks(url, QString::fromStdString(m_server.baseUrl()));
    QSignalSpy loginReady(app.wizard()->loginPage(), &LoginPage::loginUrlReady);
    app.wizard()->next();
    ASSERT_TRUE(loginReady.wait(kWait)) << app.wizard()->serverPage()->errorText().toStdString();
    ASSERT_EQ(m_opened.size(), 1);
    ASSERT_EQ(itest::logInWithTheBrowser(m_opened.first().toString().toStdString(), "alice", "secret"), 200);
    QSignalSpy loggedIn(app.wizard()->loginPage(), &LoginPage::loggedIn);
    auto* useFile = app.wizard()->findChild<QPushButton*>(QStringLiteral("useSecretFile"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return loggedIn.count() > 0 || useFile->isVisible(); }, kWait))
        << app.wizard()->loginPage()->errorText().toStdString();
    // Without a keychain (no Secret Service in this test's session) the wizard offers the private file.
    if (loggedIn.count() == 0) {
        useFile->click();
        ASSERT_TRUE(loggedIn.wait(kWait)) << app.wizard()->loginPage()->errorText().toStdString();
    }
    QSignalSpy connected(&app, &AppController::accountConnected);
    app.wizard()->button(QWizard::FinishButton)->click();
    ASSERT_TRUE(connected.wait(kWait));
    ASSERT_TRUE(app.settings().account());
    EXPECT_EQ(app.settings().account()->user, "alice");
    ASSERT_NE(app.addFolderDialog(), nullptr) << "a new account goes on to its first folder";
    EXPECT_TRUE(app.addFolderDialog()->isVisible());
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return RemoteFolderTree::isListed(app.addFolderDialog()->tree()->topLevelItem(0)); }, kWait));
    test::saveScreenshot(app.addFolderDialog(), QStringLiteral("add-folder"));
}

TEST_F(AppControllerTest, FoldersAreAddedCheckedPausedAndRemovedAndTheSettingsFollow)
{
    configureAccount();
    const QString docs = localFolder("Docs");
    std::ofstream(fs::path(docs.toStdString()) / "a.txt") << "a";
    setFolders({FolderSettings{docs, QStringLiteral("/Documents"), false, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    EXPECT_NE(app.encryptionPane(), nullptr) << "the encryption pane comes with the account";
    FolderRunner* first = app.runner(docs);
    ASSERT_NE(first, nullptr);
    QSignalSpy firstDone(first, &FolderRunner::runFinished);
    ASSERT_TRUE(firstDone.wait(kWait));
    EXPECT_TRUE(firstDone.first().first().toBool()) << firstDone.first().at(1).toString().toStdString();
    EXPECT_TRUE(app.folders().row(docs)->statusText().startsWith("1 up")) << app.folders().row(docs)->statusText().toStdString();
    EXPECT_TRUE(QTest::qWaitFor([&] { return app.activity().rows().contains("Uploaded|Docs|a.txt"); }, kWait))
        << app.activity().rows().join(", ").toStdString();

    // A second connection, through the dialog: the server's folders are listed level by level.
    app.showAddFolder();
    AddFolderDialog* dialog = app.addFolderDialog();
    ASSERT_NE(dialog, nullptr);
    ASSERT_TRUE(QTest::qWaitFor([&] { return RemoteFolderTree::isListed(dialog->tree()->topLevelItem(0)); }, kWait));
    ASSERT_TRUE(dialog->selectRemote(QStringLiteral("/Documents")));
    QSignalSpy checked(dialog, &AddFolderDialog::checked);
    dialog->setLocalPath(docs + QStringLiteral("/inside"));
    dialog->accept();
    ASSERT_TRUE(checked.wait(kWait));
    EXPECT_FALSE(checked.last().first().toBool());
    EXPECT_TRUE(dialog->errorText().contains("is already synced")) << dialog->errorText().toStdString();

    const QString copy = m_work.filePath(QStringLiteral("Docs copy")); // made by the check
    dialog->setLocalPath(copy);
    QSignalSpy added(&app, &AppController::folderAdded);
    dialog->accept();
    ASSERT_TRUE(added.wait(kWait)) << dialog->errorText().toStdString();
    EXPECT_EQ(app.settings().folders().size(), 2u);
    EXPECT_TRUE(QTest::qWaitFor([&] { return fs::exists(fs::path(copy.toStdString()) / "a.txt"); }, kWait));
    app.shell().showSettings();
    QTest::qWait(200);
    test::saveScreenshot(&app.shell().window(), QStringLiteral("folders"));

    // Paused: the settings, the row and the tray say so, and nothing comes in.
    app.setPaused(copy, true);
    EXPECT_TRUE(app.settings().folders().back().paused);
    EXPECT_EQ(app.folders().row(copy)->statusText(), "Paused");
    std::ofstream(fs::path(docs.toStdString()) / "b.txt") << "b";
    QTest::qWait(2000);
    EXPECT_FALSE(fs::exists(fs::path(copy.toStdString()) / "b.txt"));
    app.setPaused(copy, false);
    EXPECT_TRUE(QTest::qWaitFor([&] { return fs::exists(fs::path(copy.toStdString()) / "b.txt"); }, kWait));

    // Removed: the files stay, the settings forget it; a restart starts only the other one.
    app.removeFolder(copy);
    EXPECT_EQ(app.runner(copy), nullptr);
    EXPECT_EQ(app.folders().row(copy), nullptr);
    ASSERT_EQ(app.settings().folders().size(), 1u);
    EXPECT_TRUE(fs::exists(fs::path(copy.toStdString()) / "b.txt"));
}

TEST_F(AppControllerTest, AMassDeletionOnTheServerIsAskedAboutAndRestoreBringsTheFilesBack)
{
    configureAccount();
    const QString docs = localFolder("Docs");
    for (int i = 0; i < 12; ++i)
        std::ofstream(fs::path(docs.toStdString()) / ("f" + std::to_string(i) + ".txt")) << i;
    setFolders({FolderSettings{docs, QStringLiteral("/Docs"), false, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    QSignalSpy done(app.runner(docs), &FolderRunner::runFinished);
    ASSERT_TRUE(done.wait(kWait));
    ASSERT_TRUE(done.first().first().toBool()) << done.first().at(1).toString().toStdString();

    sync::WebDavClient dav(app.account(), "Docs");
    for (int i = 0; i < 12; ++i)
        ASSERT_TRUE(dav.remove("f" + std::to_string(i) + ".txt", std::nullopt, ""));
    QSignalSpy asked(&app, &AppController::massDeleteAsked);
    app.runner(docs)->syncNow();
    ASSERT_TRUE(asked.wait(kWait));
    auto* dialog = qobject_cast<MassDeleteDialog*>(asked.first().first().value<QDialog*>());
    ASSERT_NE(dialog, nullptr);
    EXPECT_TRUE(dialog->question()->text().contains("12")) << dialog->question()->text().toStdString();
    test::saveScreenshot(dialog, QStringLiteral("mass-delete"));
    EXPECT_TRUE(fs::exists(fs::path(docs.toStdString()) / "f0.txt")) << "nothing happens before the answer";

    dialog->restoreButton()->click();
    EXPECT_TRUE(QTest::qWaitFor([&] { return dav.stat("f11.txt").has_value(); }, kWait)) << "restored on the server";
    EXPECT_TRUE(fs::exists(fs::path(docs.toStdString()) / "f11.txt"));
}

TEST_F(AppControllerTest, ARevokedAppPasswordAtStartIsABannerAskingForANewLogin)
{
    configureAccount("not the password any more");
    setFolders({FolderSettings{localFolder("Docs"), QStringLiteral("/"), false, {}}});
    AppController app(options());
    QSignalSpy problem(&app, &AppController::accountProblem);
    app.start();
    ASSERT_TRUE(problem.wait(kWait));
    EXPECT_TRUE(app.accountPane().problemText().contains("Log in again")) << app.accountPane().problemText().toStdString();
    EXPECT_EQ(app.runner(app.settings().folders().front().localPath), nullptr) << "no folder runs against a refusal";
    EXPECT_EQ(app.shell().state(), TrayState::Error);
}

} // namespace
} // namespace nubo::gui
