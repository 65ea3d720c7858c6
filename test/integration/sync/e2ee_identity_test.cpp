// This device's end-to-end encryption identity against a real nubo-server: the first device
// creates and certifies a key and wraps it with 12 new words, a second device gets the same key
// from those words, and what contradicts the pins (a changed server key, a swapped certificate) or
// does not check out (a wrong word, a wrong mnemonic, a certificate of someone else) is refused.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sqlite3.h>
#include <string>

#include <gtest/gtest.h>

#include "account.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_identity.h"
#include "mnemonic.h"
#include "server_process.h"

namespace fs = std::filesystem;
using namespace nubo::sync;
using nubo::itest::ServerProcess;

namespace {

class E2eeIdentityTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/nubo-e2ee-identity-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        m_work = pattern;
        m_server = std::make_unique<ServerProcess>(NUBO_SERVER_BINARY);
        m_server->addUser("alice", "secret").addUser("bob", "secret");
        m_server->start();
    }
    void TearDown() override
    {
        m_server->stop();
        std::error_code ignored;
        fs::remove_all(m_work, ignored);
    }

    std::shared_ptr<Account> connect(const std::string& user)
    {
        AccountConfig config;
        config.serverUrl = m_server->baseUrl();
        config.user = user;
        config.password = "secret";
        auto account = Account::connect(config);
        EXPECT_TRUE(account.has_value()) << (account ? "" : account.error().message);
        return account ? *account : nullptr;
    }

    // One device's key store: a private file, as on a machine without a Secret Service.
    E2eeKeyStore device(const std::string& name, const std::string& user = "alice")
    {
        const fs::path file = m_work / (name + ".json");
        return E2eeKeyStore(std::make_shared<FileCredentialStore>(file), user + "@" + m_server->baseUrl(),
                            file.string());
    }

    void serverSql(const std::string& sql)
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((m_server->dataDir() / "nubo.sqlite").c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        char* error = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
        sqlite3_free(error);
        sqlite3_close(db);
    }

    fs::path m_work;
    std::unique_ptr<ServerProcess> m_server;
};

TEST_F(E2eeIdentityTest, FirstDeviceMakesACertifiedKeyAndTwelveWords)
{
    auto account = connect("alice");
    auto api = E2eeApiClient::forAccount(*account);
    ASSERT_TRUE(api.has_value()) << api.error().message;
    auto store = device("laptop");
    auto created = createE2eeIdentity(*api, "alice", store);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_TRUE(nubo::e2ee::parseMnemonic(created->mnemonic).has_value()) << "12 words from the list";
    const E2eeIdentity& identity = created->identity;
    EXPECT_EQ(identity.certificate.commonName(), "alice");
    EXPECT_TRUE(identity.certificate.issuedBy(identity.serverKey));
    EXPECT_TRUE(identity.certificate.matches(identity.key));
    EXPECT_EQ(identity.fingerprint().size(), 32u * 3 - 1);
    // The server keeps the wrapped key; this device keeps the key and its pins.
    auto envelope = api->privateKeyEnvelope();
    ASSERT_TRUE(envelope.has_value());
    EXPECT_TRUE(envelope->has_value());
    auto loaded = loadE2eeIdentity(&*api, "alice", store);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    ASSERT_TRUE(loaded->has_value());
    EXPECT_TRUE((*loaded)->certificate == identity.certificate);
    EXPECT_EQ(fs::status(m_work / "laptop.json").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    // A second "first device" is refused: the words would not open the stored key any more.
    auto again = createE2eeIdentity(*api, "alice", store);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, SyncErrorCode::Config);
    EXPECT_NE(again.error().message.find("already set up"), std::string::npos);
}

TEST_F(E2eeIdentityTest, ASecondDeviceGetsTheSameKeyFromTheTwelveWords)
{
    auto api = E2eeApiClient::forAccount(*connect("alice"));
    ASSERT_TRUE(api.has_value());
    auto laptop = device("laptop");
    auto created = createE2eeIdentity(*api, "alice", laptop);
    ASSERT_TRUE(created.has_value()) << created.error().message;

    auto desktop = device("desktop");
    // As a user types them: extra spaces, capitals, a trailing newline.
    std::string typed = "  " + std::string(created->mnemonic.begin(), created->mnemonic.end()) + "\n";
    for (char& c : typed)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto added = addE2eeDevice(*api, "alice", typed, desktop);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_TRUE(added->certificate == created->identity.certificate);
    EXPECT_TRUE(added->certificate.matches(created->identity.key)) << "the same private key";
}

TEST_F(E2eeIdentityTest, TheTwelveWordsAreKeptBesideTheKeyAndForgottenWithIt)
{
    auto api = E2eeApiClient::forAccount(*connect("alice"));
    ASSERT_TRUE(api.has_value());
    auto laptop = device("laptop");
    auto none = laptop.mnemonic();
    ASSERT_TRUE(none.has_value()) << none.error().message;
    EXPECT_FALSE(none->has_value()) << "no words before they are saved";

    auto created = createE2eeIdentity(*api, "alice", laptop);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    const std::string words(created->mnemonic.begin(), created->mnemonic.end());
    // Kept normalised, whatever spacing and case they were given in.
    std::string typed = " " + words + "\n";
    for (char& c : typed)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ASSERT_TRUE(laptop.saveMnemonic(typed).has_value());
    auto kept = laptop.mnemonic();
    ASSERT_TRUE(kept.has_value() && kept->has_value());
    EXPECT_EQ(std::string((*kept)->begin(), (*kept)->end()), words);

    // Under its own key in the store, like the private key; another account's store sees none.
    FileCredentialStore file(m_work / "laptop.json");
    auto raw = file.read("e2ee-mnemonic alice@" + m_server->baseUrl());
    ASSERT_TRUE(raw.has_value() && raw->has_value());
    EXPECT_EQ(**raw, words);
    auto bobOnLaptop = E2eeKeyStore(std::make_shared<FileCredentialStore>(m_work / "laptop.json"),
                                    "bob@" + m_server->baseUrl(), "laptop.json");
    EXPECT_FALSE(bobOnLaptop.mnemonic()->has_value());

    // The words that are kept open the key on another device.
    auto desktop = device("desktop");
    ASSERT_TRUE(addE2eeDevice(*api, "alice", std::string((*kept)->begin(), (*kept)->end()), desktop).has_value());

    ASSERT_TRUE(laptop.forget().has_value());
    EXPECT_FALSE(laptop.mnemonic()->has_value());
    EXPECT_FALSE(laptop.privateKeyPem()->has_value());
    EXPECT_TRUE(laptop.pins()->serverKeyPem.empty());
    EXPECT_FALSE(file.read("e2ee-mnemonic alice@" + m_server->baseUrl())->has_value());
}

TEST_F(E2eeIdentityTest, AWrongMnemonicOrWordIsOneClearError)
{
    auto api = E2eeApiClient::forAccount(*connect("alice"));
    ASSERT_TRUE(api.has_value());
    auto laptop = device("laptop");
    auto created = createE2eeIdentity(*api, "alice", laptop);
    ASSERT_TRUE(created.has_value());
    auto desktop = device("desktop");

    // Twelve valid words, but not these.
    const auto& list = nubo::e2ee::bip39EnglishWords();
    std::string other;
    for (int i = 0; i < 12; ++i)
        other += std::string(list[static_cast<std::size_t>(i * 7)]) + " ";
    auto wrong = addE2eeDevice(*api, "alice", other, desktop);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, SyncErrorCode::WrongMnemonic);
    EXPECT_NE(wrong.error().message.find("do not open the key"), std::string::npos) << wrong.error().message;

    // A word not in the list is named by its place (the word itself is half a secret), with
    // the list words closest to it.
    std::string words(created->mnemonic.begin(), created->mnemonic.end());
    const std::string first = words.substr(0, words.find(' '));
    words.replace(0, first.size(), first + "x");
    auto typo = addE2eeDevice(*api, "alice", words, desktop);
    ASSERT_FALSE(typo.has_value());
    EXPECT_EQ(typo.error().code, SyncErrorCode::WrongMnemonic);
    EXPECT_NE(typo.error().message.find("word 1 "), std::string::npos) << typo.error().message;
    EXPECT_NE(typo.error().message.find("did you mean"), std::string::npos) << typo.error().message;
    EXPECT_FALSE(loadE2eeIdentity(nullptr, "alice", desktop)->has_value()) << "nothing was stored";
}

TEST_F(E2eeIdentityTest, AChangedServerKeyStopsTheAccount)
{
    auto api = E2eeApiClient::forAccount(*connect("alice"));
    ASSERT_TRUE(api.has_value());
    auto laptop = device("laptop");
    ASSERT_TRUE(createE2eeIdentity(*api, "alice", laptop).has_value());
    // The server now presents another CA key (pinned: the old one).
    auto pins = laptop.pins();
    ASSERT_TRUE(pins.has_value());
    auto otherKey = nubo::e2ee::PrivateKey::generateRsa(2048);
    ASSERT_TRUE(otherKey.has_value());
    pins->serverKeyPem = otherKey->publicKey().toPem();
    ASSERT_TRUE(laptop.savePins(*pins).has_value());
    auto loaded = loadE2eeIdentity(&*api, "alice", laptop);
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, SyncErrorCode::UntrustedKey);
    EXPECT_NE(loaded.error().message.find("server's end-to-end encryption key changed"), std::string::npos)
        << loaded.error().message;
}

TEST_F(E2eeIdentityTest, ASwappedCertificateIsRefused)
{
    auto aliceApi = E2eeApiClient::forAccount(*connect("alice"));
    auto bobApi = E2eeApiClient::forAccount(*connect("bob"));
    ASSERT_TRUE(aliceApi.has_value() && bobApi.has_value());
    auto laptop = device("laptop");
    auto alice = createE2eeIdentity(*aliceApi, "alice", laptop);
    auto bobDevice = device("bob", "bob");
    ASSERT_TRUE(alice.has_value());
    ASSERT_TRUE(createE2eeIdentity(*bobApi, "bob", bobDevice).has_value());

    // The server hands out bob's certificate as alice's.
    serverSql("UPDATE e2ee_public_keys SET certificate = (SELECT certificate FROM e2ee_public_keys WHERE user = 'bob') "
              "WHERE user = 'alice'");
    auto desktop = device("desktop");
    auto added = addE2eeDevice(*aliceApi, "alice", alice->mnemonic, desktop);
    ASSERT_FALSE(added.has_value());
    EXPECT_EQ(added.error().code, SyncErrorCode::UntrustedKey);
    EXPECT_NE(added.error().message.find("names someone else"), std::string::npos) << added.error().message;
    // The device that pinned alice's real certificate notices the swap too.
    auto loaded = loadE2eeIdentity(&*aliceApi, "alice", laptop);
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, SyncErrorCode::UntrustedKey);
}

} // namespace
