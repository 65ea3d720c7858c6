// Account probing against a real nubo-server (and a TLS endpoint from `openssl s_server`), the
// credential stores, and the password sources of nubocmd (password file, netrc).
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "account.h"
#include "credential_store.h"
#include "ocs_client.h"
#include "server_process.h"

namespace fs = std::filesystem;
using namespace nubo::sync;
using nubo::itest::ServerProcess;

namespace {

void writeAll(const fs::path& path, const std::string& data)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

unsigned modeOf(const fs::path& path)
{
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

class TempDir {
public:
    TempDir()
    {
        char pattern[] = "/tmp/nubo-account-test-XXXXXX";
        if (::mkdtemp(pattern)) m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

AccountConfig aliceAt(const std::string& url, const std::string& password = "secret")
{
    AccountConfig config;
    config.serverUrl = url;
    config.user = "alice";
    config.password = password;
    return config;
}

std::unique_ptr<ServerProcess> startServer(const std::vector<std::string>& arguments = {})
{
    auto server = std::make_unique<ServerProcess>(NUBO_SERVER_BINARY);
    server->addUser("alice", "secret");
    server->addArguments(arguments);
    server->start();
    return server;
}

TEST(Account, ConnectReadsStatusUserAndCapabilities)
{
    auto server = startServer();
    AccountConfig config = aliceAt(server->baseUrl());
    config.remoteRoot = "/Photos/";
    config.uploadLimitKiB = 100;
    auto account = Account::connect(config);
    ASSERT_TRUE(account) << account.error().message;
    const Account& a = **account;
    EXPECT_EQ(a.davUser(), "alice");
    EXPECT_EQ(a.login(), "alice");
    EXPECT_TRUE(a.config().password.empty()); // kept only inside the HTTP client
    EXPECT_EQ(a.config().remoteRoot, "Photos");
    EXPECT_EQ(a.serverStatus().versionString, "28.0.4");
    EXPECT_TRUE(a.serverStatus().installed);
    EXPECT_TRUE(a.capabilities().chunkingV2);
    EXPECT_EQ(a.capabilities().chunkingVersion, "1.0");
    EXPECT_TRUE(a.capabilities().bigFileChunking);
    EXPECT_FALSE(a.capabilities().bulkUpload);
    EXPECT_TRUE(a.capabilities().e2eeEnabled);
    EXPECT_EQ(a.capabilities().e2eeApiVersion, "2.0");
    EXPECT_EQ(a.capabilities().preferredChecksum, "SHA1");
    EXPECT_EQ(a.capabilities().checksumTypes, (std::vector<std::string>{"SHA1", "MD5"}));
    EXPECT_EQ(a.capabilities().pollIntervalSeconds, 60);
    EXPECT_EQ(a.uploadLimiter().limitKiB(), 100);
    EXPECT_TRUE(a.downloadLimiter().unlimited());
    EXPECT_EQ(a.davFilesUrl().toString().toStdString(), server->baseUrl() + "/remote.php/dav/files/alice");
    EXPECT_EQ(a.davUploadsUrl().toString().toStdString(), server->baseUrl() + "/remote.php/dav/uploads/alice");
}

TEST(Account, WrongPasswordIsAuthWithAdvice)
{
    auto server = startServer();
    auto account = Account::connect(aliceAt(server->baseUrl(), "wrong"));
    ASSERT_FALSE(account);
    EXPECT_EQ(account.error().code, SyncErrorCode::Auth);
    EXPECT_EQ(account.error().message,
              "the server refused user 'alice' and this password: check them, or create an app password");
    EXPECT_TRUE(account.error().fatal());
}

TEST(Account, ClosedPortIsNetworkSayingCannotReach)
{
    auto server = startServer();
    const std::string url = server->baseUrl();
    const std::string hostPort = server->host() + ":" + std::to_string(server->port());
    server->stop();
    auto account = Account::connect(aliceAt(url));
    ASSERT_FALSE(account);
    EXPECT_EQ(account.error().code, SyncErrorCode::Network);
    EXPECT_EQ(account.error().message.rfind("cannot reach " + hostPort + ": the connection was refused", 0), 0u)
        << account.error().message;
}

TEST(Account, UrlWithTrailingSlashOrAWebUiPathWorks)
{
    auto server = startServer();
    for (const std::string suffix : {"/", "//", "/index.php/apps/files/?dir=/", "/remote.php/dav/files/alice/"}) {
        auto account = Account::connect(aliceAt(server->baseUrl() + suffix));
        ASSERT_TRUE(account) << suffix << ": " << account.error().message;
        EXPECT_EQ((*account)->serverUrl().toString().toStdString(), server->baseUrl()) << suffix;
    }
}

TEST(Account, ServerWithoutStatusPhpIsAConfigError)
{
    auto server = startServer({"--faults", "GET /status.php status=404"});
    auto account = Account::connect(aliceAt(server->baseUrl()));
    ASSERT_FALSE(account);
    EXPECT_EQ(account.error().code, SyncErrorCode::Config);
    EXPECT_NE(account.error().message.find("does not look like a Nextcloud server (no status.php"), std::string::npos)
        << account.error().message;
    EXPECT_NE(account.error().message.find("check the URL"), std::string::npos);
}

TEST(Account, MaintenanceIsReported)
{
    auto server = startServer({"--faults", "GET /status.php status=503"});
    auto account = Account::connect(aliceAt(server->baseUrl()));
    ASSERT_FALSE(account);
    EXPECT_EQ(account.error().code, SyncErrorCode::Maintenance);
    EXPECT_NE(account.error().message.find("maintenance"), std::string::npos) << account.error().message;
}

TEST(Account, BadUrlsAreConfigErrors)
{
    for (const std::string url : {"", "ftp://example.org", "http://"}) {
        auto account = Account::connect(aliceAt(url));
        ASSERT_FALSE(account) << url;
        EXPECT_EQ(account.error().code, SyncErrorCode::Config) << url << ": " << account.error().message;
    }
    auto normalised = Account::normaliseServerUrl("cloud.example.org/nextcloud/index.php/login");
    ASSERT_TRUE(normalised);
    EXPECT_EQ(normalised->toString().toStdString(), "https://cloud.example.org/nextcloud");
}

TEST(Account, UntrustedCertificateIsTlsUnlessTrusted)
{
    const QString openssl = QStandardPaths::findExecutable("openssl");
    if (openssl.isEmpty()) GTEST_SKIP() << "the openssl tool is not installed";
    TempDir dir;
    QProcess make;
    make.setWorkingDirectory(QString::fromStdString(dir.path().string()));
    make.start(openssl, {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                         "-days", "1", "-subj", "/CN=localhost"});
    ASSERT_TRUE(make.waitForFinished(30000));
    ASSERT_EQ(make.exitCode(), 0) << make.readAllStandardError().toStdString();
    writeAll(dir.path() / "status.php", R"({"installed":true,"maintenance":false,"needsDbUpgrade":false,)"
                                        R"("version":"28.0.4.1","versionstring":"28.0.4","productname":"Nubo"})");

    // s_server -WWW serves the files of its working folder over TLS: enough for status.php.
    QProcess server;
    server.setWorkingDirectory(QString::fromStdString(dir.path().string()));
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(openssl, {"s_server", "-accept", "127.0.0.1:0", "-cert", "cert.pem", "-key", "key.pem", "-WWW"});
    ASSERT_TRUE(server.waitForStarted(10000));
    QByteArray output;
    int port = 0;
    for (int i = 0; i < 100 && port == 0; ++i) {
        server.waitForReadyRead(100);
        output += server.readAll();
        if (const qsizetype at = output.indexOf("ACCEPT 127.0.0.1:"); at >= 0 && output.indexOf('\n', at) > 0) {
            port = output.mid(at + 17, output.indexOf('\n', at) - at - 17).trimmed().toInt();
        }
    }
    ASSERT_GT(port, 0) << output.toStdString();
    const std::string url = "https://127.0.0.1:" + std::to_string(port);

    auto refused = Account::connect(aliceAt(url));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, SyncErrorCode::Tls);
    EXPECT_EQ(
        refused.error().message.rfind("the certificate of 127.0.0.1:" + std::to_string(port) + " is not trusted: ", 0),
        0u)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("; pass --trust to accept it"), std::string::npos);

    AccountConfig trusting = aliceAt(url);
    trusting.trustCertificates = true;
    trusting.timeout = std::chrono::seconds(3); // s_server serves one connection at a time
    auto trusted = Account::connect(trusting);
    ASSERT_FALSE(trusted); // s_server knows status.php and nothing else
    EXPECT_NE(trusted.error().code, SyncErrorCode::Tls) << trusted.error().message;
    server.kill();
    server.waitForFinished(5000);
    // Close the aborted TLS connections while the test still owns them, not at process exit.
    HttpClient::releaseThreadResources();
}

TEST(OcsClient, ParsesStatusCapabilitiesAndUser)
{
    EXPECT_FALSE(OcsClient::parseStatus("<html>not nextcloud</html>"));
    auto status = OcsClient::parseStatus(R"({"installed":"true","maintenance":1,"version":"29.0.0.1"})");
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->installed);
    EXPECT_TRUE(status->maintenance);

    auto caps = OcsClient::parseCapabilities(
        R"({"ocs":{"meta":{"status":"ok","statuscode":100},"data":{"capabilities":{"dav":{"chunking":"1.0",)"
        R"("bulkupload":"1.0"},"end-to-end-encryption":{"enabled":true,"api-version":"2.0"},)"
        R"("checksums":{"supportedTypes":["sha1"]}}}}})");
    ASSERT_TRUE(caps) << caps.error().message;
    EXPECT_TRUE(caps->bulkUpload);
    EXPECT_TRUE(caps->chunkingV2);
    EXPECT_EQ(caps->checksumTypes, (std::vector<std::string>{"SHA1"}));

    auto unauthorised =
        OcsClient::parseUser(R"({"ocs":{"meta":{"statuscode":997,"message":"Unauthorised"},"data":[]}})");
    ASSERT_FALSE(unauthorised);
    EXPECT_EQ(unauthorised.error().code, SyncErrorCode::Auth);
    auto user = OcsClient::parseUser(R"({"ocs":{"meta":{"statuscode":200},"data":{"id":"a b","display-name":"A"}}})");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->id, "a b");
    EXPECT_EQ(user->displayName, "A");
}

TEST(FileCredentialStore, RoundTripWithPrivateMode)
{
    TempDir dir;
    const fs::path file = dir.path() / "sub" / "secrets.json";
    FileCredentialStore store(file);
    auto nothing = store.read("alice@example");
    ASSERT_TRUE(nothing) << nothing.error().message;
    EXPECT_FALSE(nothing->has_value());

    ASSERT_TRUE(store.write("alice@example", "pässwörd \"quoted\"\n"));
    ASSERT_TRUE(store.write("bob@example", "other"));
    EXPECT_EQ(modeOf(file), 0600u);
    EXPECT_EQ(store.read("alice@example").value(), std::optional<std::string>("pässwörd \"quoted\"\n"));
    ASSERT_TRUE(store.write("alice@example", "changed"));
    EXPECT_EQ(modeOf(file), 0600u);

    FileCredentialStore reopened(file);
    EXPECT_EQ(reopened.read("alice@example").value(), std::optional<std::string>("changed"));
    EXPECT_EQ(reopened.read("bob@example").value(), std::optional<std::string>("other"));
    ASSERT_TRUE(reopened.remove("alice@example"));
    ASSERT_TRUE(reopened.remove("never-there"));
    EXPECT_FALSE(reopened.read("alice@example").value().has_value());
    EXPECT_EQ(reopened.read("bob@example").value(), std::optional<std::string>("other"));
    // No temporary file is left beside it.
    EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()), 1);
}

TEST(FileCredentialStore, RefusesAFileOthersCanRead)
{
    TempDir dir;
    const fs::path file = dir.path() / "secrets.json";
    FileCredentialStore store(file);
    ASSERT_TRUE(store.write("k", "v"));
    fs::permissions(file,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto read = store.read("k");
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, SyncErrorCode::Config);
    EXPECT_NE(read.error().message.find("mode 0644"), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("chmod 600 " + file.string()), std::string::npos) << read.error().message;
    EXPECT_FALSE(store.write("k", "w")); // nor does it rewrite one it refused to read

    writeAll(dir.path() / "broken.json", "not json");
    fs::permissions(dir.path() / "broken.json", fs::perms::owner_read | fs::perms::owner_write);
    auto broken = FileCredentialStore(dir.path() / "broken.json").read("k");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, SyncErrorCode::Config);
}

TEST(PasswordSources, PasswordFileGivesTheFirstLine)
{
    TempDir dir;
    writeAll(dir.path() / "pw", "s3cret pass\nsecond line\n");
    EXPECT_EQ(readPasswordFile(dir.path() / "pw").value(), "s3cret pass");
    writeAll(dir.path() / "crlf", "windows\r\n");
    EXPECT_EQ(readPasswordFile(dir.path() / "crlf").value(), "windows");
    writeAll(dir.path() / "bare", "no newline");
    EXPECT_EQ(readPasswordFile(dir.path() / "bare").value(), "no newline");
    writeAll(dir.path() / "empty", "\n");
    auto empty = readPasswordFile(dir.path() / "empty");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, SyncErrorCode::Config);
    auto missing = readPasswordFile(dir.path() / "missing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, SyncErrorCode::Config);
}

TEST(PasswordSources, NetrcFollowsItsSyntax)
{
    TempDir dir;
    const fs::path netrc = dir.path() / "netrc";
    writeAll(netrc, "machine ftp.example.org login anon password x\n"
                    "macdef init\ncd /pub\nmachine cloud.example.org login evil password nope\n\n"
                    "machine Cloud.Example.Org\n  login alice\n  password \"with space\"\n  account ignored\n"
                    "machine cloud.example.org login bob password bobpw\n"
                    "default login guest password guestpw\n");
    auto alice = lookupNetrc(netrc, "cloud.example.org");
    ASSERT_TRUE(alice);
    ASSERT_TRUE(alice->has_value());
    EXPECT_EQ((*alice)->login, "alice");
    EXPECT_EQ((*alice)->password, "with space");
    auto bob = lookupNetrc(netrc, "cloud.example.org", "bob");
    ASSERT_TRUE(bob && bob->has_value());
    EXPECT_EQ((*bob)->password, "bobpw");
    auto fallback = lookupNetrc(netrc, "elsewhere.example.org");
    ASSERT_TRUE(fallback && fallback->has_value());
    EXPECT_EQ((*fallback)->login, "guest");
    auto none = lookupNetrc(netrc, "elsewhere.example.org", "carol");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    auto absent = lookupNetrc(dir.path() / "absent", "cloud.example.org");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());
}

// The keychain store against a real Secret Service: gnome-keyring in a private D-Bus session.
// The test re-runs this binary inside `dbus-run-session` with a throw-away HOME, so the
// developer's own keyring is never touched.
TEST(KeychainCredentialStore, RoundTripUnderGnomeKeyring)
{
    if (std::getenv("NUBO_KEYCHAIN_CHILD")) {
        KeychainCredentialStore store("Nubo-test");
        auto written = store.write("alice@127.0.0.1", "keyring sécret");
        ASSERT_TRUE(written) << written.error().message;
        auto read = store.read("alice@127.0.0.1");
        ASSERT_TRUE(read) << read.error().message;
        EXPECT_EQ(*read, std::optional<std::string>("keyring sécret"));
        ASSERT_TRUE(store.write("alice@127.0.0.1", "second"));
        EXPECT_EQ(store.read("alice@127.0.0.1").value(), std::optional<std::string>("second"));
        ASSERT_TRUE(store.remove("alice@127.0.0.1"));
        auto gone = store.read("alice@127.0.0.1");
        ASSERT_TRUE(gone) << gone.error().message;
        EXPECT_FALSE(gone->has_value());
        EXPECT_TRUE(store.remove("alice@127.0.0.1"));
        return;
    }
    const QString dbus = QStandardPaths::findExecutable("dbus-run-session");
    const QString keyring = QStandardPaths::findExecutable("gnome-keyring-daemon");
    if (dbus.isEmpty() || keyring.isEmpty()) {
        GTEST_SKIP() << "needs dbus-run-session and gnome-keyring-daemon (packages dbus-daemon, gnome-keyring)";
    }
    TempDir home;
    fs::create_directories(home.path() / "data");
    fs::create_directories(home.path() / "run");
    fs::permissions(home.path() / "run", fs::perms::owner_all);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DBUS_SESSION_BUS_ADDRESS");
    env.insert("NUBO_KEYCHAIN_CHILD", "1");
    env.insert("HOME", QString::fromStdString(home.path().string()));
    env.insert("XDG_DATA_HOME", QString::fromStdString((home.path() / "data").string()));
    env.insert("XDG_RUNTIME_DIR", QString::fromStdString((home.path() / "run").string()));
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    const QString self = QString::fromStdString(fs::read_symlink("/proc/self/exe").string());
    child.start(dbus, {"--", "sh", "-c",
                       "echo unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 77; "
                       "exec \"$0\" --gtest_filter=KeychainCredentialStore.RoundTripUnderGnomeKeyring",
                       self});
    ASSERT_TRUE(child.waitForStarted(10000));
    if (!child.waitForFinished(120000)) {
        child.kill();
        child.waitForFinished(5000);
        FAIL() << "the keychain test did not finish: " << child.readAll().toStdString();
    }
    const std::string output = child.readAll().toStdString();
    if (child.exitCode() == 77) GTEST_SKIP() << "gnome-keyring-daemon could not start: " << output;
    EXPECT_EQ(child.exitStatus(), QProcess::NormalExit);
    EXPECT_EQ(child.exitCode(), 0) << output;
    EXPECT_NE(output.find("[  PASSED  ] 1 test"), std::string::npos) << output;
}

} // namespace
