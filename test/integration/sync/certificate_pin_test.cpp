// A self-signed certificate the user accepted once (the account wizard's prompt): its SHA-256 is
// shown as openssl shows it, accepted by pin for every kind of request afterwards, and a different
// certificate in its place is refused as a changed one. Against nubo-server serving HTTPS.
#include "account.h"
#include "http_internal.h"
#include "http_client.h"
#include "login_flow.h"
#include "server_process.h"
#include "test_certificate.h"

#include <QStandardPaths>
#include <gtest/gtest.h>

#include <QBuffer>
#include <fstream>
#include <thread>

#include <filesystem>

using namespace nubo::sync;
using nubo::itest::ServerProcess;
namespace fs = std::filesystem;

namespace {

using nubo::itest::makeTestCertificate;

class CertificatePin : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (QStandardPaths::findExecutable("openssl").isEmpty()) GTEST_SKIP() << "the openssl tool is not installed";
        dir = fs::temp_directory_path() / ("nubo-pin-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        first = makeTestCertificate(dir, "first");
        second = makeTestCertificate(dir, "second");
        ASSERT_FALSE(first.empty());
        ASSERT_FALSE(second.empty());
        server.addUser("alice", "secret");
        serveWith("first");
        server.start();
        url = server.baseUrl();
    }
    void TearDown() override
    {
        HttpClient::releaseThreadResources();
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    void serveWith(const std::string& name)
    {
        server.clearArguments();
        server.addArguments({"--tls-cert", (dir / (name + ".pem")).string(), "--tls-key", (dir / (name + ".key")).string()});
    }

    fs::path dir;
    std::string first, second;
    ServerProcess server{NUBO_SERVER_BINARY};
    std::string url;
};

TEST_F(CertificatePin, TheServersCertificateIsShownWithTheFingerprintOpensslPrints)
{
    auto unpinned = Account::probe(url);
    ASSERT_FALSE(unpinned);
    EXPECT_EQ(unpinned.error().code, SyncErrorCode::Tls) << unpinned.error().message;

    auto shown = HttpClient::peerCertificate(QUrl(QString::fromStdString(url)));
    ASSERT_TRUE(shown) << shown.error().message;
    EXPECT_EQ(shown->sha256, first);
    EXPECT_EQ(shown->subject, "nubo test first");
    EXPECT_EQ(shown->issuer, "nubo test first");
    EXPECT_FALSE(shown->errors.empty()) << "a self-signed certificate does not verify";
    EXPECT_FALSE(shown->notAfter.empty());

    EXPECT_EQ(normaliseFingerprint(first), normaliseFingerprint(" " + QString::fromStdString(first).toLower().toStdString()));
    EXPECT_EQ(normaliseFingerprint("AB:CD"), "") << "too short to be a SHA-256";
    EXPECT_EQ(normaliseFingerprint(std::string(64, 'g')), "");
}

TEST_F(CertificatePin, AnAcceptedCertificateOpensTheProbeTheLoginFlowAndTheAccount)
{
    auto probed = Account::probe(url, false, first);
    ASSERT_TRUE(probed) << probed.error().message;
    EXPECT_EQ(probed->serverUrl.toString().toStdString(), url);

    auto flow = LoginFlow::start(url, false, first);
    ASSERT_TRUE(flow) << flow.error().message;

    AccountConfig config;
    config.serverUrl = url;
    config.user = "alice";
    config.password = "secret";
    config.pinnedCertificate = first;
    auto account = Account::connect(config);
    ASSERT_TRUE(account) << account.error().message;
    EXPECT_EQ((*account)->davUser(), "alice");
}

TEST_F(CertificatePin, AnotherCertificateInItsPlaceIsRefusedAsChanged)
{
    serveWith("second");
    server.restart();
    url = server.baseUrl();

    auto probed = Account::probe(url, false, first);
    ASSERT_FALSE(probed);
    EXPECT_EQ(probed.error().code, SyncErrorCode::UntrustedKey);
    EXPECT_NE(probed.error().message.find("is not the one you accepted: it changed from SHA-256 " + first + " to " +
                                          second),
              std::string::npos)
        << probed.error().message;

    AccountConfig config;
    config.serverUrl = url;
    config.user = "alice";
    config.password = "secret";
    config.pinnedCertificate = first;
    auto account = Account::connect(config);
    ASSERT_FALSE(account);
    EXPECT_EQ(account.error().code, SyncErrorCode::UntrustedKey) << account.error().message;
}

// A large body goes on a connection of its own (own_connection.cpp), which follows the same rules:
// the accepted certificate carries it; with no pin it is refused as untrusted, and a different
// certificate in its place as a changed one, before any of the body is sent.
TEST_F(CertificatePin, LargeBodiesOnTheirOwnConnectionFollowTheSameRules)
{
    const auto connectWith = [&](const std::string& pin) {
        AccountConfig config;
        config.serverUrl = url;
        config.user = "alice";
        config.password = "secret";
        config.pinnedCertificate = pin;
        return Account::connect(config);
    };
    auto account = connectWith(first);
    ASSERT_TRUE(account) << account.error().message;
    const QByteArray body(3 * 1024 * 1024 + 5, 'b');
    const auto put = [&](const HttpClient& http, const std::string& name) {
        QBuffer device;
        device.setData(body);
        device.open(QIODevice::ReadOnly);
        HttpRequest request;
        request.method = "PUT";
        request.url = QUrl(QString::fromStdString(url + "/remote.php/dav/files/alice/" + name));
        request.bodyDevice = &device;
        return http.send(request);
    };
    const std::int64_t before = http_internal::ownConnectionsOpened();
    auto stored = put(*(*account)->http(), "pinned.bin");
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_EQ(stored->status, 201);
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 1);
    HttpRequest read;
    read.url = QUrl(QString::fromStdString(url + "/remote.php/dav/files/alice/pinned.bin"));
    auto back = (*account)->http()->send(read, {200});
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->body, body);

    // Not pinned: the same certificate does not verify. (The connection the pinned client keeps
    // is never lent to a client with other rules.)
    HttpClientOptions unpinnedOptions;
    unpinnedOptions.user = "alice";
    unpinnedOptions.password = "secret";
    const HttpClient unpinned(unpinnedOptions);
    auto untrusted = put(unpinned, "unpinned.bin");
    ASSERT_FALSE(untrusted);
    EXPECT_EQ(untrusted.error().code, SyncErrorCode::Tls) << untrusted.error().message;
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 2);

    serveWith("second");
    server.restart();
    url = server.baseUrl();
    auto changed = put(*(*account)->http(), "changed.bin");
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, SyncErrorCode::UntrustedKey) << changed.error().message;
    EXPECT_NE(changed.error().message.find("it changed from SHA-256 " + first + " to " + second), std::string::npos)
        << changed.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ifstream log(server.dataDir() / "access.log");
    const std::string logged((std::istreambuf_iterator<char>(log)), {});
    EXPECT_EQ(logged.find("unpinned.bin"), std::string::npos);
    EXPECT_EQ(logged.find("changed.bin"), std::string::npos);
}

} // namespace
