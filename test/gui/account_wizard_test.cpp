// The account wizard against a real nubo-server: a wrong or unreachable address, a self-signed
// certificate accepted by its fingerprint, Login Flow v2 completed by the "browser" (played over
// HTTP when nubo opens the login page), an app password typed in, and a keychain that fails.
#include "account.h"
#include "account_wizard.h"
#include "browser_login.h"
#include "screenshot.h"
#include "server_process.h"
#include "test_certificate.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QClipboard>
#include <QGroupBox>
#include <QLabel>
#include <QGuiApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

constexpr int kWait = 20000;

// A keychain that is missing (fault injection: the real one is tested in the CLI's keychain test).
class MissingKeychain final : public sync::CredentialStore {
public:
    sync::Result<std::optional<std::string>> read(const std::string&) override { return missing(); }
    sync::Result<void> write(const std::string&, const std::string&) override { return missing(); }
    sync::Result<void> remove(const std::string&) override { return missing(); }

private:
    static std::unexpected<sync::SyncError> missing()
    {
        return std::unexpected(sync::SyncError{sync::SyncErrorCode::Config,
                                               "no Secret Service is running on the session bus"});
    }
};

class AccountWizardTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_server.addUser("alice", "secret");
        m_server.start();
        m_settings = std::make_unique<AppSettings>(m_config.filePath(QStringLiteral("nubo.conf")));
        m_wizard = std::make_unique<AccountWizard>(*m_settings);
        m_wizard->loginPage()->setPollInterval(std::chrono::milliseconds(200));
        // The private file stands in for the keychain unless a test says otherwise.
        m_wizard->loginPage()->setSecretStoreFactory([this](const AccountSettings&) {
            return std::make_unique<sync::FileCredentialStore>(m_config.filePath("secrets.json").toStdString());
        });
        m_wizard->loginPage()->setUrlOpener([this](const QUrl& url) {
            m_opened << url;
            return true;
        });
        m_wizard->show();
    }

    void typeServer(const QString& url)
    {
        auto* field = m_wizard->findChild<QLineEdit*>(QStringLiteral("serverUrl"));
        field->clear();
        QTest::keyClicks(field, url);
    }
    bool next()
    {
        QSignalSpy checked(m_wizard->serverPage(), &ServerPage::checkFinished);
        m_wizard->next();
        return checked.wait(kWait) && checked.first().first().toBool();
    }

    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    QTemporaryDir m_config;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<AccountWizard> m_wizard;
    QList<QUrl> m_opened;
};

// A web server that is not Nextcloud: every request gets the same HTML page.
class PlainWebServer : public QTcpServer {
public:
    PlainWebServer()
    {
        listen(QHostAddress::LocalHost);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    socket->readAll();
                    const QByteArray page = "<html><body>Welcome to nginx!</body></html>";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: " +
                                  QByteArray::number(page.size()) + "\r\n\r\n" + page);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(serverPort()); }
};

TEST_F(AccountWizardTest, AnAddressThatIsNotNextcloudOrNotReachableSaysWhatToCheck)
{
    PlainWebServer web;
    typeServer(web.url());
    EXPECT_FALSE(next());
    EXPECT_EQ(m_wizard->currentPage(), m_wizard->serverPage());
    EXPECT_TRUE(m_wizard->serverPage()->errorText().contains("Check that this is the address of a Nextcloud server"))
        << m_wizard->serverPage()->errorText().toStdString();

    typeServer(QStringLiteral("http://127.0.0.1:1"));
    EXPECT_FALSE(next());
    EXPECT_TRUE(m_wizard->serverPage()->errorText().contains("this computer is online"))
        << m_wizard->serverPage()->errorText().toStdString();

    typeServer(QStringLiteral("ftp://example.org"));
    EXPECT_FALSE(next());
    EXPECT_TRUE(m_wizard->serverPage()->errorText().contains("is not an http:// or https:// URL"))
        << m_wizard->serverPage()->errorText().toStdString();
    EXPECT_EQ(m_wizard->currentPage(), m_wizard->serverPage());
}

TEST_F(AccountWizardTest, TheBrowserLoginEndsWithTheAppPasswordStoredAndTheAccountHandedOver)
{
    // A pasted address of the web interface works too.
    typeServer(QString::fromStdString(m_server.baseUrl()) + "/index.php/apps/files/");
    QSignalSpy urlReady(m_wizard->loginPage(), &LoginPage::loginUrlReady);
    ASSERT_TRUE(next()) << m_wizard->serverPage()->errorText().toStdString();
    EXPECT_EQ(m_wizard->currentPage(), m_wizard->loginPage());
    EXPECT_EQ(m_wizard->serverPage()->serverUrl().toStdString(), m_server.baseUrl());
    ASSERT_TRUE(urlReady.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    ASSERT_EQ(m_opened.size(), 1) << "the browser is opened at the login page by itself";
    EXPECT_EQ(m_opened.first().toString(), m_wizard->loginPage()->loginUrl());
    EXPECT_FALSE(m_wizard->button(QWizard::FinishButton)->isEnabled()) << "not before the login";
    test::saveScreenshot(m_wizard.get(), QStringLiteral("wizard-login"));

    m_wizard->findChild<QPushButton*>(QStringLiteral("copyLink"))->click();
    EXPECT_EQ(QGuiApplication::clipboard()->text(), m_wizard->loginPage()->loginUrl());

    ASSERT_EQ(itest::logInWithTheBrowser(m_wizard->loginPage()->loginUrl().toStdString(), "alice", "secret"), 200);
    QSignalSpy loggedIn(m_wizard->loginPage(), &LoginPage::loggedIn);
    ASSERT_TRUE(loggedIn.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    EXPECT_TRUE(m_wizard->loginPage()->statusText().contains("Logged in as alice"));
    EXPECT_TRUE(m_wizard->button(QWizard::FinishButton)->isEnabled());

    QSignalSpy ready(m_wizard.get(), &AccountWizard::accountReady);
    m_wizard->button(QWizard::FinishButton)->click();
    ASSERT_EQ(ready.size(), 1);
    const auto account = ready.first().first().value<AccountSettings>();
    EXPECT_EQ(account.user, "alice");
    EXPECT_EQ(account.serverUrl.toStdString(), m_server.baseUrl());
    EXPECT_FALSE(account.secretsInFile);
    sync::FileCredentialStore store(m_config.filePath("secrets.json").toStdString());
    auto secret = store.read(account.secretKey());
    ASSERT_TRUE(secret && secret->has_value());
    EXPECT_NE(**secret, "secret") << "an app password of its own, not the user's password";
    sync::AccountConfig config;
    config.serverUrl = m_server.baseUrl();
    config.user = "alice";
    config.password = **secret;
    EXPECT_TRUE(sync::Account::connect(config));
}

TEST_F(AccountWizardTest, AWrongAppPasswordIsRefusedAndARightOneLogsIn)
{
    typeServer(QString::fromStdString(m_server.baseUrl()));
    ASSERT_TRUE(next());
    m_wizard->findChild<QPushButton*>(QStringLiteral("useAppPassword"))->click();
    ASSERT_TRUE(m_wizard->findChild<QGroupBox*>(QStringLiteral("appPasswordPanel"))->isVisible());
    QTest::keyClicks(m_wizard->findChild<QLineEdit*>(QStringLiteral("user")), QStringLiteral("alice"));
    auto* password = m_wizard->findChild<QLineEdit*>(QStringLiteral("appPassword"));
    EXPECT_EQ(password->echoMode(), QLineEdit::Password);
    QTest::keyClicks(password, QStringLiteral("wrong"));
    QSignalSpy failed(m_wizard->loginPage(), &LoginPage::failed);
    m_wizard->findChild<QPushButton*>(QStringLiteral("logIn"))->click();
    ASSERT_TRUE(failed.wait(kWait));
    EXPECT_TRUE(m_wizard->loginPage()->errorText().contains("refused this user name and app password"))
        << m_wizard->loginPage()->errorText().toStdString();
    EXPECT_FALSE(m_wizard->button(QWizard::FinishButton)->isEnabled());

    password->clear();
    QTest::keyClicks(password, QStringLiteral("secret"));
    QSignalSpy loggedIn(m_wizard->loginPage(), &LoginPage::loggedIn);
    m_wizard->findChild<QPushButton*>(QStringLiteral("logIn"))->click();
    ASSERT_TRUE(loggedIn.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    EXPECT_TRUE(m_wizard->button(QWizard::FinishButton)->isEnabled());
}

TEST_F(AccountWizardTest, AKeychainThatFailsIsExplainedAndThePrivateFileOffered)
{
    m_wizard->loginPage()->setSecretStoreFactory([this](const AccountSettings& account)
                                                     -> std::unique_ptr<sync::CredentialStore> {
        if (!account.secretsInFile)
            return std::make_unique<MissingKeychain>();
        return std::make_unique<sync::FileCredentialStore>(m_config.filePath("secrets.json").toStdString());
    });
    typeServer(QString::fromStdString(m_server.baseUrl()));
    QSignalSpy urlReady(m_wizard->loginPage(), &LoginPage::loginUrlReady);
    ASSERT_TRUE(next());
    ASSERT_TRUE(urlReady.wait(kWait));
    QSignalSpy failed(m_wizard->loginPage(), &LoginPage::failed);
    ASSERT_EQ(itest::logInWithTheBrowser(m_wizard->loginPage()->loginUrl().toStdString(), "alice", "secret"), 200);
    ASSERT_TRUE(failed.wait(kWait));
    const QString error = m_wizard->loginPage()->errorText();
    EXPECT_TRUE(error.contains("The system keychain could not store the app password: no Secret Service"))
        << error.toStdString();
    EXPECT_TRUE(error.contains("secrets.json")) << error.toStdString();
    EXPECT_FALSE(m_wizard->button(QWizard::FinishButton)->isEnabled()) << "not logged in without a stored password";
    auto* useFile = m_wizard->findChild<QPushButton*>(QStringLiteral("useSecretFile"));
    ASSERT_TRUE(useFile->isVisible());

    QSignalSpy loggedIn(m_wizard->loginPage(), &LoginPage::loggedIn);
    useFile->click();
    ASSERT_TRUE(loggedIn.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    ASSERT_TRUE(m_wizard->loginPage()->account());
    EXPECT_TRUE(m_wizard->loginPage()->account()->secretsInFile);
    EXPECT_TRUE(m_wizard->loginPage()->statusText().contains("in a private file"));
    EXPECT_EQ(QFile::permissions(m_config.filePath("secrets.json")) & (QFile::ReadGroup | QFile::ReadOther), 0);
}

class SelfSignedWizardTest : public AccountWizardTest {
protected:
    void SetUp() override
    {
        const std::filesystem::path dir = m_certificates.path().toStdString();
        m_fingerprint = itest::makeTestCertificate(dir, "server");
        ASSERT_FALSE(m_fingerprint.empty());
        m_server.addArguments({"--tls-cert", (dir / "server.pem").string(), "--tls-key", (dir / "server.key").string()});
        AccountWizardTest::SetUp();
    }
    QTemporaryDir m_certificates;
    std::string m_fingerprint;
};

TEST_F(SelfSignedWizardTest, ASelfSignedCertificateIsShownWithItsFingerprintAndUsedOnlyOnceAccepted)
{
    typeServer(QString::fromStdString(m_server.baseUrl()));
    EXPECT_FALSE(next());
    auto* panel = m_wizard->findChild<QGroupBox*>(QStringLiteral("certificatePanel"));
    ASSERT_TRUE(panel->isVisible());
    const QString details = m_wizard->findChild<QLabel*>(QStringLiteral("certificateDetails"))->text();
    // In two lines of 16 bytes each, as the user compares it.
    const QString fingerprint = QString::fromStdString(m_fingerprint);
    EXPECT_TRUE(details.contains(fingerprint.left(47) + "\n" + fingerprint.mid(48))) << details.toStdString();
    EXPECT_TRUE(details.contains("nubo test server")) << details.toStdString();
    test::saveScreenshot(m_wizard.get(), QStringLiteral("wizard-certificate"));

    EXPECT_FALSE(next()) << "not without the user's consent";
    EXPECT_EQ(m_wizard->currentPage(), m_wizard->serverPage());

    m_wizard->findChild<QCheckBox*>(QStringLiteral("trustCertificate"))->setChecked(true);
    QSignalSpy urlReady(m_wizard->loginPage(), &LoginPage::loginUrlReady);
    ASSERT_TRUE(next()) << m_wizard->serverPage()->errorText().toStdString();
    EXPECT_EQ(m_wizard->serverPage()->pinnedCertificate().toStdString(), m_fingerprint);
    ASSERT_TRUE(urlReady.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    ASSERT_EQ(itest::logInWithTheBrowser(m_wizard->loginPage()->loginUrl().toStdString(), "alice", "secret",
                                         m_fingerprint),
              200);
    QSignalSpy loggedIn(m_wizard->loginPage(), &LoginPage::loggedIn);
    ASSERT_TRUE(loggedIn.wait(kWait)) << m_wizard->loginPage()->errorText().toStdString();
    EXPECT_EQ(m_wizard->loginPage()->account()->pinnedCertificate.toStdString(), m_fingerprint);
}

} // namespace
} // namespace nubo::gui
