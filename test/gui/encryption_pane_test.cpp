// The encryption pane against a real nubo-server, one key file per "device" (KeyStoreKind::File
// under its own XDG_DATA_HOME): set up on a first device (12 words shown, kept, checked back), a
// second device refused with wrong words and added with the right ones, the words shown again only
// after the password was checked, the key removed, a changed server key, and a server without
// end-to-end encryption.
#include <QClipboard>
#include <QCryptographicHash>
#include <QDialog>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMetaEnum>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "account.h"
#include "browser_login.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_identity.h"
#include "encryption_pane.h"
#include "login_flow.h"
#include "mnemonic_widgets.h"
#include "screenshot.h"
#include "server_process.h"

namespace nubo::gui {
namespace {

constexpr int kWait = 30000;
using State = EncryptionPane::State;

QString stateName(State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<State>().valueToKey(static_cast<int>(state)));
}

class EncryptionPaneTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (const char* old = std::getenv("XDG_DATA_HOME")) m_oldDataHome = old;
        m_server.addUser("alice", "secret");
        m_server.start();
        m_appPassword = appPassword();
        ASSERT_FALSE(m_appPassword.empty());
    }
    void TearDown() override
    {
        if (m_oldDataHome)
            ::setenv("XDG_DATA_HOME", m_oldDataHome->c_str(), 1);
        else
            ::unsetenv("XDG_DATA_HOME");
    }

    // An app password of alice's, granted through Login Flow v2 as the wizard gets one.
    std::string appPassword()
    {
        auto flow = sync::LoginFlow::start(m_server.baseUrl());
        if (!flow) return {};
        if (itest::logInWithTheBrowser(flow->loginUrl(), "alice", "secret") != 200) return {};
        for (int i = 0; i < 50; ++i) {
            auto answer = flow->poll();
            if (answer && *answer) return (*answer)->appPassword;
            QTest::qWait(100);
        }
        return {};
    }

    AccountSettings account() const
    {
        AccountSettings settings;
        settings.serverUrl = QString::fromStdString(m_server.baseUrl());
        settings.user = QStringLiteral("alice");
        return settings;
    }

    std::filesystem::path keyFile(const QString& device) const
    {
        return std::filesystem::path(m_data.filePath(device).toStdString()) / "nubo" / "e2ee-keys.json";
    }

    // A device: its own XDG_DATA_HOME, so its own key file; the pane opens it while it loads.
    std::unique_ptr<EncryptionPane> device(const QString& name, State expected)
    {
        ::setenv("XDG_DATA_HOME", m_data.filePath(name).toLocal8Bit().constData(), 1);
        EXPECT_EQ(sync::e2eeKeyFilePath(), keyFile(name));
        auto pane = std::make_unique<EncryptionPane>(account(), QString::fromStdString(m_appPassword),
                                                     sync::KeyStoreKind::File);
        pane->show();
        EXPECT_TRUE(waitForState(*pane, expected));
        return pane;
    }

    static bool waitForState(EncryptionPane& pane, State state)
    {
        const bool reached = QTest::qWaitFor([&] { return pane.state() == state; }, kWait);
        if (!reached)
            ADD_FAILURE() << "state " << stateName(pane.state()).toStdString() << " instead of "
                          << stateName(state).toStdString() << "; error: " << pane.errorText().toStdString();
        return reached;
    }

    // What the device's key file holds for alice.
    sync::E2eeKeyStore store(const QString& device) const
    {
        std::error_code ignored;
        std::filesystem::create_directories(keyFile(device).parent_path(), ignored);
        return sync::E2eeKeyStore(std::make_shared<sync::FileCredentialStore>(keyFile(device)),
                                  "alice@" + m_server.baseUrl(), keyFile(device).string());
    }
    QString storedWords(const QString& device) const
    {
        auto words = store(device).mnemonic();
        EXPECT_TRUE(words.has_value());
        if (!words || !*words) return {};
        return QString::fromStdString(std::string((*words)->begin(), (*words)->end()));
    }

    // Sets up end-to-end encryption on a device through the pane, confirmation included; returns
    // the 12 words it showed.
    QStringList setUpFirstDevice(EncryptionPane& pane)
    {
        QSignalSpy changed(&pane, &EncryptionPane::identityChanged);
        pane.findChild<QPushButton*>(QStringLiteral("setUp"))->click();
        if (!waitForState(pane, State::NewWords)) return {};
        EXPECT_EQ(changed.size(), 1);
        const QStringList words = pane.findChild<MnemonicGrid*>(QStringLiteral("newWordsGrid"))->words();
        pane.findChild<QPushButton*>(QStringLiteral("writtenDown"))->click();
        EXPECT_EQ(pane.state(), State::ConfirmWords);
        auto* confirmation = pane.findChild<MnemonicConfirmation*>();
        const auto [a, b] = confirmation->askedPositions();
        confirmation->findChild<QLineEdit*>(QStringLiteral("confirmFirst"))->setText(words.value(a - 1));
        confirmation->findChild<QLineEdit*>(QStringLiteral("confirmSecond"))->setText(words.value(b - 1));
        confirmation->findChild<QPushButton*>(QStringLiteral("confirmCheck"))->click();
        EXPECT_EQ(pane.state(), State::SetUp);
        return words;
    }

    static void paste(MnemonicEntry& entry, const QString& words)
    {
        QGuiApplication::clipboard()->setText(words);
        entry.field(0)->selectAll();
        entry.field(0)->paste();
    }

    static bool revealWithPassword(EncryptionPane& pane, const QString& password)
    {
        pane.findChild<QPushButton*>(QStringLiteral("showWords"))->click();
        auto* dialog = pane.findChild<QDialog*>(QStringLiteral("reauthDialog"));
        if (!dialog || !dialog->isVisible()) {
            ADD_FAILURE() << "no password dialog";
            return false;
        }
        auto* field = dialog->findChild<QLineEdit*>(QStringLiteral("reauthPassword"));
        EXPECT_EQ(field->echoMode(), QLineEdit::Password);
        field->setText(password);
        QSignalSpy shown(&pane, &EncryptionPane::wordsShown);
        dialog->findChild<QPushButton*>(QStringLiteral("reauthConfirm"))->click();
        return shown.wait(kWait);
    }

    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    QTemporaryDir m_data;
    std::optional<std::string> m_oldDataHome;
    std::string m_appPassword;
};

TEST_F(EncryptionPaneTest, TheFirstDeviceShowsTwelveWordsThatAreKeptAndMustBeTypedBack)
{
    auto laptop = device("laptop", State::NotSetUp);
    EXPECT_FALSE(laptop->trustProblemShown());
    QSignalSpy changed(laptop.get(), &EncryptionPane::identityChanged);
    laptop->findChild<QPushButton*>(QStringLiteral("setUp"))->click();
    ASSERT_TRUE(waitForState(*laptop, State::NewWords));
    EXPECT_EQ(changed.size(), 1) << "the key exists from here on";

    auto* grid = laptop->findChild<MnemonicGrid*>(QStringLiteral("newWordsGrid"));
    const QStringList words = grid->words();
    ASSERT_EQ(words.size(), 12);
    for (const QString& word : words)
        EXPECT_TRUE(isMnemonicWord(word)) << word.toStdString();
    EXPECT_EQ(words.join(' '), storedWords("laptop")) << "the words shown are the ones kept in the key store";
    const QString warning = laptop->findChild<QLabel*>(QStringLiteral("wordsWarning"))->text();
    EXPECT_TRUE(warning.contains("paper")) << warning.toStdString();
    EXPECT_TRUE(warning.contains("only after you log in again")) << warning.toStdString();
    EXPECT_TRUE(laptop->findChild<QLabel*>(QStringLiteral("storeWarning"))->isHidden());
    laptop->show();
    laptop->resize(640, 560);
    test::saveScreenshot(laptop.get(), QStringLiteral("mnemonic-grid"));

    // The words open the key the server keeps.
    sync::AccountConfig config;
    config.serverUrl = m_server.baseUrl();
    config.user = "alice";
    config.password = "secret";
    auto connected = sync::Account::connect(config);
    ASSERT_TRUE(connected.has_value());
    auto api = sync::E2eeApiClient::forAccount(**connected);
    ASSERT_TRUE(api.has_value());
    auto other = store("check");
    EXPECT_TRUE(sync::addE2eeDevice(*api, "alice", words.join(' ').toStdString(), other).has_value());

    laptop->findChild<QPushButton*>(QStringLiteral("writtenDown"))->click();
    ASSERT_EQ(laptop->state(), State::ConfirmWords);
    EXPECT_FALSE(grid->wordsShown()) << "not on screen while they are asked back";
    auto* confirmation = laptop->findChild<MnemonicConfirmation*>();
    const auto [a, b] = confirmation->askedPositions();
    ASSERT_TRUE(a >= 1 && a < b && b <= 12);
    auto* first = confirmation->findChild<QLineEdit*>(QStringLiteral("confirmFirst"));
    auto* second = confirmation->findChild<QLineEdit*>(QStringLiteral("confirmSecond"));
    auto* check = confirmation->findChild<QPushButton*>(QStringLiteral("confirmCheck"));
    first->setText(words[a - 1]);
    second->setText(words[a - 1] == words[b - 1] ? QStringLiteral("zoo") : words[a - 1]);
    check->click();
    EXPECT_EQ(laptop->state(), State::ConfirmWords);
    EXPECT_TRUE(confirmation->errorText().contains(QStringLiteral("Word %1 ").arg(b)))
        << confirmation->errorText().toStdString();

    second->setText(words[b - 1].toUpper() + ' ');
    check->click();
    ASSERT_EQ(laptop->state(), State::SetUp);

    // The set-up page: the key's fingerprint, where it is kept, the pinned server key.
    auto laptopStore = store("laptop");
    auto loaded = sync::loadE2eeIdentity(nullptr, "alice", laptopStore);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ(laptop->keyFingerprint().toStdString(), (*loaded)->fingerprint());
    EXPECT_EQ(laptop->keyLocation().toStdString(), keyFile("laptop").string());
    auto serverKey = api->serverKey();
    ASSERT_TRUE(serverKey.has_value());
    const QSslKey key(QByteArray::fromStdString(*serverKey), QSsl::Rsa, QSsl::Pem, QSsl::PublicKey);
    ASSERT_FALSE(key.isNull());
    EXPECT_EQ(laptop->serverKeyFingerprint(),
              QString::fromLatin1(QCryptographicHash::hash(key.toDer(), QCryptographicHash::Sha256).toHex(':')));
    EXPECT_EQ(laptop->findChild<QLabel*>(QStringLiteral("serverKeyFingerprint"))->text(),
              laptop->serverKeyFingerprint());
    EXPECT_EQ(changed.size(), 1);
}

TEST_F(EncryptionPaneTest, AFurtherDeviceIsRefusedWithWrongWordsAndAddedWithTheRightOnes)
{
    auto laptop = device("laptop", State::NotSetUp);
    const QStringList words = setUpFirstDevice(*laptop);
    ASSERT_EQ(words.size(), 12);

    auto desktop = device("desktop", State::AddDevice);
    auto* entry = desktop->findChild<MnemonicEntry*>();
    auto* add = desktop->findChild<QPushButton*>(QStringLiteral("addDevice"));
    EXPECT_FALSE(add->isEnabled()) << "not before 12 words of the list";

    // Twelve words of the list, in the wrong order.
    QStringList shuffled = words;
    std::swap(shuffled[0], shuffled[11]);
    paste(*entry, shuffled.join(' '));
    ASSERT_TRUE(entry->isComplete());
    ASSERT_TRUE(add->isEnabled());
    QSignalSpy failed(desktop.get(), &EncryptionPane::failed);
    QSignalSpy changed(desktop.get(), &EncryptionPane::identityChanged);
    add->click();
    ASSERT_TRUE(failed.wait(kWait));
    EXPECT_EQ(desktop->errorText(),
              QStringLiteral("These 12 words do not open your key: check each word and its order; the words are the "
                             "ones shown when encryption was set up on your first device."));
    EXPECT_EQ(desktop->state(), State::AddDevice);
    EXPECT_EQ(changed.size(), 0);
    // Nothing was stored: no key, no words, no pins.
    auto kept = store("desktop");
    EXPECT_FALSE(kept.privateKeyPem()->has_value());
    EXPECT_FALSE(kept.mnemonic()->has_value());
    EXPECT_TRUE(kept.pins()->serverKeyPem.empty());

    paste(*entry, words.join(' '));
    EXPECT_TRUE(desktop->errorText().isEmpty()) << "the message goes once the words change";
    add->click();
    ASSERT_TRUE(waitForState(*desktop, State::SetUp));
    EXPECT_EQ(changed.size(), 1);
    EXPECT_EQ(desktop->keyFingerprint(), laptop->keyFingerprint());
    EXPECT_EQ(desktop->serverKeyFingerprint(), laptop->serverKeyFingerprint());
    EXPECT_EQ(desktop->keyLocation().toStdString(), keyFile("desktop").string());
    EXPECT_EQ(storedWords("desktop"), words.join(' ')) << "the words are kept on this device too";
    EXPECT_TRUE(entry->words().join(QString()).isEmpty()) << "the typed words are cleared";
}

TEST_F(EncryptionPaneTest, TheWordsAreShownAgainOnlyAfterThePasswordWasCheckedAndHideByThemselves)
{
    auto laptop = device("laptop", State::NotSetUp);
    const QStringList words = setUpFirstDevice(*laptop);
    ASSERT_EQ(words.size(), 12);
    laptop->setRevealDuration(std::chrono::milliseconds(800));
    auto* grid = laptop->findChild<MnemonicGrid*>(QStringLiteral("revealedWordsGrid"));
    EXPECT_FALSE(grid->wordsShown());

    laptop->findChild<QPushButton*>(QStringLiteral("showWords"))->click();
    auto* dialog = laptop->findChild<QDialog*>(QStringLiteral("reauthDialog"));
    ASSERT_NE(dialog, nullptr);
    ASSERT_TRUE(dialog->isVisible());
    dialog->findChild<QLineEdit*>(QStringLiteral("reauthPassword"))->setText(QStringLiteral("wrong"));
    QSignalSpy refused(laptop.get(), &EncryptionPane::reauthenticationRefused);
    dialog->findChild<QPushButton*>(QStringLiteral("reauthConfirm"))->click();
    ASSERT_TRUE(refused.wait(kWait));
    EXPECT_TRUE(refused.first().first().toString().contains("refused this password"));
    EXPECT_TRUE(dialog->isVisible()) << "the dialog stays for another try";
    EXPECT_FALSE(dialog->findChild<QLabel*>(QStringLiteral("reauthError"))->isHidden());
    EXPECT_FALSE(grid->wordsShown());
    EXPECT_FALSE(laptop->wordsRevealed());
    dialog->reject();
    QTest::qWait(50);

    // The account's own password.
    QSignalSpy hidden(laptop.get(), &EncryptionPane::wordsHidden);
    ASSERT_TRUE(revealWithPassword(*laptop, QStringLiteral("secret")));
    EXPECT_TRUE(laptop->wordsRevealed());
    EXPECT_EQ(grid->words(), words);
    EXPECT_TRUE(grid->isVisible());
    EXPECT_TRUE(QTest::qWaitFor([&] { return !laptop->findChild<QDialog*>(QStringLiteral("reauthDialog")); }))
        << "the dialog is gone";
    EXPECT_EQ(hidden.size(), 0);
    ASSERT_TRUE(hidden.wait(kWait)) << "hidden after the interval";
    EXPECT_FALSE(grid->wordsShown());
    EXPECT_FALSE(grid->isVisible());
    for (int n = 1; n <= 12; ++n)
        EXPECT_FALSE(grid->findChild<QLabel*>(QStringLiteral("mnemonicWord%1").arg(n))->text().contains(words[n - 1]));

    // An app password works as well; leaving the window hides the words at once.
    laptop->setRevealDuration(std::chrono::seconds(60));
    ASSERT_TRUE(revealWithPassword(*laptop, QString::fromStdString(m_appPassword)));
    EXPECT_EQ(grid->words(), words);
    QEvent deactivate(QEvent::WindowDeactivate);
    QCoreApplication::sendEvent(laptop->window(), &deactivate);
    EXPECT_FALSE(grid->wordsShown());
    EXPECT_FALSE(laptop->wordsRevealed());
    EXPECT_EQ(hidden.size(), 2);
}

TEST_F(EncryptionPaneTest, ADeviceSetUpWithoutKeepingTheWordsSaysWhereToFindThem)
{
    // Set up as nubocmd does it: the key and pins are kept, the words are not.
    sync::AccountConfig config;
    config.serverUrl = m_server.baseUrl();
    config.user = "alice";
    config.password = "secret";
    auto connected = sync::Account::connect(config);
    ASSERT_TRUE(connected.has_value());
    auto api = sync::E2eeApiClient::forAccount(**connected);
    ASSERT_TRUE(api.has_value());
    auto kept = store("server");
    ASSERT_TRUE(sync::createE2eeIdentity(*api, "alice", kept).has_value());

    auto pane = device("server", State::SetUp);
    pane->findChild<QPushButton*>(QStringLiteral("showWords"))->click();
    auto* dialog = pane->findChild<QDialog*>(QStringLiteral("reauthDialog"));
    ASSERT_NE(dialog, nullptr);
    dialog->findChild<QLineEdit*>(QStringLiteral("reauthPassword"))->setText(QStringLiteral("secret"));
    dialog->findChild<QPushButton*>(QStringLiteral("reauthConfirm"))->click();
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return !pane->findChild<QLabel*>(QStringLiteral("revealNote"))->isHidden(); }, kWait));
    EXPECT_TRUE(pane->findChild<QLabel*>(QStringLiteral("revealNote"))->text().contains("does not keep the 12 words"));
    EXPECT_FALSE(pane->wordsRevealed());
}

TEST_F(EncryptionPaneTest, RemovingTheKeyAsksFirstAndLeavesTheKeyOnTheServer)
{
    auto laptop = device("laptop", State::NotSetUp);
    ASSERT_EQ(setUpFirstDevice(*laptop).size(), 12);
    QSignalSpy changed(laptop.get(), &EncryptionPane::identityChanged);

    laptop->findChild<QPushButton*>(QStringLiteral("removeKey"))->click();
    auto* box = laptop->findChild<QMessageBox*>(QStringLiteral("removeKeyConfirmation"));
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->informativeText().contains("12 words"));
    box->button(QMessageBox::Cancel)->click();
    QTest::qWait(100);
    EXPECT_EQ(laptop->state(), State::SetUp);
    EXPECT_TRUE(store("laptop").privateKeyPem()->has_value()) << "cancelled: nothing removed";

    laptop->findChild<QPushButton*>(QStringLiteral("removeKey"))->click();
    box = laptop->findChild<QMessageBox*>(QStringLiteral("removeKeyConfirmation"));
    ASSERT_NE(box, nullptr);
    box->findChild<QPushButton*>(QStringLiteral("confirmRemoveKey"))->click();
    ASSERT_TRUE(waitForState(*laptop, State::AddDevice)) << "the key is still on the server: add it with the words";
    EXPECT_EQ(changed.size(), 1);
    auto kept = store("laptop");
    EXPECT_FALSE(kept.privateKeyPem()->has_value());
    EXPECT_FALSE(kept.mnemonic()->has_value());
    EXPECT_TRUE(kept.pins()->serverKeyPem.empty());
}

TEST_F(EncryptionPaneTest, AChangedServerKeyShowsTheRedBannerAndWhatToDo)
{
    auto laptop = device("laptop", State::NotSetUp);
    ASSERT_EQ(setUpFirstDevice(*laptop).size(), 12);
    const QString fingerprint = laptop->keyFingerprint();
    EXPECT_FALSE(laptop->trustProblemShown());

    // The server now presents another key than the one this device pinned: its CA key is replaced
    // (same address, so the account stays the same).
    const std::uint16_t port = m_server.port();
    m_server.stop();
    ASSERT_TRUE(std::filesystem::remove(m_server.dataDir() / "server-ca.key"));
    m_server.setListen("127.0.0.1:" + std::to_string(port));
    m_server.start();

    laptop->refresh();
    ASSERT_TRUE(waitForState(*laptop, State::SetUp));
    ASSERT_TRUE(laptop->trustProblemShown());
    EXPECT_EQ(laptop->keyFingerprint(), fingerprint) << "what this device has is still shown";
    auto* banner = laptop->findChild<QWidget*>(QStringLiteral("trustBanner"));
    ASSERT_TRUE(banner->isVisible());
    EXPECT_LT(banner->y(),
              laptop->findChild<QLabel*>(QStringLiteral("keyFingerprint"))->mapTo(laptop.get(), QPoint()).y())
        << "at the top";
    QString text;
    for (const QLabel* label : banner->findChildren<QLabel*>())
        text += label->text() + '\n';
    EXPECT_TRUE(text.contains("Someone may be trying to read your encrypted files")) << text.toStdString();
    EXPECT_TRUE(text.contains("Nubo stopped syncing")) << text.toStdString();
    EXPECT_TRUE(text.contains("ask your server's administrator")) << text.toStdString();
    EXPECT_TRUE(text.contains("remove the key from this device and add it again with your 12 words"))
        << text.toStdString();
    EXPECT_TRUE(text.contains("key changed since this device first saw it")) << "the sync layer's details";

    // The remedy: remove the key, add it again with the words; the banner goes.
    laptop->findChild<QPushButton*>(QStringLiteral("removeKey"))->click();
    laptop->findChild<QMessageBox*>(QStringLiteral("removeKeyConfirmation"))
        ->findChild<QPushButton*>(QStringLiteral("confirmRemoveKey"))
        ->click();
    ASSERT_TRUE(waitForState(*laptop, State::AddDevice));
    EXPECT_FALSE(laptop->trustProblemShown());

    // Shown on request too (the sync engine's findings).
    laptop->showTrustProblem(QStringLiteral("the certificate of alice changed"));
    EXPECT_TRUE(laptop->trustProblemShown());
    EXPECT_EQ(laptop->findChild<QLabel*>(QStringLiteral("trustDetails"))->text(),
              QStringLiteral("What Nubo found: the certificate of alice changed"));
}

// A Nextcloud without the End-to-end encryption app: status.php, the user, capabilities without
// "end-to-end-encryption".
class ServerWithoutE2ee : public QTcpServer {
public:
    ServerWithoutE2ee()
    {
        listen(QHostAddress::LocalHost);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer] {
                    *buffer += socket->readAll();
                    if (!buffer->contains("\r\n\r\n")) return;
                    const QByteArray target = buffer->split(' ').value(1);
                    QByteArray body = R"({"ocs":{"meta":{"status":"failure","statuscode":404},"data":[]}})";
                    int status = 404;
                    if (target.startsWith("/status.php")) {
                        body = R"({"installed":true,"maintenance":false,"needsDbUpgrade":false,"version":"28.0.1.1",)"
                               R"("versionstring":"28.0.1","edition":"","productname":"Nextcloud"})";
                        status = 200;
                    } else if (target.startsWith("/ocs/v1.php/cloud/user")) {
                        body = R"({"ocs":{"meta":{"status":"ok","statuscode":100},"data":{"id":"alice"}}})";
                        status = 200;
                    } else if (target.startsWith("/ocs/v1.php/cloud/capabilities")) {
                        body = R"({"ocs":{"meta":{"status":"ok","statuscode":100},"data":{"capabilities":)"
                               R"({"core":{"pollinterval":60},"dav":{"chunking":"1.0"}}}}})";
                        status = 200;
                    }
                    socket->write("HTTP/1.1 " + QByteArray::number(status) +
                                  " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(serverPort()); }
};

TEST(EncryptionPaneWithoutE2ee, AServerWithoutEndToEndEncryptionSaysSoAndOffersNothing)
{
    ServerWithoutE2ee server;
    AccountSettings settings;
    settings.serverUrl = server.url();
    settings.user = QStringLiteral("alice");
    EncryptionPane pane(settings, QStringLiteral("app-password"), sync::KeyStoreKind::File);
    pane.show();
    ASSERT_TRUE(QTest::qWaitFor([&] { return pane.state() != State::Loading; }, kWait));
    ASSERT_EQ(pane.state(), State::Unavailable) << pane.errorText().toStdString();
    const QString text = pane.findChild<QLabel*>(QStringLiteral("unavailableText"))->text();
    EXPECT_TRUE(text.contains("End-to-end encryption is not available on " + server.url())) << text.toStdString();
    for (const QPushButton* button : pane.findChildren<QPushButton*>())
        EXPECT_FALSE(button->isVisible() && button->isEnabled()) << button->objectName().toStdString();
    for (const QLineEdit* field : pane.findChildren<QLineEdit*>())
        EXPECT_FALSE(field->isVisible()) << field->objectName().toStdString();
    EXPECT_FALSE(pane.trustProblemShown());
}

} // namespace
} // namespace nubo::gui
