// The E2EE OCS API of nubo-server over real HTTP, checked with the client's own crypto core
// (nubo_e2ee): certificates the server issues must verify the way the client verifies them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
        server = std::make_unique<ServerProcess>(NUBO_SERVER_BINARY);
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

} // namespace
} // namespace nubo::itest
