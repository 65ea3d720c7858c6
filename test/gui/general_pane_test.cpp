// The General pane against the real app: start on login (an XDG autostart entry that passes
// desktop-file-validate), bandwidth limits that hold for all folders together, exclude patterns
// the folders follow without deleting what they leave out, the network proxy with its password
// kept out of the settings file, the language, and "Log out" (the app password revoked).
#include "app_fixture.h"
#include "autostart.h"
#include "general_pane.h"
#include "screenshot.h"
#include "account.h"
#include "account_pane.h"
#include "browser_login.h"
#include "login_flow.h"
#include "webdav_client.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkProxyFactory>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace nubo::gui {
namespace {

class GeneralPaneTest : public test::AppFixture {
protected:
    void SetUp() override
    {
        AppFixture::SetUp();
        // QStandardPaths reads XDG_CONFIG_HOME at each call: the autostart entry goes here.
        m_oldConfigHome = qgetenv("XDG_CONFIG_HOME");
        qputenv("XDG_CONFIG_HOME", m_work.filePath(QStringLiteral("xdg")).toUtf8());
    }
    void TearDown() override
    {
        qputenv("XDG_CONFIG_HOME", m_oldConfigHome);
        // The proxy is process-wide: the next test starts with the system's again.
        ASSERT_TRUE(sync::applyProxySettings({}));
    }

    template <class W>
    W* find(AppController& app, const char* name)
    {
        auto* widget = app.general().findChild<W*>(QString::fromLatin1(name));
        EXPECT_NE(widget, nullptr) << name;
        return widget;
    }

    QByteArray m_oldConfigHome;
};

TEST_F(GeneralPaneTest, StartOnLoginWritesAnAutostartEntryThatValidatesAndUntickingRemovesIt)
{
    AppController app(options());
    app.general().setProgram(QStringLiteral("/opt/My Apps/nubo \"beta\"/nubo"));
    auto* box = find<QCheckBox>(app, "autostart");
    EXPECT_FALSE(box->isChecked());
    box->click();
    ASSERT_TRUE(QFile::exists(autostartFile())) << autostartFile().toStdString();
    EXPECT_TRUE(autostartFile().startsWith(m_work.filePath(QStringLiteral("xdg/autostart/"))));
    QFile entry(autostartFile());
    ASSERT_TRUE(entry.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(entry.readAll());
    EXPECT_TRUE(text.contains(QStringLiteral("Exec=\"/opt/My Apps/nubo \\\\\"beta\\\\\"/nubo\"\n"))) << text.toStdString();
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    ASSERT_FALSE(validator.isEmpty()) << "desktop-file-validate (Debian: desktop-file-utils) is needed";
    QProcess validate;
    validate.start(validator, {autostartFile()});
    ASSERT_TRUE(validate.waitForFinished(30000));
    EXPECT_EQ(validate.exitCode(), 0);
    EXPECT_TRUE(validate.readAll().isEmpty()) << "no error, warning or hint";

    box->click();
    EXPECT_FALSE(QFile::exists(autostartFile()));
    EXPECT_FALSE(autostartEnabled());

    // Where the folder should be, a file (permissions would not stop root): the box says so and
    // stays unticked.
    fs::remove_all(m_work.filePath(QStringLiteral("xdg/autostart")).toStdString());
    std::ofstream(m_work.filePath(QStringLiteral("xdg/autostart")).toStdString()) << "in the way";
    box->click();
    EXPECT_FALSE(box->isChecked());
    auto* error = find<QLabel>(app, "autostartError");
    EXPECT_FALSE(error->isHidden());
    EXPECT_TRUE(error->text().contains(QStringLiteral("cannot make the folder"))) << error->text().toStdString();
}

TEST_F(GeneralPaneTest, AnUploadLimitHoldsForAllFoldersTogether)
{
    configureAccount();
    const QString one = localFolder("One"), two = localFolder("Two");
    setFolders({FolderSettings{one, QStringLiteral("/One"), true, {}},
                FolderSettings{two, QStringLiteral("/Two"), true, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    find<QSpinBox>(app, "uploadLimit")->setValue(64);
    EXPECT_EQ(app.settings().uploadLimitKiB(), 64);
    EXPECT_EQ(app.settings().downloadLimitKiB(), 0);

    // 128 KiB in each folder: with one bucket of 64 KiB/s for both, the 256 KiB take about 4 s;
    // a bucket per folder would let them through in about 2 s.
    const std::string block(128 * 1024, 'x');
    std::ofstream(fs::path(one.toStdString()) / "one.bin", std::ios::binary) << block;
    std::ofstream(fs::path(two.toStdString()) / "two.bin", std::ios::binary) << block;
    QSignalSpy oneDone(app.runner(one), &FolderRunner::runFinished);
    QSignalSpy twoDone(app.runner(two), &FolderRunner::runFinished);
    QElapsedTimer timer;
    timer.start();
    app.setPaused(one, false);
    app.setPaused(two, false);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !oneDone.isEmpty() && !twoDone.isEmpty(); }, kWait));
    const qint64 elapsed = timer.elapsed();
    EXPECT_TRUE(oneDone.first().first().toBool()) << oneDone.first().at(1).toString().toStdString();
    EXPECT_TRUE(twoDone.first().first().toBool()) << twoDone.first().at(1).toString().toStdString();
    EXPECT_GE(elapsed, 3000) << "256 KiB at 64 KiB/s for both folders together";

    // Back to no limit: the settings say 0, and the next upload is not held back.
    find<QSpinBox>(app, "uploadLimit")->setValue(0);
    EXPECT_EQ(app.settings().uploadLimitKiB(), 0);
    EXPECT_EQ(find<QSpinBox>(app, "uploadLimit")->text(), QStringLiteral("No limit"));
}

TEST_F(GeneralPaneTest, ExcludePatternsAreFollowedAndWhatTheyLeaveOutIsNeverDeleted)
{
    configureAccount();
    const QString docs = localFolder("Docs");
    std::ofstream(fs::path(docs.toStdString()) / "a.txt") << "a";
    std::ofstream(fs::path(docs.toStdString()) / "old.bak") << "synced before the pattern";
    setFolders({FolderSettings{docs, QStringLiteral("/Docs"), false, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    sync::WebDavClient dav(app.account(), "Docs");
    ASSERT_TRUE(QTest::qWaitFor([&] { return dav.stat("old.bak").has_value() && dav.stat("a.txt").has_value(); }, kWait));

    auto* patterns = find<QPlainTextEdit>(app, "excludes");
    auto* save = find<QPushButton>(app, "saveExcludes");
    EXPECT_FALSE(save->isEnabled()) << "nothing to save yet";
    patterns->setPlainText(QStringLiteral("# mine\n*.bak\n"));
    ASSERT_TRUE(save->isEnabled());
    save->click();
    auto* status = find<QLabel>(app, "excludesStatus");
    EXPECT_TRUE(status->text().startsWith(QStringLiteral("Saved"))) << status->text().toStdString();
    QFile file(app.settings().excludeFile());
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_EQ(file.readAll(), QByteArray("# mine\n*.bak\n"));

    // The folder started again with the pattern: a new .bak stays here, the old one stays on
    // both sides (deleting it here does not delete it there), and the rest syncs as before.
    FolderRunner* runner = app.runner(docs);
    ASSERT_NE(runner, nullptr);
    QSignalSpy done(runner, &FolderRunner::runFinished);
    std::ofstream(fs::path(docs.toStdString()) / "new.bak") << "left out";
    fs::remove(fs::path(docs.toStdString()) / "old.bak");
    std::ofstream(fs::path(docs.toStdString()) / "b.txt") << "b";
    ASSERT_TRUE(QTest::qWaitFor([&] { return dav.stat("b.txt").has_value(); }, kWait));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !done.isEmpty(); }, kWait));
    runner->syncNow();
    ASSERT_TRUE(QTest::qWaitFor([&] { return done.size() >= 2; }, kWait));
    EXPECT_FALSE(dav.stat("new.bak").has_value());
    EXPECT_TRUE(dav.stat("old.bak").has_value()) << "an excluded file is never deleted on the other side";
    EXPECT_TRUE(fs::exists(fs::path(docs.toStdString()) / "new.bak"));
}

TEST_F(GeneralPaneTest, AManualProxyIsAppliedWithItsPasswordFromTheStoreNeverFromTheSettingsFile)
{
    configureAccount();
    const QUrl away(QStringLiteral("https://cloud.example.org/remote.php/dav"));
    {
        AppController app(options());
        ASSERT_TRUE(startConnected(app));
        find<QRadioButton>(app, "proxyManual")->click();
        auto* apply = find<QPushButton>(app, "applyProxy");
        auto* status = find<QLabel>(app, "proxyStatus");
        // Checked before anything is saved: a host is needed, then a port.
        apply->click();
        EXPECT_TRUE(status->text().contains(QStringLiteral("host name"))) << status->text().toStdString();
        EXPECT_EQ(app.settings().proxy().mode, sync::ProxySettings::Mode::System);
        find<QLineEdit>(app, "proxyHost")->setText(QStringLiteral("proxy.example.org"));
        apply->click();
        EXPECT_TRUE(status->text().contains(QStringLiteral("port"))) << status->text().toStdString();
        find<QSpinBox>(app, "proxyPort")->setValue(3128);
        find<QCheckBox>(app, "proxyAuth")->click();
        find<QLineEdit>(app, "proxyUser")->setText(QStringLiteral("bob"));
        find<QLineEdit>(app, "proxyPassword")->setText(QStringLiteral("proxy secret"));
        QSignalSpy applied(&app, &AppController::proxyApplied);
        apply->click();
        ASSERT_TRUE(applied.wait(kWait));
        EXPECT_EQ(applied.first().first().toString(), QString());
        EXPECT_TRUE(status->text().contains(QStringLiteral("http://bob@proxy.example.org:3128")))
            << status->text().toStdString();
        EXPECT_TRUE(find<QLineEdit>(app, "proxyPassword")->text().isEmpty());
    }
    QFile settings(m_settingsFile);
    ASSERT_TRUE(settings.open(QIODevice::ReadOnly));
    const QByteArray written = settings.readAll();
    EXPECT_TRUE(written.contains("proxy.example.org"));
    EXPECT_FALSE(written.contains("proxy secret")) << "the password is kept with the app password, not here";
    sync::FileCredentialStore store(secretsFile());
    const auto kept = store.read(AppSettings::proxyPasswordKey);
    ASSERT_TRUE(kept && kept->has_value());
    EXPECT_EQ(**kept, "proxy secret");

    // A new start: the proxy comes back with its password read from the store.
    ASSERT_TRUE(sync::applyProxySettings({}));
    {
        AppController app(options());
        QSignalSpy problem(&app, &AppController::accountProblem);
        app.start();
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(away)).first().password() == "proxy secret"; },
            kWait));
        const QNetworkProxy proxy = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(away)).first();
        EXPECT_EQ(proxy.type(), QNetworkProxy::HttpProxy);
        EXPECT_EQ(proxy.hostName(), QStringLiteral("proxy.example.org"));
        EXPECT_EQ(proxy.port(), 3128);
        EXPECT_EQ(proxy.user(), QStringLiteral("bob"));
        EXPECT_TRUE(find<QRadioButton>(app, "proxyManual")->isChecked());

        // "No proxy": direct, at once.
        find<QRadioButton>(app, "proxyNone")->click();
        QSignalSpy applied(&app, &AppController::proxyApplied);
        find<QPushButton>(app, "applyProxy")->click();
        ASSERT_TRUE(!applied.isEmpty() || applied.wait(kWait));
        EXPECT_EQ(QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(away)).first().type(), QNetworkProxy::NoProxy);
        EXPECT_EQ(app.settings().proxy().mode, sync::ProxySettings::Mode::None);
    }
}

TEST_F(GeneralPaneTest, TheLanguageChosenIsSavedForTheNextStart)
{
    AppController app(options());
    auto* language = find<QComboBox>(app, "language");
    EXPECT_EQ(language->currentData().toString(), QString()) << "the system's language by default";
    const int german = language->findData(QStringLiteral("de"));
    ASSERT_GE(german, 0);
    language->setCurrentIndex(german);
    EXPECT_EQ(app.settings().language(), QStringLiteral("de"));
    EXPECT_TRUE(find<QLabel>(app, "languageNote")->text().contains(QStringLiteral("starts again")));
    app.shell().showSettings();
    app.shell().window().showPane(&app.general());
    QTest::qWait(100);
    test::saveScreenshot(&app.shell().window(), QStringLiteral("general"));
}

TEST_F(GeneralPaneTest, LogOutRevokesTheAppPasswordForgetsTheAccountAndOpensTheWizard)
{
    auto flow = sync::LoginFlow::start(m_server.baseUrl());
    ASSERT_TRUE(flow) << flow.error().message;
    ASSERT_EQ(itest::logInWithTheBrowser(flow->loginUrl(), "alice", "secret"), 200);
    auto credentials = flow->poll();
    ASSERT_TRUE(credentials && credentials->has_value());
    const std::string appPassword = (*credentials)->appPassword;
    configureAccount(appPassword);
    const QString docs = localFolder("Docs");
    std::ofstream(fs::path(docs.toStdString()) / "kept.txt") << "kept";
    setFolders({FolderSettings{docs, QStringLiteral("/Docs"), false, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    QSignalSpy done(app.runner(docs), &FolderRunner::runFinished);
    ASSERT_TRUE(done.wait(kWait));

    QSignalSpy loggedOut(&app, &AppController::loggedOut);
    QTimer::singleShot(0, [] { // the confirmation
        for (QWidget* w : QApplication::topLevelWidgets())
            if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible())
                box->button(QMessageBox::Yes)->click();
    });
    app.accountPane().findChild<QPushButton*>(QStringLiteral("logOut"))->click();
    ASSERT_EQ(loggedOut.count(), 1);
    EXPECT_FALSE(app.settings().account().has_value());
    EXPECT_EQ(app.runner(docs), nullptr);
    ASSERT_NE(app.wizard(), nullptr);
    EXPECT_TRUE(app.wizard()->isVisible());
    EXPECT_TRUE(fs::exists(fs::path(docs.toStdString()) / "kept.txt")) << "the files stay";
    // Revoked on the server and removed here.
    sync::AccountConfig config;
    config.serverUrl = m_server.baseUrl();
    config.user = "alice";
    config.password = appPassword;
    EXPECT_TRUE(QTest::qWaitFor([&] {
        auto account = sync::Account::connect(config);
        return !account && account.error().code == sync::SyncErrorCode::Auth;
    }, kWait)) << "the app password no longer opens the account";
    sync::FileCredentialStore store(secretsFile());
    const std::string key =
        AccountSettings{QString::fromStdString(m_server.baseUrl()), QStringLiteral("alice"), {}, true}.secretKey();
    EXPECT_TRUE(QTest::qWaitFor([&] {
        const auto kept = store.read(key);
        return kept && !kept->has_value();
    }, kWait)) << "the app password is removed here";
}

} // namespace
} // namespace nubo::gui
