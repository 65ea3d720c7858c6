// The E2EE OCS API of nubo-server over real HTTP, checked with the client's own crypto core
// (nubo_e2ee): certificates the server issues must verify the way the client verifies them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "encoding.h"
#include "http_client.h"
#include "keys.h"
#include "server_process.h"

namespace nubo::itest {
namespace {

using nlohmann::json;

constexpr const char* kApi = "/ocs/v2.php/apps/end_to_end_encryption/api/v2/";
const HeaderList kE2ee = {{"OCS-APIREQUEST", "true"}, {"X-E2EE-SUPPORTED", "true"}};

// NUBO_SERVER_BINARY (compile definition, overridable by the environment variable of the same
// name) names the binary.
std::filesystem::path serverBinary()
{
    if (const char* env = std::getenv("NUBO_SERVER_BINARY"); env && *env) return env;
    return NUBO_SERVER_BINARY;
}

HeaderList with(HeaderList headers, const HeaderList& more)
{
    headers.insert(headers.end(), more.begin(), more.end());
    return headers;
}

std::string form(const std::string& name, const std::string& value)
{
    return name + "=" + percentEncode(value, false);
}

class ServerE2ee : public ::testing::Test {
protected:
    void SetUp() override
    {
        server = std::make_unique<ServerProcess>(serverBinary());
        server->addUser("alice", "secret").addUser("bob", "hunter2").addArguments(extraArguments());
        server->start();
        alice = std::make_unique<HttpClient>(server->host(), server->port());
        alice->setBasicAuth("alice", "secret");
        bob = std::make_unique<HttpClient>(server->host(), server->port());
        bob->setBasicAuth("bob", "hunter2");
    }
    virtual std::vector<std::string> extraArguments() const { return {}; }

    Reply api(HttpClient& client, const std::string& method, const std::string& endpoint, const HeaderList& headers = {},
              const std::string& body = {})
    {
        HeaderList all = with(kE2ee, headers);
        if (!body.empty()) all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        return client.request(method, kApi + endpoint + (endpoint.find('?') == std::string::npos ? "?format=json" : "&format=json"),
                              all, body);
    }
    static json data(const Reply& reply) { return json::parse(reply.body)["ocs"]["data"]; }

    std::int64_t fileId(HttpClient& client, const std::string& path)
    {
        const Reply reply = client.propfind("/remote.php/dav/files/alice/" + path, "0",
                                            R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">)"
                                            R"(<d:prop><oc:fileid/></d:prop></d:propfind>)");
        std::smatch match;
        if (!std::regex_search(reply.body, match, std::regex("<oc:fileid>([0-9]+)</oc:fileid>"))) return -1;
        return std::stoll(match[1]);
    }

    // An empty folder flagged encrypted; returns its file id.
    std::int64_t encryptedFolder(const std::string& name)
    {
        EXPECT_EQ(alice->mkcol("/remote.php/dav/files/alice/" + name).status, 201u);
        const std::int64_t id = fileId(*alice, name);
        EXPECT_EQ(api(*alice, "PUT", "encrypted/" + std::to_string(id)).status, 200u);
        return id;
    }

    std::string lock(std::int64_t id, int counter, unsigned expected = 200)
    {
        const Reply reply = api(*alice, "POST", "lock/" + std::to_string(id), {{"X-NC-E2EE-COUNTER", std::to_string(counter)}});
        EXPECT_EQ(reply.status, expected) << reply.body;
        return reply.status == 200 ? data(reply)["e2e-token"].get<std::string>() : std::string();
    }

    static std::string dav(const std::string& rel) { return "/remote.php/dav/files/alice/" + rel; }

    // A WebDAV request of alice's as an E2EE client sends it: `token` as the e2e-token header
    // when given, `destination` (below alice's files) as the Destination of a MOVE.
    Reply write(const std::string& method, const std::string& rel, const std::optional<std::string>& token,
                const std::string& destination = {}, const std::string& body = {})
    {
        HeaderList headers = kE2ee;
        if (token) headers.emplace_back("e2e-token", *token);
        if (!destination.empty()) headers.emplace_back("Destination", alice->url(dav(destination)));
        return alice->request(method, dav(rel), headers, body);
    }

    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<HttpClient> alice;
    std::unique_ptr<HttpClient> bob;
};

TEST_F(ServerE2ee, RefusesClientsThatDoNotDeclareE2eeSupport)
{
    const Reply reply = alice->get(std::string(kApi) + "server-key?format=json", {{"OCS-APIREQUEST", "true"}});
    EXPECT_EQ(reply.status, 403u);
    const Reply official = alice->get(std::string(kApi) + "server-key?format=json",
                                      {{"OCS-APIREQUEST", "true"}, {"User-Agent", "Mozilla/5.0 (Linux) mirall/3.7.3"}});
    EXPECT_EQ(official.status, 200u);
}

TEST_F(ServerE2ee, IssuesCertificatesTheClientVerifiesUnderTheServerKey)
{
    const Reply serverKeyReply = api(*alice, "GET", "server-key");
    ASSERT_EQ(serverKeyReply.status, 200u);
    auto serverKey = e2ee::PublicKey::fromPem(data(serverKeyReply)["public-key"].get<std::string>());
    ASSERT_TRUE(serverKey);

    auto key = e2ee::PrivateKey::generateRsa();
    ASSERT_TRUE(key);
    auto csr = e2ee::createCsr(*key, "alice");
    ASSERT_TRUE(csr);
    const Reply issued = api(*alice, "POST", "public-key", {}, form("csr", *csr));
    ASSERT_EQ(issued.status, 200u) << issued.body;
    auto certificate = e2ee::Certificate::fromPem(data(issued)["public-key"].get<std::string>());
    ASSERT_TRUE(certificate);
    EXPECT_EQ(certificate->commonName(), "alice");
    EXPECT_TRUE(certificate->matches(*key));
    EXPECT_TRUE(certificate->issuedBy(*serverKey));

    EXPECT_EQ(api(*alice, "POST", "public-key", {}, form("csr", *csr)).status, 409u);
    auto bobCsr = e2ee::createCsr(*key, "alice");
    EXPECT_EQ(api(*bob, "POST", "public-key", {}, form("csr", *bobCsr)).status, 403u); // CN is not bob
    EXPECT_EQ(api(*bob, "POST", "public-key", {}, form("csr", "not a csr")).status, 400u);

    const Reply keys = api(*bob, "GET", "public-key?users=" + percentEncode(R"(["alice"])", false));
    EXPECT_EQ(keys.status, 404u) << "bob has no key yet, and the requester is always included";
    const Reply aliceKeys = api(*alice, "GET", "public-key?users=" + percentEncode(R"(["alice"])", false));
    ASSERT_EQ(aliceKeys.status, 200u);
    EXPECT_EQ(data(aliceKeys)["public-keys"]["alice"], data(issued)["public-key"]);
}

TEST_F(ServerE2ee, StoresThePrivateKeyEnvelopeOnceAndChecksItsShape)
{
    const std::string envelope = "Y2lwaGVydGV4dA==|" + e2ee::base64Encode(std::vector<std::uint8_t>(12, 1)) + "|" +
                                 e2ee::base64Encode(std::vector<std::uint8_t>(40, 2));
    EXPECT_EQ(api(*alice, "GET", "private-key").status, 404u);
    EXPECT_EQ(api(*alice, "POST", "private-key", {}, form("privateKey", "a|b")).status, 400u);
    EXPECT_EQ(api(*alice, "POST", "private-key", {}, form("privateKey", envelope)).status, 200u);
    EXPECT_EQ(api(*alice, "POST", "private-key", {}, form("privateKey", envelope)).status, 409u);
    const Reply stored = api(*alice, "GET", "private-key");
    ASSERT_EQ(stored.status, 200u);
    EXPECT_EQ(data(stored)["private-key"], envelope);
    EXPECT_EQ(api(*bob, "GET", "private-key").status, 404u);
}

TEST_F(ServerE2ee, OnlyEmptyFoldersGetTheEncryptedFlag)
{
    const std::int64_t id = encryptedFolder("Secret");
    const Reply listing = alice->propfind("/remote.php/dav/files/alice/Secret", "0",
                                          R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns">)"
                                          R"(<d:prop><nc:is-encrypted/></d:prop></d:propfind>)");
    EXPECT_NE(listing.body.find("<nc:is-encrypted>1</nc:is-encrypted>"), std::string::npos) << listing.body;

    ASSERT_EQ(alice->mkcol("/remote.php/dav/files/alice/Plain").status, 201u);
    ASSERT_EQ(alice->put("/remote.php/dav/files/alice/Plain/a.txt", "x").status, 201u);
    EXPECT_EQ(api(*alice, "PUT", "encrypted/" + std::to_string(fileId(*alice, "Plain"))).status, 403u);
    EXPECT_EQ(api(*alice, "PUT", "encrypted/" + std::to_string(fileId(*alice, ""))).status, 403u);
    EXPECT_EQ(api(*bob, "PUT", "encrypted/" + std::to_string(id)).status, 404u);

    const std::string token = lock(id, 1);
    ASSERT_EQ(alice->put("/remote.php/dav/files/alice/Secret/0123456789abcdef0123456789abcdef", "blob",
                         with(kE2ee, {{"e2e-token", token}}))
                  .status,
              201u);
    EXPECT_EQ(api(*alice, "DELETE", "encrypted/" + std::to_string(id)).status, 403u);
}

TEST_F(ServerE2ee, LocksNeedARisingCounterAndExcludeOtherTokens)
{
    const std::int64_t id = encryptedFolder("Secret");
    ASSERT_EQ(alice->mkcol("/remote.php/dav/files/alice/Secret/sub").status, 403u) << "writes need the lock";
    EXPECT_EQ(api(*alice, "POST", "lock/" + std::to_string(id)).status, 400u) << "counter header missing";
    const std::string token = lock(id, 5);
    EXPECT_EQ(token.size(), 64u);
    EXPECT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9]{64}")));
    lock(id, 6, 423); // held by another token

    const std::string path = "/remote.php/dav/files/alice/Secret/0123456789abcdef0123456789abcdef";
    EXPECT_EQ(alice->put(path, "x", with(kE2ee, {{"e2e-token", "wrong"}})).status, 423u);
    EXPECT_EQ(alice->put(path, "x", {{"e2e-token", token}}).status, 403u) << "no X-E2EE-SUPPORTED";
    EXPECT_EQ(alice->put(path, "x", with(kE2ee, {{"e2e-token", token}})).status, 201u);

    EXPECT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", "wrong"}}).status, 403u);
    EXPECT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);
    EXPECT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 404u);
    lock(id, 5, 412); // not greater than the stored counter
    lock(id, 7);
}

TEST_F(ServerE2ee, LocksCoverNestedFolders)
{
    const std::int64_t id = encryptedFolder("Secret");
    const std::string token = lock(id, 1);
    ASSERT_EQ(alice->mkcol("/remote.php/dav/files/alice/Secret/fedcba9876543210fedcba9876543210").status, 403u);
    ASSERT_EQ(alice->request("MKCOL", "/remote.php/dav/files/alice/Secret/fedcba9876543210fedcba9876543210",
                             with(kE2ee, {{"e2e-token", token}}))
                  .status,
              201u);
    const std::int64_t nested = fileId(*alice, "Secret/fedcba9876543210fedcba9876543210");
    lock(nested, 1, 423); // covered by the lock on its parent
}

TEST_F(ServerE2ee, MetadataIsStagedUntilUnlockAndSignedWrites)
{
    const std::int64_t id = encryptedFolder("Secret");
    const std::string meta = R"({"metadata":{"ciphertext":"x"},"version":"2.0"})";
    EXPECT_EQ(api(*alice, "GET", "meta-data/" + std::to_string(id)).status, 404u);
    EXPECT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {}, form("metaData", meta)).status, 412u);
    const std::string token = lock(id, 1);
    EXPECT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {{"e2e-token", token}}, form("metaData", meta)).status,
              412u)
        << "v2 needs a signature";
    EXPECT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id),
                  {{"e2e-token", "other"}, {"X-NC-E2EE-SIGNATURE", "c2ln"}}, form("metaData", meta))
                  .status,
              403u);
    EXPECT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {{"e2e-token", token}, {"X-NC-E2EE-SIGNATURE", "c2ln"}},
                  form("metaData", meta))
                  .status,
              200u);
    EXPECT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {{"e2e-token", token}, {"X-NC-E2EE-SIGNATURE", "c2ln"}},
                  form("metaData", meta))
                  .status,
              409u);
    EXPECT_EQ(api(*alice, "GET", "meta-data/" + std::to_string(id)).status, 404u) << "staged, not committed";
    const Reply unlocked = api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}});
    ASSERT_EQ(unlocked.status, 200u) << unlocked.body;
    const Reply committed = api(*alice, "GET", "meta-data/" + std::to_string(id));
    ASSERT_EQ(committed.status, 200u);
    EXPECT_EQ(data(committed)["meta-data"], meta);
    EXPECT_EQ(committed.header("X-NC-E2EE-SIGNATURE"), "c2ln");

    const std::string token2 = lock(id, 2);
    EXPECT_EQ(api(*alice, "PUT", "meta-data/" + std::to_string(id), {{"e2e-token", token2}, {"X-NC-E2EE-SIGNATURE", "c2ln"}},
                  form("metaData", R"({"v":2})"))
                  .status,
              200u);
    ASSERT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token2}}).status, 200u);
    EXPECT_EQ(data(api(*alice, "GET", "meta-data/" + std::to_string(id)))["meta-data"], R"({"v":2})");
}

TEST_F(ServerE2ee, AbortRollsBackEveryStagedChange)
{
    const std::int64_t id = encryptedFolder("Secret");
    const std::string blob = "/remote.php/dav/files/alice/Secret/0123456789abcdef0123456789abcdef";
    std::string token = lock(id, 1);
    ASSERT_EQ(alice->put(blob, "version one", with(kE2ee, {{"e2e-token", token}})).status, 201u);
    ASSERT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {{"e2e-token", token}, {"X-NC-E2EE-SIGNATURE", "s1"}},
                  form("metaData", "one"))
                  .status,
              200u);
    ASSERT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);

    token = lock(id, 2);
    ASSERT_EQ(alice->put(blob, "version two", with(kE2ee, {{"e2e-token", token}})).status, 204u);
    const std::string added = "/remote.php/dav/files/alice/Secret/11111111111111111111111111111111";
    ASSERT_EQ(alice->put(added, "new", with(kE2ee, {{"e2e-token", token}})).status, 201u);
    ASSERT_EQ(api(*alice, "PUT", "meta-data/" + std::to_string(id), {{"e2e-token", token}, {"X-NC-E2EE-SIGNATURE", "s2"}},
                  form("metaData", "two"))
                  .status,
              200u);
    const Reply aborted = api(*alice, "DELETE", "lock/" + std::to_string(id) + "?abort=true", {{"e2e-token", token}});
    ASSERT_EQ(aborted.status, 200u) << aborted.body;

    EXPECT_EQ(alice->get(blob).body, "version one");
    EXPECT_EQ(alice->get(added).status, 404u);
    // Sizes add up again after the rollback: the folder and the user's root hold 11 bytes.
    const char* sizeQuery = R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">)"
                            R"(<d:prop><oc:size/></d:prop></d:propfind>)";
    EXPECT_NE(alice->propfind("/remote.php/dav/files/alice/Secret/", "0", sizeQuery).body.find("<oc:size>11</oc:size>"),
              std::string::npos);
    EXPECT_NE(alice->propfind("/remote.php/dav/files/alice/", "0", sizeQuery).body.find("<oc:size>11</oc:size>"),
              std::string::npos);
    EXPECT_EQ(data(api(*alice, "GET", "meta-data/" + std::to_string(id)))["meta-data"], "one");
    lock(id, 3); // unlocked again
}

TEST_F(ServerE2ee, FiledropEntriesAreMergedIntoTheCommittedDocument)
{
    const std::int64_t id = encryptedFolder("Drop");
    const std::string target = "meta-data/" + std::to_string(id) + "/filedrop";
    EXPECT_EQ(api(*alice, "PUT", target, {}, form("filedrop", R"({"a":{"x":1}})")).status, 404u) << "no metadata yet";
    const std::string token = lock(id, 1);
    ASSERT_EQ(api(*alice, "POST", "meta-data/" + std::to_string(id), {{"e2e-token", token}, {"X-NC-E2EE-SIGNATURE", "s"}},
                  form("metaData", R"({"metadata":{},"version":"2.0"})"))
                  .status,
              200u);
    EXPECT_EQ(api(*alice, "PUT", target, {}, form("filedrop", R"({"a":{"x":1}})")).status, 403u) << "locked";
    ASSERT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);
    EXPECT_EQ(api(*alice, "PUT", target, {}, form("filedrop", "[1]")).status, 400u);
    ASSERT_EQ(api(*alice, "PUT", target, {}, form("filedrop", R"({"a":{"x":1}})")).status, 200u);
    ASSERT_EQ(api(*alice, "PUT", target, {}, form("filedrop", R"({"b":{"y":2}})")).status, 200u);
    const json document = json::parse(data(api(*alice, "GET", "meta-data/" + std::to_string(id)))["meta-data"].get<std::string>());
    EXPECT_EQ(document["filedrop"], json::parse(R"({"a":{"x":1},"b":{"y":2}})"));
    EXPECT_EQ(document["version"], "2.0");
}

TEST_F(ServerE2ee, ApiVersionOneLocksWithoutCounterAndTakesTheTokenAsAQueryParameter)
{
    const std::int64_t id = encryptedFolder("Old");
    const std::string v1 = "/ocs/v2.php/apps/end_to_end_encryption/api/v1/";
    const Reply locked = alice->request("POST", v1 + "lock/" + std::to_string(id) + "?format=json", kE2ee);
    ASSERT_EQ(locked.status, 200u) << locked.body;
    const std::string token = data(locked)["e2e-token"];
    EXPECT_EQ(alice->request("POST", v1 + "lock/" + std::to_string(id) + "?format=json", kE2ee).status, 423u);
    EXPECT_EQ(alice->request("PUT", "/remote.php/dav/files/alice/Old/0123456789abcdef0123456789abcdef?e2e-token=" + token,
                             kE2ee, "v1 blob")
                  .status,
              201u);
    const Reply unlocked =
        alice->request("DELETE", v1 + "lock/" + std::to_string(id) + "?format=json&e2e-token=" + token, kE2ee);
    EXPECT_EQ(unlocked.status, 200u) << unlocked.body;
    EXPECT_EQ(alice->get("/remote.php/dav/files/alice/Old/0123456789abcdef0123456789abcdef").body, "v1 blob");
}

// As the real app's LockPlugin: a WebDAV write whose target (or MOVE source or destination) lies
// in an encrypted folder is refused with 403 when it carries no e2e-token, whether the folder is
// locked or not, and with 423 when the token is not the lock's (also when nothing is locked).
// Reads need no token. With the lock's token every write works, and abort=true undoes them all.
TEST_F(ServerE2ee, WritesIntoAnEncryptedFolderNeedTheLockTokenLockedOrNot)
{
    const std::int64_t id = encryptedFolder("Secret");
    ASSERT_EQ(alice->mkcol(dav("Plain")).status, 201u);
    ASSERT_EQ(alice->put(dav("Plain/p.txt"), "plain").status, 201u);
    std::string token = lock(id, 1);
    ASSERT_EQ(write("PUT", "Secret/f1", token, {}, "one").status, 201u);
    ASSERT_EQ(write("MKCOL", "Secret/d1", token).status, 201u);
    ASSERT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);

    struct Write {
        const char* method;
        const char* target;
        const char* destination;
    };
    const std::vector<Write> writes = {
        {"PUT", "Secret/new", ""},          {"PUT", "Secret/f1", ""},         {"MKCOL", "Secret/d2", ""},
        {"MKCOL", "Secret/d1/sub", ""},     {"DELETE", "Secret/f1", ""},      {"DELETE", "Secret/d1", ""},
        {"MOVE", "Secret/f1", "Secret/f2"}, {"MOVE", "Secret/f1", "Plain/f1"}, {"MOVE", "Plain/p.txt", "Secret/p.txt"},
    };
    const auto expectEvery = [&](const std::optional<std::string>& sent, unsigned expected, const char* when) {
        for (const Write& w : writes) {
            const Reply reply = write(w.method, w.target, sent, w.destination, std::string(w.method) == "PUT" ? "x" : "");
            EXPECT_EQ(reply.status, expected) << w.method << " " << w.target << " " << w.destination << ", " << when
                                              << ":\n" << reply.describe();
        }
    };
    expectEvery(std::nullopt, 403, "no token, not locked");
    expectEvery(std::string("not-the-token"), 423, "a token, not locked");
    expectEvery(token, 423, "the token of a released lock");
    token = lock(id, 2);
    expectEvery(std::nullopt, 403, "no token, locked");
    expectEvery(std::string("not-the-token"), 423, "another token, locked");
    expectEvery(std::string(), 423, "an empty e2e-token header, locked");

    // Nothing changed; reading needs no token.
    const Reply read = alice->get(dav("Secret/f1"), kE2ee);
    EXPECT_EQ(read.status, 200u) << read.describe();
    EXPECT_EQ(read.body, "one");
    EXPECT_EQ(alice->propfind(dav("Secret"), "1", "", kE2ee).status, 207u);
    EXPECT_EQ(alice->get(dav("Plain/p.txt")).body, "plain");
    EXPECT_EQ(alice->get(dav("Secret/new")).status, 404u);

    EXPECT_EQ(write("PUT", "Secret/new", token, {}, "new").status, 201u);
    EXPECT_EQ(write("PUT", "Secret/f1", token, {}, "changed").status, 204u);
    EXPECT_EQ(write("MKCOL", "Secret/d2", token).status, 201u);
    EXPECT_EQ(write("MKCOL", "Secret/d1/sub", token).status, 201u);
    EXPECT_EQ(write("MOVE", "Secret/f1", token, "Secret/f2").status, 201u);
    EXPECT_EQ(write("DELETE", "Secret/d1", token).status, 204u);
    EXPECT_EQ(alice->get(dav("Secret/f2")).body, "changed");
    EXPECT_EQ(alice->get(dav("Secret/f1")).status, 404u);

    const Reply aborted = api(*alice, "DELETE", "lock/" + std::to_string(id) + "?abort=true", {{"e2e-token", token}});
    ASSERT_EQ(aborted.status, 200u) << aborted.body;
    EXPECT_EQ(alice->get(dav("Secret/f1")).body, "one");
    EXPECT_EQ(alice->get(dav("Secret/f2")).status, 404u);
    EXPECT_EQ(alice->get(dav("Secret/new")).status, 404u);
    EXPECT_EQ(alice->propfind(dav("Secret/d2"), "0", "").status, 404u);
    EXPECT_EQ(alice->propfind(dav("Secret/d1"), "0", "").status, 207u);
    EXPECT_EQ(alice->propfind(dav("Secret/d1/sub"), "0", "").status, 404u);
    EXPECT_EQ(alice->get(dav("Plain/p.txt")).body, "plain");
}

// Chunks go to the uploads collection, which the real app's LockPlugin leaves alone (it acts only
// on nodes of the files tree): they need neither a token nor an E2EE client. The assembly (MOVE
// of .file) writes into the encrypted folder and needs the lock's token like a PUT.
TEST_F(ServerE2ee, ChunkedUploadsNeedTheTokenOnlyForTheAssembly)
{
    const std::int64_t id = encryptedFolder("Secret");
    const std::string destination = alice->url(dav("Secret/big"));
    const auto upload = [&](const std::string& transfer) {
        const std::string base = "/remote.php/dav/uploads/alice/" + transfer;
        const HeaderList headers = {{"Destination", destination}, {"OC-Total-Length", "8"}};
        EXPECT_EQ(alice->request("MKCOL", base, headers).status, 201u);
        EXPECT_EQ(alice->put(base + "/00001", "abcd", headers).status, 201u);
        EXPECT_EQ(alice->put(base + "/00002", "efgh", headers).status, 201u);
        return base + "/.file";
    };
    const auto assemble = [&](const std::string& file, const std::optional<std::string>& token) {
        HeaderList headers = with(kE2ee, {{"Destination", destination}, {"OC-Total-Length", "8"}});
        if (token) headers.emplace_back("e2e-token", *token);
        return alice->request("MOVE", file, headers);
    };

    const std::string early = upload("transfer-1");
    EXPECT_EQ(assemble(early, std::nullopt).status, 403u) << "no token, not locked";
    EXPECT_EQ(assemble(early, "not-the-token").status, 423u) << "a token, not locked";

    const std::string token = lock(id, 1);
    const std::string file = upload("transfer-2"); // while locked, still without a token
    EXPECT_EQ(assemble(file, std::nullopt).status, 403u) << "no token, locked";
    EXPECT_EQ(assemble(file, "not-the-token").status, 423u) << "another token, locked";
    EXPECT_EQ(assemble(early, std::nullopt).status, 403u);
    const Reply done = assemble(file, token); // the refusals left the upload intact
    ASSERT_EQ(done.status, 201u) << done.describe();
    EXPECT_EQ(alice->get(dav("Secret/big")).body, "abcdefgh");
    ASSERT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);
    EXPECT_EQ(alice->get(dav("Secret/big")).body, "abcdefgh");
    EXPECT_EQ(assemble(early, token).status, 423u) << "the lock is gone";
}

// PROTOCOL.md §4.1: what PHP's openssl_csr_sign(csr, null, serverKey, days, sha256) issues, the
// shape the official web client insists on: issuer = the CSR's subject, serial 0, SHA-256 by the
// server key, and OpenSSL's default v3_ca extensions.
TEST_F(ServerE2ee, IssuedCertificatesHaveTheShapeRealServersIssue)
{
    auto key = e2ee::PrivateKey::generateRsa();
    ASSERT_TRUE(key);
    auto csrPem = e2ee::createCsr(*key, "alice");
    ASSERT_TRUE(csrPem);
    const Reply issued = api(*alice, "POST", "public-key", {}, form("csr", *csrPem));
    ASSERT_EQ(issued.status, 200u) << issued.body;
    const std::string certificatePem = data(issued)["public-key"].get<std::string>();
    const Reply serverKeyReply = api(*alice, "GET", "server-key");
    ASSERT_EQ(serverKeyReply.status, 200u);
    const std::string serverKeyPem = data(serverKeyReply)["public-key"].get<std::string>();

    const auto bio = [](const std::string& text) {
        return std::unique_ptr<BIO, decltype(&BIO_free)>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())),
                                                         &BIO_free);
    };
    const std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(bio(certificatePem).get(), nullptr, nullptr, nullptr), &X509_free);
    ASSERT_TRUE(cert) << certificatePem;
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> serverKey(
        PEM_read_bio_PUBKEY(bio(serverKeyPem).get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    ASSERT_TRUE(serverKey) << serverKeyPem;
    const std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> csr(
        PEM_read_bio_X509_REQ(bio(*csrPem).get(), nullptr, nullptr, nullptr), &X509_REQ_free);
    ASSERT_TRUE(csr);

    EXPECT_EQ(X509_get_version(cert.get()), 2) << "X.509 v3";
    EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(cert.get())), 0) << "serial 0";
    EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(cert.get())), 0)
        << "issuer == subject";
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_REQ_get_subject_name(csr.get())), 0)
        << "the CSR's subject DN";
    EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
    EXPECT_EQ(X509_verify(cert.get(), serverKey.get()), 1) << "signed by the server key";
    ERR_clear_error();

    EXPECT_EQ(X509_get_ext_count(cert.get()), 3) << "exactly the v3_ca extensions";
    const auto extension = [&](int nid) -> X509_EXTENSION* {
        const int index = X509_get_ext_by_NID(cert.get(), nid, -1);
        return index < 0 ? nullptr : X509_get_ext(cert.get(), index);
    };
    // subjectKeyIdentifier = hash: SHA-1 of the subject public key's bits.
    X509_EXTENSION* ski = extension(NID_subject_key_identifier);
    ASSERT_NE(ski, nullptr) << "subjectKeyIdentifier";
    EXPECT_EQ(X509_EXTENSION_get_critical(ski), 0);
    const ASN1_OCTET_STRING* keyId = X509_get0_subject_key_id(cert.get());
    ASSERT_NE(keyId, nullptr);
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hashLength = 0;
    ASSERT_EQ(X509_pubkey_digest(cert.get(), EVP_sha1(), hash, &hashLength), 1);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(keyId)),
                          static_cast<std::size_t>(ASN1_STRING_length(keyId))),
              std::string(reinterpret_cast<const char*>(hash), hashLength));
    // authorityKeyIdentifier = keyid: the same value, and nothing else.
    X509_EXTENSION* aki = extension(NID_authority_key_identifier);
    ASSERT_NE(aki, nullptr) << "authorityKeyIdentifier";
    EXPECT_EQ(X509_EXTENSION_get_critical(aki), 0);
    const ASN1_OCTET_STRING* authorityKeyId = X509_get0_authority_key_id(cert.get());
    ASSERT_NE(authorityKeyId, nullptr);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(authorityKeyId, keyId), 0);
    EXPECT_EQ(X509_get0_authority_issuer(cert.get()), nullptr);
    EXPECT_EQ(X509_get0_authority_serial(cert.get()), nullptr);
    // basicConstraints = critical, CA:TRUE (no path length).
    X509_EXTENSION* constraints = extension(NID_basic_constraints);
    ASSERT_NE(constraints, nullptr) << "basicConstraints";
    EXPECT_EQ(X509_EXTENSION_get_critical(constraints), 1);
    const std::unique_ptr<BASIC_CONSTRAINTS, decltype(&BASIC_CONSTRAINTS_free)> basic(
        static_cast<BASIC_CONSTRAINTS*>(X509V3_EXT_d2i(constraints)), &BASIC_CONSTRAINTS_free);
    ASSERT_TRUE(basic);
    EXPECT_NE(basic->ca, 0) << "CA:TRUE";
    EXPECT_EQ(basic->pathlen, nullptr);
    EXPECT_NE(X509_get_extension_flags(cert.get()) & EXFLAG_CA, 0u);

    // And the client's own checks still accept it.
    auto certificate = e2ee::Certificate::fromPem(certificatePem);
    ASSERT_TRUE(certificate);
    auto pinned = e2ee::PublicKey::fromPem(serverKeyPem);
    ASSERT_TRUE(pinned);
    EXPECT_TRUE(certificate->matches(*key));
    EXPECT_TRUE(certificate->issuedBy(*pinned));
}

class ServerE2eeShortLocks : public ServerE2ee {
protected:
    std::vector<std::string> extraArguments() const override { return {"--lock-timeout", "1"}; }
};

TEST_F(ServerE2eeShortLocks, StaleLocksExpireAndTheirChangesAreRolledBack)
{
    const std::int64_t id = encryptedFolder("Secret");
    const std::string token = lock(id, 1);
    const std::string blob = "/remote.php/dav/files/alice/Secret/0123456789abcdef0123456789abcdef";
    ASSERT_EQ(alice->put(blob, "abandoned", with(kE2ee, {{"e2e-token", token}})).status, 201u);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    lock(id, 2); // the abandoned lock expired
    EXPECT_EQ(alice->get(blob).status, 404u);
}

// --e2ee-api-version: the capability a client reads to pick the API (real servers now say 2.1).
class ServerE2eeApi21 : public ServerE2ee {
protected:
    std::vector<std::string> extraArguments() const override { return {"--e2ee-api-version", "2.1"}; }
    json capabilities(const std::string& ocs)
    {
        const Reply reply = alice->get("/ocs/" + ocs + ".php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
        EXPECT_EQ(reply.status, 200u) << reply.describe();
        return json::parse(reply.body, nullptr, false)["ocs"]["data"]["capabilities"]["end-to-end-encryption"];
    }
};

TEST_F(ServerE2eeApi21, CapabilitiesAdvertiseTheConfiguredApiVersion)
{
    for (const std::string ocs : {"v1", "v2"}) {
        const json e2ee = capabilities(ocs);
        EXPECT_EQ(e2ee["api-version"], json("2.1")) << ocs << ": " << e2ee.dump();
        EXPECT_EQ(e2ee["enabled"], json(true)) << ocs << ": " << e2ee.dump();
    }
    // The v2 API serves a 2.1 client as it does a 2.0 one.
    const std::int64_t id = encryptedFolder("Secret");
    const std::string token = lock(id, 1);
    EXPECT_EQ(write("PUT", "Secret/f", token, {}, "x").status, 201u);
    EXPECT_EQ(api(*alice, "DELETE", "lock/" + std::to_string(id), {{"e2e-token", token}}).status, 200u);
}

TEST_F(ServerE2ee, ApiVersionDefaultsToTwoPointZeroAndOnlyKnownVersionsAreAccepted)
{
    const Reply reply = alice->get("/ocs/v2.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(json::parse(reply.body)["ocs"]["data"]["capabilities"]["end-to-end-encryption"]["api-version"], json("2.0"));

    for (const char* version : {"2.0", "2.1"}) {
        ServerProcess accepted(serverBinary());
        accepted.addUser("alice", "secret").addArguments({"--e2ee-api-version", version});
        ASSERT_NO_THROW(accepted.start()) << version;
        HttpClient client(accepted.host(), accepted.port());
        const Reply caps = client.get("/ocs/v1.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
        EXPECT_EQ(json::parse(caps.body)["ocs"]["data"]["capabilities"]["end-to-end-encryption"]["api-version"],
                  json(version));
    }
    for (const char* version : {"3.0", "2", "1.2", ""}) {
        ServerProcess refused(serverBinary());
        refused.addArguments({"--e2ee-api-version", version});
        EXPECT_THROW(refused.start(), std::runtime_error) << '"' << version << "\" was accepted";
        EXPECT_EQ(refused.lastExitStatus(), std::optional<int>(2)) << version;
    }

    const std::string command = serverBinary().string() + " --help";
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    ASSERT_TRUE(pipe);
    std::string help;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) help.append(buffer, n);
    EXPECT_NE(help.find("--e2ee-api-version"), std::string::npos) << help;
}

} // namespace
} // namespace nubo::itest
