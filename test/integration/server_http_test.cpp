// Integration tests of nubo-server over real HTTP: discovery (status.php, OCS capabilities and
// user), Basic auth, WebDAV (PROPFIND, GET/HEAD with Range, PUT, MKCOL, DELETE, MOVE, COPY),
// ETag propagation, file ids, preconditions, per-user isolation, path traversal, quota,
// non-ASCII names, malformed and abusive requests, keep-alive, restarts and crashes.
//
// Each test works in its own folder under alice's root, so tests may share one server.
// NUBO_SERVER_BINARY (compile definition, overridable by the environment variable of the same
// name) names the binary.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pugixml.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "http_client.h"
#include "server_process.h"

#ifndef NUBO_SERVER_BINARY
#define NUBO_SERVER_BINARY "nubo-server"
#endif

namespace nubo::itest {
namespace {

using json = nlohmann::json;

const std::string kAlice = "alice";
const std::string kAlicePassword = "secret";
const std::string kBob = "bob";
const std::string kBobPassword = "bob-Pa55:word"; // a colon in the password must survive

const std::string kDav = "{DAV:}";
const std::string kOc = "{http://owncloud.org/ns}";
const std::string kNc = "{http://nextcloud.org/ns}";
const std::string kUnknownProp = "{urn:nubo-itest}no-such-property";

// Every property a sync client asks for, plus one no server has.
const std::string kPropfindBody = R"(<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns" xmlns:x="urn:nubo-itest">
  <d:prop>
    <d:resourcetype/>
    <d:getlastmodified/>
    <d:getcontentlength/>
    <d:getetag/>
    <oc:fileid/>
    <oc:id/>
    <oc:permissions/>
    <oc:size/>
    <oc:checksums/>
    <oc:share-types/>
    <oc:data-fingerprint/>
    <nc:is-encrypted/>
    <d:quota-available-bytes/>
    <x:no-such-property/>
  </d:prop>
</d:propfind>
)";

std::filesystem::path serverBinary()
{
    if (const char* env = std::getenv("NUBO_SERVER_BINARY"); env && *env) return env;
    return NUBO_SERVER_BINARY;
}

// /remote.php/dav/files/<user>/<rel>, percent-encoded.
std::string dav(std::string_view user, std::string_view rel)
{
    return "/remote.php/dav/files/" + std::string(user) + "/" + percentEncodePath(rel);
}

// The decoded path a PROPFIND href should name, without a trailing slash.
std::string davDecoded(std::string_view user, std::string_view rel)
{
    std::string out = "/remote.php/dav/files/" + std::string(user);
    if (!rel.empty()) out += "/" + std::string(rel);
    while (out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

std::string digestHex(const EVP_MD* md, std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[out[i] >> 4];
        text += hex[out[i] & 15];
    }
    return text;
}
std::string sha1Hex(std::string_view data)
{
    return digestHex(EVP_sha1(), data);
}

std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string unquote(std::string s)
{
    if (s.rfind("W/", 0) == 0) s = s.substr(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

std::string randomBytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& c : out)
        c = static_cast<char>(rng() & 0xff);
    return out;
}

// Every byte value, then random bytes.
std::string binaryContent(std::size_t n, unsigned seed)
{
    std::string out;
    for (int i = 0; i < 256; ++i)
        out += static_cast<char>(i);
    out += "\r\n\r\n\0\0\n.\r\n"; // things an HTTP parser must not care about inside a body
    out += randomBytes(n > out.size() ? n - out.size() : 0, seed);
    return out;
}

std::string rfc1123(std::time_t t)
{
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buffer;
}

bool is2xx(unsigned status)
{
    return status >= 200 && status < 300;
}
bool is4xx(unsigned status)
{
    return status >= 400 && status < 500;
}
bool isNumber(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json parseJson(const Reply& reply)
{
    try {
        return json::parse(reply.body);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON (" << e.what() << "):\n" << reply.describe();
        return json();
    }
}

// The value at a path of keys, or null when any step is missing.
json at(const json& j, std::initializer_list<std::string_view> keys)
{
    const json* cur = &j;
    for (const auto key : keys) {
        if (!cur->is_object()) return json();
        const auto it = cur->find(std::string(key));
        if (it == cur->end()) return json();
        cur = &*it;
    }
    return *cur;
}

// ---- PROPFIND multistatus parsing ------------------------------------------------------------------

struct PropValue {
    unsigned status = 0;               // from the enclosing propstat
    std::string text;                  // all text below the property element
    std::vector<std::string> children; // qualified names of child elements
};

struct DavEntry {
    std::string href; // as sent
    std::string path; // percent-decoded href path, no trailing slash
    std::map<std::string, PropValue> props;

    unsigned statusOf(const std::string& key) const
    {
        const auto it = props.find(key);
        return it == props.end() ? 0 : it->second.status;
    }
    bool has(const std::string& key) const { return statusOf(key) == 200; }
    std::string text(const std::string& key) const
    {
        const auto it = props.find(key);
        return it == props.end() || it->second.status != 200 ? std::string() : it->second.text;
    }
    bool isCollection() const
    {
        const auto it = props.find(kDav + "resourcetype");
        if (it == props.end() || it->second.status != 200) return false;
        const auto& c = it->second.children;
        return std::find(c.begin(), c.end(), kDav + "collection") != c.end();
    }
    std::string name() const { return path.substr(path.rfind('/') + 1); }
    std::string describe() const
    {
        std::string out = "href " + href + "\n";
        for (const auto& [k, v] : props)
            out += "  " + k + " [" + std::to_string(v.status) + "] = " + v.text + "\n";
        return out;
    }
};

struct MultiStatus {
    bool ok = false;
    std::string error;
    std::vector<DavEntry> entries;

    const DavEntry* find(const std::string& decodedPath) const
    {
        for (const auto& e : entries)
            if (e.path == decodedPath) return &e;
        return nullptr;
    }
    std::string describe() const
    {
        std::string out;
        for (const auto& e : entries)
            out += e.describe();
        return out;
    }
};

std::string namespaceOf(pugi::xml_node node, const std::string& prefix)
{
    const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    for (pugi::xml_node n = node; n; n = n.parent())
        if (const auto a = n.attribute(attribute.c_str())) return a.value();
    return prefix.empty() ? std::string() : "?" + prefix;
}

std::string qualifiedName(pugi::xml_node node)
{
    const std::string name = node.name();
    const auto colon = name.find(':');
    const std::string prefix = colon == std::string::npos ? std::string() : name.substr(0, colon);
    const std::string local = colon == std::string::npos ? name : name.substr(colon + 1);
    return "{" + namespaceOf(node, prefix) + "}" + local;
}

void collectText(pugi::xml_node node, std::string& out)
{
    for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
            out += child.value();
        else if (child.type() == pugi::node_element)
            collectText(child, out);
    }
}

std::vector<pugi::xml_node> childElements(pugi::xml_node node, const std::string& qname)
{
    std::vector<pugi::xml_node> out;
    for (pugi::xml_node child : node.children())
        if (child.type() == pugi::node_element && qualifiedName(child) == qname) out.push_back(child);
    return out;
}

std::string hrefToPath(std::string href)
{
    if (const auto scheme = href.find("://"); scheme != std::string::npos) {
        const auto slash = href.find('/', scheme + 3);
        href = slash == std::string::npos ? "/" : href.substr(slash);
    }
    std::string path = percentDecode(href);
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

MultiStatus parseMultiStatus(const std::string& xml)
{
    MultiStatus ms;
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(xml.data(), xml.size());
    if (!parsed) {
        ms.error = std::string("XML parse error: ") + parsed.description();
        return ms;
    }
    const pugi::xml_node root = doc.document_element();
    if (qualifiedName(root) != kDav + "multistatus") {
        ms.error = "root element is " + qualifiedName(root) + ", not {DAV:}multistatus";
        return ms;
    }
    for (pugi::xml_node response : childElements(root, kDav + "response")) {
        DavEntry entry;
        const auto hrefs = childElements(response, kDav + "href");
        if (hrefs.size() != 1) {
            ms.error = "a response without exactly one href";
            return ms;
        }
        collectText(hrefs.front(), entry.href);
        entry.path = hrefToPath(entry.href);
        for (pugi::xml_node propstat : childElements(response, kDav + "propstat")) {
            std::string statusLine;
            for (pugi::xml_node s : childElements(propstat, kDav + "status"))
                collectText(s, statusLine);
            unsigned status = 0;
            const auto space = statusLine.find(' ');
            if (space != std::string::npos) status = static_cast<unsigned>(std::atoi(statusLine.c_str() + space + 1));
            for (pugi::xml_node prop : childElements(propstat, kDav + "prop")) {
                for (pugi::xml_node p : prop.children()) {
                    if (p.type() != pugi::node_element) continue;
                    PropValue value;
                    value.status = status;
                    collectText(p, value.text);
                    for (pugi::xml_node c : p.children())
                        if (c.type() == pugi::node_element) value.children.push_back(qualifiedName(c));
                    entry.props[qualifiedName(p)] = std::move(value);
                }
            }
        }
        ms.entries.push_back(std::move(entry));
    }
    ms.ok = true;
    return ms;
}

// ---- fixtures -------------------------------------------------------------------------------------

// Starts one server (alice and bob) for the suite; each test gets its own folder in alice's root.
class ServerFixtureBase : public ::testing::Test {
protected:
    static void startServer(std::unique_ptr<ServerProcess>& server, std::string& error,
                            const std::vector<std::string>& extraArgs)
    {
        error.clear();
        try {
            server = std::make_unique<ServerProcess>(serverBinary());
            server->addUser(kAlice, kAlicePassword).addUser(kBob, kBobPassword).addArguments(extraArgs);
            server->start();
        } catch (const std::exception& e) {
            error = e.what();
            server.reset();
        }
    }

    virtual ServerProcess* server() = 0;
    virtual const std::string& startError() = 0;

    void SetUp() override
    {
        if (!server()) GTEST_FAIL() << "no server: " << startError();
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = std::string("t-") + info->name() + "-" + std::to_string(++counter);
        m_alice.emplace(client(kAlice, kAlicePassword));
        m_bob.emplace(client(kBob, kBobPassword));
        m_anon.emplace(server()->host(), server()->port());
        const Reply r = alice().mkcol(dav(kAlice, m_dir));
        ASSERT_EQ(r.status, 201u) << "MKCOL of the test's own folder failed:\n" << r.describe();
    }

    void TearDown() override
    {
        if (!server()) return;
        bool broken = false;
        if (!server()->isRunning()) {
            ADD_FAILURE() << "nubo-server died during this test ("
                          << ServerProcess::describeStatus(server()->lastExitStatus().value_or(-1))
                          << "); its stderr:\n"
                          << server()->stderrText(8192);
            broken = true;
        } else {
            // A hung server would make every later test time out: detect it, blame this test.
            bool answers = false;
            try {
                HttpClient probe(server()->host(), server()->port());
                probe.setTimeout(std::chrono::seconds(5));
                probe.setBasicAuth(kAlice, kAlicePassword);
                answers = probe.get("/status.php").status == 200 &&
                          probe.propfind(dav(kAlice, ""), "0", kPropfindBody).status == 207;
            } catch (const std::exception&) {
            }
            if (!answers) {
                ADD_FAILURE()
                    << "nubo-server stopped answering GET /status.php or PROPFIND / during this test (hung?); "
                       "killing and restarting it. Its stderr:\n"
                    << server()->stderrText(4096);
                server()->kill9();
                broken = true;
            }
        }
        if (broken) {
            try {
                server()->start(); // keep the remaining tests of the suite meaningful
            } catch (const std::exception& e) {
                ADD_FAILURE() << "restarting it failed: " << e.what();
            }
        }
    }

    HttpClient client(const std::string& user, const std::string& password)
    {
        HttpClient c(server()->host(), server()->port());
        c.setBasicAuth(user, password);
        return c;
    }
    HttpClient& alice() { return *m_alice; }
    HttpClient& bob() { return *m_bob; }
    HttpClient& anon() { return *m_anon; }
    // The test's own folder + "/" + rel.
    std::string p(std::string_view rel) const { return m_dir + "/" + std::string(rel); }

    // PUT that must succeed; returns the reply.
    Reply putOk(HttpClient& c, const std::string& target, const std::string& body, const HeaderList& headers = {})
    {
        Reply r = c.put(target, body, headers);
        EXPECT_TRUE(r.status == 201 || r.status == 204) << "PUT " << target << ":\n" << r.describe();
        return r;
    }
    void mkcolOk(HttpClient& c, const std::string& target)
    {
        const Reply r = c.mkcol(target);
        EXPECT_EQ(r.status, 201u) << "MKCOL " << target << ":\n" << r.describe();
    }

    MultiStatus propfind(HttpClient& c, const std::string& target, std::string_view depth,
                         const std::string& body = kPropfindBody)
    {
        const Reply r = c.propfind(target, depth, body);
        if (r.status != 207) {
            ADD_FAILURE() << "PROPFIND " << target << " Depth " << depth << ":\n" << r.describe();
            return {};
        }
        MultiStatus ms = parseMultiStatus(r.body);
        if (!ms.ok) ADD_FAILURE() << "PROPFIND " << target << ": " << ms.error << "\n" << r.body;
        return ms;
    }
    // Depth 0 entry of one item; nullopt (with a failure recorded) when that is not possible.
    std::optional<DavEntry> stat(HttpClient& c, const std::string& user, const std::string& rel)
    {
        const MultiStatus ms = propfind(c, dav(user, rel), "0");
        if (!ms.ok) return std::nullopt;
        if (ms.entries.size() != 1) {
            ADD_FAILURE() << "PROPFIND Depth 0 of " << rel << " gave " << ms.entries.size() << " responses\n"
                          << ms.describe();
            return std::nullopt;
        }
        return ms.entries.front();
    }
    std::string etagOf(HttpClient& c, const std::string& user, const std::string& rel)
    {
        const auto e = stat(c, user, rel);
        return e ? e->text(kDav + "getetag") : std::string();
    }
    std::string fileIdOf(HttpClient& c, const std::string& user, const std::string& rel)
    {
        const auto e = stat(c, user, rel);
        return e ? e->text(kOc + "fileid") : std::string();
    }
    std::string contentOf(HttpClient& c, const std::string& user, const std::string& rel)
    {
        const Reply r = c.get(dav(user, rel));
        EXPECT_EQ(r.status, 200u) << "GET " << rel << ":\n" << r.describe();
        return r.body;
    }
    unsigned statusOfGet(HttpClient& c, const std::string& user, const std::string& rel)
    {
        return c.get(dav(user, rel)).status;
    }

    std::string m_dir;
    std::optional<HttpClient> m_alice, m_bob, m_anon;
};

class ServerHttpTest : public ServerFixtureBase {
protected:
    static void SetUpTestSuite() { startServer(s_server, s_error, {}); }
    static void TearDownTestSuite() { s_server.reset(); }
    ServerProcess* server() override { return s_server.get(); }
    const std::string& startError() override { return s_error; }

    static inline std::unique_ptr<ServerProcess> s_server;
    static inline std::string s_error;
};

// A fresh server per test, alice limited to 1000 bytes.
class ServerQuotaTest : public ServerFixtureBase {
protected:
    void SetUp() override
    {
        startServer(m_server, m_error, {"--quota", kAlice + ":1000"});
        ServerFixtureBase::SetUp();
    }
    ServerProcess* server() override { return m_server.get(); }
    const std::string& startError() override { return m_error; }

    std::unique_ptr<ServerProcess> m_server;
    std::string m_error;
};

// ==== discovery ============================================================================================

TEST_F(ServerHttpTest, StatusPhpDescribesAnInstalledServer)
{
    const Reply r = anon().get("/status.php");
    ASSERT_EQ(r.status, 200u) << r.describe();
    EXPECT_NE(r.header("Content-Type").find("json"), std::string::npos) << r.describe();
    const json j = parseJson(r);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(at(j, {"installed"}), json(true)) << r.body;
    EXPECT_EQ(at(j, {"maintenance"}), json(false)) << r.body;
    EXPECT_EQ(at(j, {"needsDbUpgrade"}), json(false)) << r.body;
    const json version = at(j, {"version"});
    ASSERT_TRUE(version.is_string()) << r.body;
    EXPECT_TRUE(std::regex_match(version.get<std::string>(), std::regex(R"(\d+(\.\d+){2,3})"))) << r.body;
    const json versionString = at(j, {"versionstring"});
    ASSERT_TRUE(versionString.is_string()) << r.body;
    EXPECT_FALSE(versionString.get<std::string>().empty());
    const json product = at(j, {"productname"});
    ASSERT_TRUE(product.is_string()) << r.body;
    EXPECT_FALSE(product.get<std::string>().empty());
    EXPECT_TRUE(j.contains("edition")) << r.body;
}

void expectCapabilities(const json& caps, const std::string& body)
{
    ASSERT_TRUE(caps.is_object()) << "no ocs.data.capabilities object in " << body;
    EXPECT_EQ(at(caps, {"dav", "chunking"}), json("1.0")) << body;
    const json types = at(caps, {"checksums", "supportedTypes"});
    ASSERT_TRUE(types.is_array()) << body;
    EXPECT_NE(std::find(types.begin(), types.end(), json("SHA1")), types.end()) << body;
    EXPECT_EQ(at(caps, {"end-to-end-encryption", "enabled"}), json(true)) << body;
    EXPECT_EQ(at(caps, {"end-to-end-encryption", "api-version"}), json("2.0")) << body;
}

TEST_F(ServerHttpTest, CapabilitiesOnOcsV1)
{
    const Reply r = alice().get("/ocs/v1.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json j = parseJson(r);
    EXPECT_EQ(at(j, {"ocs", "meta", "statuscode"}), json(100)) << r.body;
    EXPECT_EQ(at(j, {"ocs", "meta", "status"}), json("ok")) << r.body;
    expectCapabilities(at(j, {"ocs", "data", "capabilities"}), r.body);
}

TEST_F(ServerHttpTest, CapabilitiesOnOcsV2)
{
    const Reply r = alice().get("/ocs/v2.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json j = parseJson(r);
    EXPECT_EQ(at(j, {"ocs", "meta", "statuscode"}), json(200)) << r.body;
    EXPECT_EQ(at(j, {"ocs", "meta", "status"}), json("ok")) << r.body;
    expectCapabilities(at(j, {"ocs", "data", "capabilities"}), r.body);
}

TEST_F(ServerHttpTest, CloudUserNamesTheAuthenticatedUser)
{
    for (const char* api : {"v1", "v2"}) {
        const std::string target = std::string("/ocs/") + api + ".php/cloud/user?format=json";
        const Reply ra = alice().get(target, {{"OCS-APIREQUEST", "true"}});
        ASSERT_EQ(ra.status, 200u) << target << "\n" << ra.describe();
        const json ja = parseJson(ra);
        EXPECT_EQ(at(ja, {"ocs", "data", "id"}), json(kAlice)) << ra.body;
        EXPECT_EQ(at(ja, {"ocs", "meta", "statuscode"}), json(std::string(api) == "v1" ? 100 : 200)) << ra.body;

        const Reply rb = bob().get(target, {{"OCS-APIREQUEST", "true"}});
        ASSERT_EQ(rb.status, 200u) << target << "\n" << rb.describe();
        EXPECT_EQ(at(parseJson(rb), {"ocs", "data", "id"}), json(kBob)) << rb.body;
    }
}

TEST_F(ServerHttpTest, CloudUserWithoutCredentialsIsRefused)
{
    const Reply v2 = anon().get("/ocs/v2.php/cloud/user?format=json", {{"OCS-APIREQUEST", "true"}});
    EXPECT_EQ(v2.status, 401u) << v2.describe();
    EXPECT_EQ(v2.body.find("\"id\""), std::string::npos) << v2.describe();
    // OCS v1 keeps HTTP 200 for most errors, but Nextcloud answers 401 (meta 997) here too.
    const Reply v1 = anon().get("/ocs/v1.php/cloud/user?format=json", {{"OCS-APIREQUEST", "true"}});
    const bool refused =
        v1.status == 401 || (v1.status == 200 && at(parseJson(v1), {"ocs", "meta", "statuscode"}) == json(997));
    EXPECT_TRUE(refused) << v1.describe();
}

TEST_F(ServerHttpTest, UnknownPathIs404)
{
    const Reply r = alice().get("/no/such/endpoint");
    EXPECT_EQ(r.status, 404u) << r.describe();
}

TEST_F(ServerHttpTest, RepliesCarryADateHeader)
{
    // RFC 9110 6.6.1: an origin server with a clock sends Date. nextcloudcmd takes it as the
    // server's response time and logs a failed assertion for every reply without one.
    putOk(alice(), dav(kAlice, p("d.txt")), "date");
    const std::vector<std::pair<std::string, Reply>> replies = {
        {"GET /status.php", anon().get("/status.php")},
        {"GET capabilities", alice().get("/ocs/v1.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}})},
        {"PROPFIND", alice().propfind(dav(kAlice, m_dir), "1", kPropfindBody)},
        {"PUT", alice().put(dav(kAlice, p("d.txt")), "date 2")},
        {"GET", alice().get(dav(kAlice, p("d.txt")))},
        {"MKCOL", alice().mkcol(dav(kAlice, p("dir")))},
        {"GET 404", alice().get(dav(kAlice, p("missing")))},
        {"401", anon().propfind(dav(kAlice, m_dir), "0", kPropfindBody)},
    };
    const std::time_t now = std::time(nullptr);
    for (const auto& [what, reply] : replies) {
        const std::string date = reply.header("Date");
        EXPECT_FALSE(date.empty()) << what << " has no Date header\n" << reply.describe();
        if (date.empty()) continue;
        std::tm tm{};
        const char* end = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        EXPECT_TRUE(end != nullptr && *end == '\0') << what << ": Date is not RFC 1123: " << date;
        if (end == nullptr) continue;
        EXPECT_LT(std::llabs(static_cast<long long>(timegm(&tm) - now)), 600LL) << what << ": Date " << date;
    }
}

TEST_F(ServerHttpTest, AdvertisedBulkUploadIsServed)
{
    // nextcloudcmd 3.7 uploads small files only through POST /remote.php/dav/bulk when the
    // capabilities say dav.bulkupload: a server that advertises it must serve it.
    const Reply caps = alice().get("/ocs/v2.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    const json bulk = at(parseJson(caps), {"ocs", "data", "capabilities", "dav", "bulkupload"});
    if (!bulk.is_string() || bulk.get<std::string>().empty()) {
        SUCCEED() << "dav.bulkupload is not advertised";
        return;
    }
    const std::string boundary = "boundary_.oOo._nuboItest0123456789";
    const std::string content = "uploaded in bulk\n";
    const std::string path = "/" + p("bulk.txt");
    const std::string body =
        "--" + boundary + "\r\nContent-Length: " + std::to_string(content.size()) +
        "\r\nContent-Type: application/octet-stream\r\nX-File-MD5: " + digestHex(EVP_md5(), content) +
        "\r\nX-File-Mtime: 1600000000\r\nX-File-Path: " + path + "\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    const Reply r = alice().request(
        "POST", "/remote.php/dav/bulk",
        {{"Content-Type", "multipart/related; boundary=\"" + boundary + "\""}, {"MIME-Version", "1.0"}}, body);
    ASSERT_EQ(r.status, 200u) << "dav.bulkupload is advertised as " << bulk << "\n" << r.describe();
    const json j = parseJson(r);
    EXPECT_EQ(at(j, {path, "error"}), json(false)) << r.body;
    EXPECT_EQ(contentOf(alice(), kAlice, p("bulk.txt")), content);
    const auto entry = stat(alice(), kAlice, p("bulk.txt"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->text(kDav + "getlastmodified"), rfc1123(1600000000));
}

// ==== authentication ========================================================================================

TEST_F(ServerHttpTest, DavWithoutCredentialsIs401WithBasicChallenge)
{
    for (const char* method : {"PROPFIND", "GET", "PUT", "MKCOL", "DELETE"}) {
        const std::string target = dav(kAlice, p(std::string("noauth-") + method));
        const Reply r = anon().request(method, target, {{"Depth", "0"}});
        EXPECT_EQ(r.status, 401u) << method << "\n" << r.describe();
        EXPECT_EQ(lower(r.header("WWW-Authenticate")).rfind("basic", 0), 0u) << method << "\n" << r.describe();
    }
    // nothing was created by the unauthenticated PUT / MKCOL
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("noauth-PUT")), 404u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("noauth-MKCOL")), 404u);
}

TEST_F(ServerHttpTest, WrongOrMalformedCredentialsAre401)
{
    const std::string target = dav(kAlice, m_dir);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"wrong password", basicAuthValue(kAlice, "wrong")},
        {"empty password", basicAuthValue(kAlice, "")},
        {"unknown user", basicAuthValue("mallory", kAlicePassword)},
        {"bob's password for alice", basicAuthValue(kAlice, kBobPassword)},
        {"password prefix", basicAuthValue(kAlice, kAlicePassword.substr(0, 3))},
        {"password with suffix", basicAuthValue(kAlice, kAlicePassword + "x")},
        {"not base64", "Basic !!!not-base64!!!"},
        {"no colon", "Basic " + base64Encode("alicesecret")},
        {"empty", "Basic "},
        {"bearer", "Bearer abcdef"},
    };
    for (const auto& [what, value] : cases) {
        const Reply r = anon().propfind(target, "0", kPropfindBody, {{"Authorization", value}});
        EXPECT_EQ(r.status, 401u) << what << "\n" << r.describe();
        EXPECT_TRUE(r.hasHeader("WWW-Authenticate")) << what << "\n" << r.describe();
    }
    // and the right ones still work, for both users
    EXPECT_EQ(alice().propfind(target, "0", kPropfindBody).status, 207u);
    EXPECT_EQ(bob().propfind(dav(kBob, ""), "0", kPropfindBody).status, 207u);
}

// ==== PUT / GET / HEAD ========================================================================================

TEST_F(ServerHttpTest, PutGetRoundTripOfBinaryData)
{
    const std::string content = binaryContent(300 * 1024, 1);
    const std::string target = dav(kAlice, p("data.bin"));
    const std::time_t mtime = 1600000000;
    const Reply put = alice().put(target, content,
                                  {{"X-OC-Mtime", std::to_string(mtime)},
                                   {"Content-Type", "application/octet-stream"},
                                   {"OC-Checksum", "SHA1:" + sha1Hex(content)}});
    ASSERT_EQ(put.status, 201u) << put.describe();
    EXPECT_EQ(put.header("X-OC-MTime"), "accepted") << put.describe();
    EXPECT_FALSE(put.header("OC-FileId").empty()) << put.describe();
    EXPECT_FALSE(put.header("OC-ETag").empty()) << put.describe();
    const std::string etag = put.header("ETag");
    ASSERT_FALSE(etag.empty()) << put.describe();
    EXPECT_EQ(etag.front(), '"') << "ETag must be quoted: " << etag;
    EXPECT_EQ(unquote(put.header("OC-ETag")), unquote(etag));

    const Reply get = alice().get(target);
    ASSERT_EQ(get.status, 200u) << get.describe();
    EXPECT_EQ(get.body.size(), content.size());
    EXPECT_TRUE(get.body == content) << "downloaded bytes differ from the uploaded ones";
    EXPECT_EQ(unquote(get.header("ETag")), unquote(etag)) << get.describe();

    const auto entry = stat(alice(), kAlice, p("data.bin"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->text(kDav + "getlastmodified"), rfc1123(mtime)) << entry->describe();
    EXPECT_EQ(entry->text(kDav + "getcontentlength"), std::to_string(content.size())) << entry->describe();
    EXPECT_EQ(unquote(entry->text(kDav + "getetag")), unquote(etag)) << entry->describe();
}

TEST_F(ServerHttpTest, PutReplyHeadersMatchPropfind)
{
    const Reply put = alice().put(dav(kAlice, p("f.txt")), "hello", {{"X-OC-Mtime", "1500000000"}});
    ASSERT_EQ(put.status, 201u) << put.describe();
    const auto entry = stat(alice(), kAlice, p("f.txt"));
    ASSERT_TRUE(entry);
    const std::string fileid = entry->text(kOc + "fileid");
    EXPECT_TRUE(isNumber(fileid)) << entry->describe();
    // OC-FileId is the long form (oc:id: zero-padded file id + instance id), as Nextcloud sends.
    const std::string ocId = entry->text(kOc + "id");
    EXPECT_FALSE(ocId.empty()) << entry->describe();
    EXPECT_EQ(put.header("OC-FileId"), ocId) << put.describe() << entry->describe();
    if (isNumber(fileid)) {
        const std::string padded = std::string(fileid.size() < 8 ? 8 - fileid.size() : 0, '0') + fileid;
        EXPECT_EQ(ocId.rfind(padded, 0), 0u) << "oc:id " << ocId << " does not start with the padded fileid " << padded;
    }
    EXPECT_EQ(unquote(put.header("ETag")), unquote(entry->text(kDav + "getetag")));
}

TEST_F(ServerHttpTest, OverwriteChangesEtagAndKeepsFileId)
{
    const std::string target = dav(kAlice, p("f.txt"));
    const Reply first = alice().put(target, "version one");
    ASSERT_EQ(first.status, 201u) << first.describe();
    const std::string id1 = fileIdOf(alice(), kAlice, p("f.txt"));
    const Reply second = alice().put(target, "version two, longer");
    EXPECT_TRUE(second.status == 204 || second.status == 201) << second.describe();
    EXPECT_NE(unquote(second.header("ETag")), unquote(first.header("ETag")));
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("f.txt")), id1);
    EXPECT_EQ(contentOf(alice(), kAlice, p("f.txt")), "version two, longer");
    const Reply third = alice().put(target, "v3");
    EXPECT_TRUE(third.status == 204 || third.status == 201) << third.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f.txt")), "v3") << "shorter content must truncate";
}

TEST_F(ServerHttpTest, EmptyFileRoundTrip)
{
    const Reply put = alice().put(dav(kAlice, p("empty")), "");
    ASSERT_EQ(put.status, 201u) << put.describe();
    const Reply get = alice().get(dav(kAlice, p("empty")));
    EXPECT_EQ(get.status, 200u) << get.describe();
    EXPECT_TRUE(get.body.empty());
    EXPECT_EQ(get.header("Content-Length"), "0") << get.describe();
    const auto entry = stat(alice(), kAlice, p("empty"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->text(kDav + "getcontentlength"), "0");
    EXPECT_EQ(entry->text(kOc + "size"), "0");
    EXPECT_FALSE(entry->isCollection());
}

TEST_F(ServerHttpTest, HeadGivesLengthAndEtagWithoutBody)
{
    const std::string content = randomBytes(12345, 2);
    const Reply put = putOk(alice(), dav(kAlice, p("h.bin")), content);
    const Reply head = alice().head(dav(kAlice, p("h.bin")));
    ASSERT_EQ(head.status, 200u) << head.describe();
    EXPECT_EQ(head.header("Content-Length"), std::to_string(content.size())) << head.describe();
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(unquote(head.header("ETag")), unquote(put.header("ETag")));
    EXPECT_EQ(alice().head(dav(kAlice, p("missing"))).status, 404u);
    // the connection is still in sync after HEAD (no body bytes were sent)
    EXPECT_EQ(alice().get(dav(kAlice, p("h.bin"))).body, content);
}

TEST_F(ServerHttpTest, GetOfMissingFileIs404)
{
    EXPECT_EQ(alice().get(dav(kAlice, p("nope.txt"))).status, 404u);
    EXPECT_EQ(alice().get(dav(kAlice, p("no/such/folder/file.txt"))).status, 404u);
}

TEST_F(ServerHttpTest, RangeGetReturns206WithContentRange)
{
    const std::string content = randomBytes(10000, 3);
    putOk(alice(), dav(kAlice, p("r.bin")), content);
    const Reply r = alice().get(dav(kAlice, p("r.bin")), {{"Range", "bytes=100-199"}});
    ASSERT_EQ(r.status, 206u) << r.describe();
    EXPECT_EQ(r.body, content.substr(100, 100));
    EXPECT_EQ(r.header("Content-Range"), "bytes 100-199/10000") << r.describe();
    EXPECT_EQ(r.header("Content-Length"), "100") << r.describe();
}

TEST_F(ServerHttpTest, OpenEndedAndSuffixRanges)
{
    const std::string content = randomBytes(10000, 4);
    putOk(alice(), dav(kAlice, p("r.bin")), content);
    const Reply open = alice().get(dav(kAlice, p("r.bin")), {{"Range", "bytes=9000-"}});
    ASSERT_EQ(open.status, 206u) << open.describe();
    EXPECT_EQ(open.body, content.substr(9000));
    EXPECT_EQ(open.header("Content-Range"), "bytes 9000-9999/10000") << open.describe();

    const Reply past = alice().get(dav(kAlice, p("r.bin")), {{"Range", "bytes=9990-20000"}});
    ASSERT_EQ(past.status, 206u) << past.describe();
    EXPECT_EQ(past.body, content.substr(9990)) << "a last-byte-pos past the end is clamped";

    const Reply suffix = alice().get(dav(kAlice, p("r.bin")), {{"Range", "bytes=-10"}});
    ASSERT_EQ(suffix.status, 206u) << suffix.describe();
    EXPECT_EQ(suffix.body, content.substr(9990));
    EXPECT_EQ(suffix.header("Content-Range"), "bytes 9990-9999/10000") << suffix.describe();
}

TEST_F(ServerHttpTest, UnsatisfiableRangeIs416)
{
    putOk(alice(), dav(kAlice, p("r.bin")), std::string(100, 'x'));
    const Reply r = alice().get(dav(kAlice, p("r.bin")), {{"Range", "bytes=500-600"}});
    EXPECT_EQ(r.status, 416u) << r.describe();
    EXPECT_EQ(r.header("Content-Range"), "bytes */100") << r.describe();
}

TEST_F(ServerHttpTest, ChecksumIsStoredAndReturned)
{
    const std::string content = "checksummed content\n";
    putOk(alice(), dav(kAlice, p("c.txt")), content, {{"OC-Checksum", "SHA1:" + sha1Hex(content)}});
    const auto entry = stat(alice(), kAlice, p("c.txt"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->statusOf(kOc + "checksums"), 200u) << entry->describe();
    EXPECT_NE(lower(entry->text(kOc + "checksums")).find("sha1:" + sha1Hex(content)), std::string::npos)
        << entry->describe();
    // a new upload with another checksum replaces it
    const std::string content2 = "new content";
    putOk(alice(), dav(kAlice, p("c.txt")), content2, {{"OC-Checksum", "SHA1:" + sha1Hex(content2)}});
    const auto entry2 = stat(alice(), kAlice, p("c.txt"));
    ASSERT_TRUE(entry2);
    EXPECT_NE(lower(entry2->text(kOc + "checksums")).find("sha1:" + sha1Hex(content2)), std::string::npos)
        << entry2->describe();
    EXPECT_EQ(lower(entry2->text(kOc + "checksums")).find(sha1Hex(content)), std::string::npos)
        << "the old checksum is still reported\n"
        << entry2->describe();
}

// ==== PROPFIND ==================================================================================================

TEST_F(ServerHttpTest, PropfindDepth1ListsChildrenWithSyncProperties)
{
    const std::string content = binaryContent(5000, 5);
    putOk(alice(), dav(kAlice, p("a.bin")), content,
          {{"OC-Checksum", "SHA1:" + sha1Hex(content)}, {"X-OC-Mtime", "1400000000"}});
    putOk(alice(), dav(kAlice, p("empty.txt")), "");
    mkcolOk(alice(), dav(kAlice, p("sub")));
    putOk(alice(), dav(kAlice, p("sub/inner.txt")), "12345");

    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    ASSERT_TRUE(ms.ok);
    ASSERT_EQ(ms.entries.size(), 4u) << "self + a.bin + empty.txt + sub (not sub's child)\n" << ms.describe();

    std::set<std::string> fileIds;
    for (const auto& e : ms.entries) {
        SCOPED_TRACE(e.href);
        EXPECT_TRUE(isNumber(e.text(kOc + "fileid"))) << e.describe();
        fileIds.insert(e.text(kOc + "fileid"));
        const std::string etag = e.text(kDav + "getetag");
        EXPECT_GE(etag.size(), 3u) << e.describe();
        if (!etag.empty()) {
            EXPECT_TRUE(etag.front() == '"' && etag.back() == '"') << "unquoted ETag " << etag;
        }
        EXPECT_FALSE(e.text(kOc + "permissions").empty()) << e.describe();
        EXPECT_TRUE(isNumber(e.text(kOc + "size"))) << e.describe();
        EXPECT_EQ(e.statusOf(kUnknownProp), 404u) << "an unknown property needs a 404 propstat\n" << e.describe();
        EXPECT_TRUE(e.has(kDav + "getlastmodified")) << e.describe();
        EXPECT_EQ(e.statusOf(kDav + "resourcetype"), 200u) << e.describe();
    }
    EXPECT_EQ(fileIds.size(), 4u) << "file ids must be unique\n" << ms.describe();

    const DavEntry* self = ms.find(davDecoded(kAlice, m_dir));
    const DavEntry* bin = ms.find(davDecoded(kAlice, p("a.bin")));
    const DavEntry* empty = ms.find(davDecoded(kAlice, p("empty.txt")));
    const DavEntry* sub = ms.find(davDecoded(kAlice, p("sub")));
    ASSERT_TRUE(self && bin && empty && sub) << ms.describe();

    EXPECT_TRUE(self->isCollection());
    EXPECT_TRUE(sub->isCollection());
    EXPECT_FALSE(bin->isCollection());
    EXPECT_FALSE(empty->isCollection());
    EXPECT_EQ(self->href.back(), '/') << "collection hrefs end with a slash: " << self->href;
    EXPECT_EQ(sub->href.back(), '/') << "collection hrefs end with a slash: " << sub->href;

    EXPECT_EQ(bin->text(kDav + "getcontentlength"), std::to_string(content.size()));
    EXPECT_EQ(bin->text(kOc + "size"), std::to_string(content.size()));
    EXPECT_EQ(bin->text(kDav + "getlastmodified"), rfc1123(1400000000));
    EXPECT_EQ(bin->statusOf(kOc + "checksums"), 200u) << bin->describe();
    EXPECT_NE(lower(bin->text(kOc + "checksums")).find("sha1:" + sha1Hex(content)), std::string::npos)
        << bin->describe();
    EXPECT_EQ(empty->text(kDav + "getcontentlength"), "0");
    // folder sizes are recursive
    EXPECT_EQ(sub->text(kOc + "size"), "5");
    EXPECT_EQ(self->text(kOc + "size"), std::to_string(content.size() + 5)) << self->describe();

    // Depth 0: only the folder itself
    const MultiStatus ms0 = propfind(alice(), dav(kAlice, m_dir), "0");
    ASSERT_TRUE(ms0.ok);
    ASSERT_EQ(ms0.entries.size(), 1u) << ms0.describe();
    EXPECT_EQ(ms0.entries.front().path, davDecoded(kAlice, m_dir));
    // Depth 1 on a file: only the file
    const MultiStatus msFile = propfind(alice(), dav(kAlice, p("a.bin")), "1");
    ASSERT_TRUE(msFile.ok);
    EXPECT_EQ(msFile.entries.size(), 1u) << msFile.describe();
}

TEST_F(ServerHttpTest, PropfindWithoutBodyIsAllprop)
{
    putOk(alice(), dav(kAlice, p("x.txt")), "x");
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1", "");
    ASSERT_TRUE(ms.ok);
    ASSERT_EQ(ms.entries.size(), 2u) << ms.describe();
    for (const auto& e : ms.entries) {
        EXPECT_TRUE(e.has(kDav + "getetag")) << e.describe();
        EXPECT_TRUE(e.has(kDav + "resourcetype")) << e.describe();
    }
}

TEST_F(ServerHttpTest, PropfindOfMissingItemIs404)
{
    const Reply r = alice().propfind(dav(kAlice, p("missing")), "0", kPropfindBody);
    EXPECT_EQ(r.status, 404u) << r.describe();
}

TEST_F(ServerHttpTest, PermissionsDistinguishFilesAndFolders)
{
    putOk(alice(), dav(kAlice, p("f")), "f");
    const auto file = stat(alice(), kAlice, p("f"));
    const auto folder = stat(alice(), kAlice, m_dir);
    const auto root = stat(alice(), kAlice, "");
    ASSERT_TRUE(file && folder && root);
    const std::string fp = file->text(kOc + "permissions");
    for (char c : std::string("GDNVW"))
        EXPECT_NE(fp.find(c), std::string::npos) << "file permissions " << fp;
    for (char c : std::string("CK"))
        EXPECT_EQ(fp.find(c), std::string::npos) << "file permissions " << fp;
    const std::string dp = folder->text(kOc + "permissions");
    for (char c : std::string("GDNVCK"))
        EXPECT_NE(dp.find(c), std::string::npos) << "folder permissions " << dp;
    EXPECT_EQ(dp.find('S'), std::string::npos) << "nothing is shared: " << dp;
    const std::string rp = root->text(kOc + "permissions");
    for (char c : std::string("CK"))
        EXPECT_NE(rp.find(c), std::string::npos) << "root permissions " << rp;
}

// ==== ETags and file ids ==========================================================================================

TEST_F(ServerHttpTest, FolderEtagsChangeUpToTheRootOnAnyChangeBelow)
{
    for (const char* d : {"d", "d/a", "d/a/b", "s"})
        mkcolOk(alice(), dav(kAlice, p(d)));
    putOk(alice(), dav(kAlice, p("d/a/b/f.txt")), "v1");
    const std::vector<std::string> chain = {"", m_dir, p("d"), p("d/a"), p("d/a/b")};
    auto etags = [&](const std::vector<std::string>& items) {
        std::vector<std::string> out;
        for (const auto& rel : items)
            out.push_back(etagOf(alice(), kAlice, rel));
        return out;
    };
    auto expectAllChanged = [&](const std::vector<std::string>& before, const std::vector<std::string>& items,
                                const char* what) {
        const auto after = etags(items);
        for (std::size_t i = 0; i < items.size(); ++i) {
            EXPECT_FALSE(after[i].empty()) << what << ": no ETag for '" << items[i] << "'";
            EXPECT_NE(after[i], before[i]) << what << ": the ETag of '" << items[i] << "' did not change";
        }
    };

    auto before = etags(chain);
    const std::string fileEtag = etagOf(alice(), kAlice, p("d/a/b/f.txt"));
    putOk(alice(), dav(kAlice, p("d/a/b/f.txt")), "v2");
    expectAllChanged(before, chain, "after a PUT deep below");
    EXPECT_NE(etagOf(alice(), kAlice, p("d/a/b/f.txt")), fileEtag);

    before = etags(chain);
    mkcolOk(alice(), dav(kAlice, p("d/a/b/new")));
    expectAllChanged(before, chain, "after a MKCOL deep below");

    before = etags(chain);
    EXPECT_EQ(alice().del(dav(kAlice, p("d/a/b/f.txt"))).status, 204u);
    expectAllChanged(before, chain, "after a DELETE deep below");

    const std::vector<std::string> withSibling = {"", m_dir, p("d"), p("d/a"), p("d/a/b"), p("s")};
    before = etags(withSibling);
    EXPECT_EQ(alice().move(dav(kAlice, p("d/a/b/new")), dav(kAlice, p("s/new"))).status, 201u);
    expectAllChanged(before, withSibling, "after a MOVE out of d/a/b into s");
}

TEST_F(ServerHttpTest, FileIdsAreNotReused)
{
    putOk(alice(), dav(kAlice, p("a")), "a");
    const std::string idA = fileIdOf(alice(), kAlice, p("a"));
    ASSERT_EQ(alice().del(dav(kAlice, p("a"))).status, 204u);
    putOk(alice(), dav(kAlice, p("b")), "b");
    const std::string idB = fileIdOf(alice(), kAlice, p("b"));
    EXPECT_FALSE(idB.empty());
    EXPECT_NE(idA, idB) << "a deleted file's id was given to a new file (clients would take it for a rename)";
}

// ==== MOVE / COPY ===================================================================================================

TEST_F(ServerHttpTest, MoveKeepsFileIds)
{
    mkcolOk(alice(), dav(kAlice, p("src")));
    mkcolOk(alice(), dav(kAlice, p("dst")));
    putOk(alice(), dav(kAlice, p("src/f.txt")), "moving file");
    const std::string fileId = fileIdOf(alice(), kAlice, p("src/f.txt"));

    const Reply mv = alice().move(dav(kAlice, p("src/f.txt")), dav(kAlice, p("dst/g.txt")));
    EXPECT_EQ(mv.status, 201u) << mv.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("src/f.txt")), 404u);
    EXPECT_EQ(contentOf(alice(), kAlice, p("dst/g.txt")), "moving file");
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("dst/g.txt")), fileId);

    // a folder with content
    mkcolOk(alice(), dav(kAlice, p("src/sub")));
    putOk(alice(), dav(kAlice, p("src/sub/c.txt")), "child");
    const std::string subId = fileIdOf(alice(), kAlice, p("src/sub"));
    const std::string childId = fileIdOf(alice(), kAlice, p("src/sub/c.txt"));
    const Reply mv2 = alice().move(dav(kAlice, p("src/sub")), dav(kAlice, p("dst/sub2")), 'F');
    EXPECT_EQ(mv2.status, 201u) << mv2.describe();
    EXPECT_EQ(alice().propfind(dav(kAlice, p("src/sub")), "0", kPropfindBody).status, 404u);
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("dst/sub2")), subId);
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("dst/sub2/c.txt")), childId);
    EXPECT_EQ(contentOf(alice(), kAlice, p("dst/sub2/c.txt")), "child");
}

TEST_F(ServerHttpTest, MoveOntoExistingFileReplacesIt)
{
    putOk(alice(), dav(kAlice, p("a")), "from a");
    putOk(alice(), dav(kAlice, p("b")), "old b");
    const std::string idA = fileIdOf(alice(), kAlice, p("a"));
    const Reply mv = alice().move(dav(kAlice, p("a")), dav(kAlice, p("b")), 'T');
    EXPECT_EQ(mv.status, 204u) << "RFC 4918: 204 when the destination existed\n" << mv.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("b")), "from a");
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("a")), 404u);
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("b")), idA);
}

TEST_F(ServerHttpTest, CopyGivesNewFileIds)
{
    putOk(alice(), dav(kAlice, p("orig.txt")), "copy me");
    const std::string id = fileIdOf(alice(), kAlice, p("orig.txt"));
    const Reply cp = alice().copy(dav(kAlice, p("orig.txt")), dav(kAlice, p("copy.txt")));
    EXPECT_EQ(cp.status, 201u) << cp.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("orig.txt")), "copy me");
    EXPECT_EQ(contentOf(alice(), kAlice, p("copy.txt")), "copy me");
    const std::string copyId = fileIdOf(alice(), kAlice, p("copy.txt"));
    EXPECT_FALSE(copyId.empty());
    EXPECT_NE(copyId, id);
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("orig.txt")), id);

    // folders copy recursively, with new ids throughout; the source is untouched
    mkcolOk(alice(), dav(kAlice, p("dir")));
    putOk(alice(), dav(kAlice, p("dir/inner.txt")), "inner");
    const std::string innerId = fileIdOf(alice(), kAlice, p("dir/inner.txt"));
    const Reply cp2 = alice().copy(dav(kAlice, p("dir")), dav(kAlice, p("dir2")));
    EXPECT_EQ(cp2.status, 201u) << cp2.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("dir2/inner.txt")), "inner");
    EXPECT_NE(fileIdOf(alice(), kAlice, p("dir2/inner.txt")), innerId);
    EXPECT_NE(fileIdOf(alice(), kAlice, p("dir2")), fileIdOf(alice(), kAlice, p("dir")));
    // changing the copy leaves the original alone
    putOk(alice(), dav(kAlice, p("dir2/inner.txt")), "changed");
    EXPECT_EQ(contentOf(alice(), kAlice, p("dir/inner.txt")), "inner");
}

TEST_F(ServerHttpTest, OverwriteFalseOnExistingDestinationIs412)
{
    putOk(alice(), dav(kAlice, p("a")), "A");
    putOk(alice(), dav(kAlice, p("b")), "B");
    const Reply mv = alice().move(dav(kAlice, p("a")), dav(kAlice, p("b")), 'F');
    EXPECT_EQ(mv.status, 412u) << mv.describe();
    const Reply cp = alice().copy(dav(kAlice, p("a")), dav(kAlice, p("b")), 'F');
    EXPECT_EQ(cp.status, 412u) << cp.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("a")), "A");
    EXPECT_EQ(contentOf(alice(), kAlice, p("b")), "B");
    // also when the destination is a folder
    mkcolOk(alice(), dav(kAlice, p("folder")));
    EXPECT_EQ(alice().move(dav(kAlice, p("a")), dav(kAlice, p("folder")), 'F').status, 412u);
    EXPECT_EQ(contentOf(alice(), kAlice, p("a")), "A");
    const auto folder = stat(alice(), kAlice, p("folder"));
    ASSERT_TRUE(folder);
    EXPECT_TRUE(folder->isCollection());
}

TEST_F(ServerHttpTest, MoveIntoMissingFolderIs409)
{
    putOk(alice(), dav(kAlice, p("a")), "A");
    const Reply mv = alice().move(dav(kAlice, p("a")), dav(kAlice, p("missing/a")));
    EXPECT_EQ(mv.status, 409u) << mv.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("a")), "A");
}

TEST_F(ServerHttpTest, MoveWithoutDestinationIsRefused)
{
    putOk(alice(), dav(kAlice, p("a")), "A");
    const Reply mv = alice().request("MOVE", dav(kAlice, p("a")));
    EXPECT_TRUE(is4xx(mv.status)) << mv.describe();
    const Reply bad = alice().request("MOVE", dav(kAlice, p("a")), {{"Destination", "not a url"}});
    EXPECT_TRUE(is4xx(bad.status)) << bad.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("a")), "A");
}

TEST_F(ServerHttpTest, FolderCannotBeMovedIntoItself)
{
    mkcolOk(alice(), dav(kAlice, p("d")));
    mkcolOk(alice(), dav(kAlice, p("d/sub")));
    putOk(alice(), dav(kAlice, p("d/sub/f")), "f");
    const Reply mv = alice().move(dav(kAlice, p("d")), dav(kAlice, p("d/sub/d")));
    EXPECT_TRUE(is4xx(mv.status)) << mv.describe();
    const Reply cp = alice().copy(dav(kAlice, p("d")), dav(kAlice, p("d/sub/d")));
    EXPECT_TRUE(is4xx(cp.status)) << cp.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("d/sub/f")), "f");
    const MultiStatus ms = propfind(alice(), dav(kAlice, p("d/sub")), "1");
    EXPECT_EQ(ms.entries.size(), 2u) << ms.describe();
}

// ==== preconditions and errors
// ==========================================================================================

TEST_F(ServerHttpTest, IfMatchMismatchIs412)
{
    const std::string target = dav(kAlice, p("f"));
    const Reply v1 = alice().put(target, "v1");
    ASSERT_EQ(v1.status, 201u) << v1.describe();
    const std::string etag1 = v1.header("ETag");

    const Reply bogus = alice().put(target, "bogus", {{"If-Match", "\"not-the-etag\""}});
    EXPECT_EQ(bogus.status, 412u) << bogus.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f")), "v1");

    const Reply good = alice().put(target, "v2", {{"If-Match", etag1}});
    EXPECT_TRUE(good.status == 204 || good.status == 201) << good.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f")), "v2");

    const Reply stale = alice().put(target, "v3", {{"If-Match", etag1}});
    EXPECT_EQ(stale.status, 412u) << "If-Match with the previous ETag\n" << stale.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f")), "v2");

    const Reply missing = alice().put(dav(kAlice, p("new")), "x", {{"If-Match", etag1}});
    EXPECT_EQ(missing.status, 412u) << "If-Match on a missing file\n" << missing.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("new")), 404u);
}

TEST_F(ServerHttpTest, MkcolOnExistingIs405AndMissingParentIs409)
{
    mkcolOk(alice(), dav(kAlice, p("d")));
    const Reply again = alice().mkcol(dav(kAlice, p("d")));
    EXPECT_EQ(again.status, 405u) << again.describe();
    putOk(alice(), dav(kAlice, p("f")), "file");
    const Reply onFile = alice().mkcol(dav(kAlice, p("f")));
    EXPECT_EQ(onFile.status, 405u) << onFile.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f")), "file");
    const Reply noParent = alice().mkcol(dav(kAlice, p("x/y")));
    EXPECT_EQ(noParent.status, 409u) << noParent.describe();
    EXPECT_EQ(alice().propfind(dav(kAlice, p("x")), "0", kPropfindBody).status, 404u);
}

TEST_F(ServerHttpTest, PutWithMissingParentIs409)
{
    const Reply r = alice().put(dav(kAlice, p("no/such/dir/f.txt")), "data");
    EXPECT_EQ(r.status, 409u) << r.describe();
    EXPECT_EQ(alice().propfind(dav(kAlice, p("no")), "0", kPropfindBody).status, 404u);
    // a file is no parent either
    putOk(alice(), dav(kAlice, p("file")), "I am a file");
    const Reply underFile = alice().put(dav(kAlice, p("file/child")), "data");
    EXPECT_EQ(underFile.status, 409u) << underFile.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("file")), "I am a file");
}

TEST_F(ServerHttpTest, PutOntoFolderIsRefused)
{
    mkcolOk(alice(), dav(kAlice, p("d")));
    putOk(alice(), dav(kAlice, p("d/keep")), "keep");
    const Reply r = alice().put(dav(kAlice, p("d")), "not a folder");
    EXPECT_TRUE(is4xx(r.status)) << r.describe();
    const auto d = stat(alice(), kAlice, p("d"));
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->isCollection());
    EXPECT_EQ(contentOf(alice(), kAlice, p("d/keep")), "keep");
}

TEST_F(ServerHttpTest, DeleteIs204ThenGone)
{
    putOk(alice(), dav(kAlice, p("f")), "bye");
    const Reply del = alice().del(dav(kAlice, p("f")));
    EXPECT_EQ(del.status, 204u) << del.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("f")), 404u);
    EXPECT_EQ(alice().del(dav(kAlice, p("f"))).status, 404u);

    mkcolOk(alice(), dav(kAlice, p("d")));
    mkcolOk(alice(), dav(kAlice, p("d/e")));
    putOk(alice(), dav(kAlice, p("d/e/g")), "deep");
    EXPECT_EQ(alice().del(dav(kAlice, p("d"))).status, 204u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("d/e/g")), 404u);
    EXPECT_EQ(alice().propfind(dav(kAlice, p("d/e")), "0", kPropfindBody).status, 404u);
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    EXPECT_EQ(ms.entries.size(), 1u) << ms.describe();
    // the name can be used again, and the old content does not come back
    mkcolOk(alice(), dav(kAlice, p("d")));
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("d/e/g")), 404u);
}

// ==== isolation and path handling
// ============================================================================================

TEST_F(ServerHttpTest, CrossUserAccessIs403)
{
    const std::string bobDir = "bobs-" + m_dir;
    mkcolOk(bob(), dav(kBob, bobDir));
    putOk(bob(), dav(kBob, bobDir + "/secret.txt"), "bob's secret");

    const Reply get = alice().get(dav(kBob, bobDir + "/secret.txt"));
    EXPECT_EQ(get.status, 403u) << get.describe();
    EXPECT_EQ(get.body.find("bob's secret"), std::string::npos);
    const Reply list = alice().propfind(dav(kBob, ""), "1", kPropfindBody);
    EXPECT_EQ(list.status, 403u) << list.describe();
    EXPECT_EQ(list.body.find("secret.txt"), std::string::npos);
    EXPECT_EQ(alice().head(dav(kBob, bobDir + "/secret.txt")).status, 403u);
    EXPECT_EQ(alice().put(dav(kBob, bobDir + "/secret.txt"), "alice was here").status, 403u);
    EXPECT_EQ(alice().put(dav(kBob, bobDir + "/new.txt"), "alice was here").status, 403u);
    EXPECT_EQ(alice().mkcol(dav(kBob, bobDir + "/newdir")).status, 403u);
    EXPECT_EQ(alice().del(dav(kBob, bobDir + "/secret.txt")).status, 403u);
    EXPECT_EQ(alice().move(dav(kBob, bobDir + "/secret.txt"), dav(kAlice, p("stolen"))).status, 403u);
    EXPECT_EQ(alice().copy(dav(kBob, bobDir + "/secret.txt"), dav(kAlice, p("stolen"))).status, 403u);
    // alice's own file cannot be pushed into bob's space either
    putOk(alice(), dav(kAlice, p("mine")), "alice's");
    const Reply push = alice().copy(dav(kAlice, p("mine")), dav(kBob, bobDir + "/pushed"));
    EXPECT_TRUE(is4xx(push.status) || push.status == 502) << push.describe();
    const Reply pushMove = alice().move(dav(kAlice, p("mine")), dav(kBob, bobDir + "/pushed"));
    EXPECT_TRUE(is4xx(pushMove.status) || pushMove.status == 502) << pushMove.describe();

    // nothing changed on either side
    EXPECT_EQ(contentOf(bob(), kBob, bobDir + "/secret.txt"), "bob's secret");
    EXPECT_EQ(statusOfGet(bob(), kBob, bobDir + "/new.txt"), 404u);
    EXPECT_EQ(statusOfGet(bob(), kBob, bobDir + "/pushed"), 404u);
    EXPECT_EQ(bob().propfind(dav(kBob, bobDir + "/newdir"), "0", kPropfindBody).status, 404u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("stolen")), 404u);
    EXPECT_EQ(contentOf(alice(), kAlice, p("mine")), "alice's");
    // and bob sees only his own
    EXPECT_EQ(bob().get(dav(kAlice, p("mine"))).status, 403u);
}

TEST_F(ServerHttpTest, DotDotSegmentsCannotReachAnotherUser)
{
    const std::string bobDir = "bobs-" + m_dir;
    mkcolOk(bob(), dav(kBob, bobDir));
    const std::string secret = "bob's secret via traversal";
    putOk(bob(), dav(kBob, bobDir + "/x"), secret);
    const std::string bobRel = bobDir + "/x";
    const std::vector<std::string> targets = {
        "/remote.php/dav/files/alice/../bob/" + bobRel,
        "/remote.php/dav/files/alice/%2e%2e/bob/" + bobRel,
        "/remote.php/dav/files/alice/%2E%2E/bob/" + bobRel,
        "/remote.php/dav/files/alice/" + m_dir + "/../../bob/" + bobRel,
        "/remote.php/dav/files/alice/" + m_dir + "/%2e%2e/%2e%2e/bob/" + bobRel,
        "/remote.php/dav/files/alice/..%2Fbob%2F" + percentEncodeSegment(bobDir) + "%2Fx",
        "/remote.php/dav/files/alice/%2e%2e%2fbob/" + bobRel,
        "/remote.php/dav/files/alice/./../bob/" + bobRel,
        "/remote.php/dav/files/alice/..\\bob\\" + bobDir + "\\x",
    };
    for (const auto& target : targets) {
        SCOPED_TRACE(target);
        const Reply get = alice().get(target);
        EXPECT_FALSE(is2xx(get.status)) << get.describe();
        EXPECT_EQ(get.body.find(secret), std::string::npos);
        const Reply find = alice().propfind(target, "0", kPropfindBody);
        EXPECT_FALSE(is2xx(find.status)) << find.describe();
        const Reply put = alice().put(target, "overwritten by alice");
        EXPECT_FALSE(is2xx(put.status)) << put.describe();
        const Reply del = alice().del(target);
        EXPECT_FALSE(is2xx(del.status)) << del.describe();
        EXPECT_EQ(contentOf(bob(), kBob, bobRel), secret);
    }
    // Nothing odd appeared in alice's space
    const MultiStatus root = propfind(alice(), dav(kAlice, ""), "1");
    for (const auto& e : root.entries) {
        EXPECT_EQ(e.path.find(".."), std::string::npos) << e.href;
        EXPECT_EQ(e.path.find("bob"), std::string::npos) << e.href;
    }
    EXPECT_EQ(propfind(alice(), dav(kAlice, m_dir), "1").entries.size(), 1u);
}

TEST_F(ServerHttpTest, TraversalCannotEscapeTheDataFolder)
{
    const std::vector<std::string> targets = {
        "/remote.php/dav/files/alice/../../../../../../../../etc/passwd",
        "/remote.php/dav/files/alice/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/remote.php/dav/files/alice/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/remote.php/dav/files/alice/../../nubo.sqlite",
        "/remote.php/dav/files/alice/%2e%2e/%2e%2e/nubo.sqlite",
        "/../../../../etc/passwd",
        "/remote.php/dav/files/../../../../etc/passwd",
        "/remote.php/dav/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    };
    for (const auto& target : targets) {
        SCOPED_TRACE(target);
        const Reply r = alice().get(target);
        EXPECT_FALSE(is2xx(r.status)) << r.describe();
        EXPECT_EQ(r.body.find("root:"), std::string::npos);
        EXPECT_EQ(r.body.find("SQLite format"), std::string::npos);
    }
    EXPECT_EQ(anon().get("/status.php").status, 200u);
}

TEST_F(ServerHttpTest, EncodedSlashIsNotPartOfAName)
{
    // No folder "a": the name "a/b" must not be stored as one name.
    const Reply r = alice().put(dav(kAlice, m_dir) + "/a%2Fb", "slash");
    EXPECT_TRUE(is4xx(r.status)) << r.describe();
    const Reply r2 = alice().mkcol(dav(kAlice, m_dir) + "/c%2fd");
    EXPECT_TRUE(is4xx(r2.status)) << r2.describe();
    const Reply r3 = alice().put(dav(kAlice, m_dir) + "/x%00y", "nul");
    EXPECT_TRUE(is4xx(r3.status)) << "a NUL byte in a name\n" << r3.describe();
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    EXPECT_EQ(ms.entries.size(), 1u) << "nothing may have been created\n" << ms.describe();

    // With a folder "a", "a%2Fb" is either refused or means a/b: never a name containing '/'.
    mkcolOk(alice(), dav(kAlice, p("a")));
    const Reply r4 = alice().put(dav(kAlice, m_dir) + "/a%2Fb", "slash");
    if (is2xx(r4.status)) {
        EXPECT_EQ(contentOf(alice(), kAlice, p("a/b")), "slash");
    } else {
        EXPECT_TRUE(is4xx(r4.status)) << r4.describe();
    }
    for (const auto& e : propfind(alice(), dav(kAlice, m_dir), "1").entries)
        EXPECT_EQ(lower(e.href).find("%2f"), std::string::npos) << "a name with a slash: " << e.href;
}

TEST_F(ServerHttpTest, NonAsciiNamesRoundTripThroughPropfindHrefs)
{
    const std::vector<std::string> files = {"Grüße/ä ö ü.txt", "日本語.md", "emoji 🙂.txt", "100% #1 ?&+=;.txt",
                                            "Grüße/Ünïcödé ñ/ß.txt"};
    mkcolOk(alice(), dav(kAlice, p("Grüße")));
    mkcolOk(alice(), dav(kAlice, p("Grüße/Ünïcödé ñ")));
    for (const auto& f : files)
        putOk(alice(), dav(kAlice, p(f)), "content of " + f);
    for (const auto& f : files)
        EXPECT_EQ(contentOf(alice(), kAlice, p(f)), "content of " + f) << f;

    const MultiStatus top = propfind(alice(), dav(kAlice, m_dir), "1");
    ASSERT_TRUE(top.ok);
    std::set<std::string> names;
    for (const auto& e : top.entries) {
        if (e.path != davDecoded(kAlice, m_dir)) names.insert(e.name());
        for (char c : std::string(" #?"))
            EXPECT_EQ(e.href.find(c), std::string::npos) << "unencoded '" << c << "' in href " << e.href;
    }
    EXPECT_EQ(names, (std::set<std::string>{"Grüße", "日本語.md", "emoji 🙂.txt", "100% #1 ?&+=;.txt"}))
        << top.describe();
    const MultiStatus sub = propfind(alice(), dav(kAlice, p("Grüße")), "1");
    EXPECT_NE(sub.find(davDecoded(kAlice, p("Grüße/ä ö ü.txt"))), nullptr) << sub.describe();
    EXPECT_NE(sub.find(davDecoded(kAlice, p("Grüße/Ünïcödé ñ"))), nullptr) << sub.describe();

    // an href the server gave can be used as a request target as it is
    for (const auto& e : sub.entries) {
        if (e.isCollection()) continue;
        std::string target = e.href;
        if (const auto scheme = target.find("://"); scheme != std::string::npos)
            target = target.substr(target.find('/', scheme + 3));
        const Reply r = alice().get(target);
        EXPECT_EQ(r.status, 200u) << "GET of the returned href " << e.href << "\n" << r.describe();
    }

    // MOVE with a percent-encoded non-ASCII Destination
    const Reply mv = alice().move(dav(kAlice, p("日本語.md")), dav(kAlice, p("Grüße/日本語 2.md")));
    EXPECT_EQ(mv.status, 201u) << mv.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("Grüße/日本語 2.md")), "content of 日本語.md");
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("日本語.md")), 404u);
}

TEST_F(ServerHttpTest, LegacyWebdavEndpointServesTheSameFiles)
{
    putOk(alice(), dav(kAlice, p("legacy.txt")), "legacy");
    const Reply r = alice().get("/remote.php/webdav/" + percentEncodePath(p("legacy.txt")));
    EXPECT_EQ(r.status, 200u) << r.describe();
    EXPECT_EQ(r.body, "legacy");
}

// ==== robustness of the HTTP layer
// ==============================================================================================

TEST_F(ServerHttpTest, OversizedHeaderIsRefusedAndServerKeepsServing)
{
    const std::string big(100 * 1024, 'a');
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"100 KiB header value", "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big + "\r\n\r\n"},
        {"100 KiB target", "GET /status.php?x=" + big + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
        {"2000 headers",
         [] {
             std::string r = "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\n";
             for (int i = 0; i < 2000; ++i)
                 r += "X-H" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
             return r + "\r\n";
         }()},
    };
    for (const auto& [what, raw] : requests) {
        SCOPED_TRACE(what);
        RawOptions options;
        options.idleTimeout = std::chrono::milliseconds(5000);
        const RawResult res = anon().sendRaw(raw, options);
        const auto statuses = res.statuses();
        EXPECT_TRUE(std::find(statuses.begin(), statuses.end(), 200u) == statuses.end())
            << "an oversized request was served: " << res.received.substr(0, 300);
        const bool refused = (!statuses.empty() && (statuses.front() == 431 || statuses.front() == 400 ||
                                                    statuses.front() == 413 || statuses.front() == 414)) ||
                             (statuses.empty() && (res.peerClosed || !res.writeError.empty()));
        EXPECT_TRUE(refused) << "neither a 4xx reply nor a closed connection; timed out: " << res.timedOut
                             << "; got: " << res.received.substr(0, 300);
        HttpClient fresh(server()->host(), server()->port());
        EXPECT_EQ(fresh.get("/status.php").status, 200u) << "the server stopped serving";
    }
}

TEST_F(ServerHttpTest, MalformedRequestsDoNotHurtTheServer)
{
    const std::string auth = "Authorization: " + basicAuthValue(kAlice, kAlicePassword) + "\r\n";
    const std::string target = dav(kAlice, p("malformed"));
    const std::vector<std::string> requests = {
        "HELLO\r\n\r\n",
        std::string("\x00\x01\x02\xff\xfe garbage\r\n\r\n", 18),
        "GET / HTTP/9.9\r\n\r\n",
        "GET\r\n\r\n",
        "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: abc\r\n\r\nxyz",
        "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: -5\r\n\r\nxyz",
        "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nxyzab",
        "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 99999999999999999999999\r\n\r\nxyz",
        "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + auth +
            "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "PROPFIND " + dav(kAlice, m_dir) + " HTTP/1.1\r\nHost: x\r\n" + auth +
            "Depth: 1\r\nContent-Length: 20\r\n\r\n<d:propfind xmlns:d=",
        "GET /status.php HTTP/1.1\r\nHost: x\r\nBroken header line without colon\r\n\r\n",
        "GET /status.php HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + std::string(5000, '=') + "\r\n\r\n",
    };
    for (const auto& raw : requests) {
        SCOPED_TRACE(raw.substr(0, 80));
        RawOptions options;
        options.idleTimeout = std::chrono::milliseconds(1500);
        options.shutdownWrite = true;
        const RawResult res = anon().sendRaw(raw, options);
        for (unsigned s : res.statuses())
            EXPECT_LT(s, 500u) << res.received.substr(0, 300);
        ASSERT_TRUE(server()->isRunning()) << "the server died; stderr:\n" << server()->stderrText(4096);
        HttpClient fresh(server()->host(), server()->port());
        EXPECT_EQ(fresh.get("/status.php").status, 200u);
    }
    // none of the broken PUTs stored anything but a complete body
    const Reply get = alice().get(target);
    if (get.status == 200) {
        EXPECT_TRUE(get.body == "xyz" || get.body == "abc") << get.describe();
    }
}

TEST_F(ServerHttpTest, BodyLongerThanContentLengthDoesNotCorruptTheFile)
{
    const std::string auth = "Authorization: " + basicAuthValue(kAlice, kAlicePassword) + "\r\n";
    const std::string target = dav(kAlice, p("exact.txt"));
    // surplus bytes that are not a request
    const std::string raw1 = "PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                             "Content-Length: 10\r\n\r\n0123456789SURPLUS-BYTES-THAT-ARE-NOT-A-REQUEST\r\n\r\n";
    RawOptions options;
    options.idleTimeout = std::chrono::milliseconds(1500);
    const RawResult res1 = anon().sendRaw(raw1, options);
    const auto s1 = res1.statuses();
    ASSERT_FALSE(s1.empty()) << "no reply to the PUT";
    EXPECT_EQ(s1.front(), 201u) << res1.received.substr(0, 400);
    for (std::size_t i = 1; i < s1.size(); ++i)
        EXPECT_TRUE(is4xx(s1[i])) << res1.received.substr(0, 600);
    const Reply get = alice().get(target);
    EXPECT_EQ(get.status, 200u);
    EXPECT_EQ(get.body, "0123456789");

    // surplus bytes that are a (pipelined) request: both are answered, the file has 10 bytes
    const std::string target2 = dav(kAlice, p("exact2.txt"));
    const std::string raw2 = "PUT " + target2 + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                             "Content-Length: 10\r\n\r\nabcdefghij"
                             "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const RawResult res2 = anon().sendRaw(raw2, options);
    EXPECT_EQ(res2.statuses(), (std::vector<unsigned>{201u, 200u})) << res2.received.substr(0, 600);
    EXPECT_EQ(contentOf(alice(), kAlice, p("exact2.txt")), "abcdefghij");
}

// A body of several MiB is read in blocks straight into the spool file: it arrives whole, and the
// request pipelined right after it is still answered.
TEST_F(ServerHttpTest, LargeBodyIsStoredExactlyAndThePipelinedRequestAfterItAnswered)
{
    const std::string auth = "Authorization: " + basicAuthValue(kAlice, kAlicePassword) + "\r\n";
    const std::string body = randomBytes(3 * 1024 * 1024 + 123, 77);
    const std::string raw = "PUT " + dav(kAlice, p("large.bin")) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
                            "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    RawOptions options;
    options.idleTimeout = std::chrono::milliseconds(5000);
    const RawResult res = anon().sendRaw(raw, options);
    EXPECT_EQ(res.statuses(), (std::vector<unsigned>{201u, 200u})) << res.received.substr(0, 600);
    EXPECT_TRUE(contentOf(alice(), kAlice, p("large.bin")) == body) << "the stored bytes differ from those sent";
}

TEST_F(ServerHttpTest, TruncatedUploadIsNotStored)
{
    const std::string auth = "Authorization: " + basicAuthValue(kAlice, kAlicePassword) + "\r\n";
    putOk(alice(), dav(kAlice, p("existing.txt")), "old content");
    for (const std::string name : {"new.txt", "existing.txt"}) {
        SCOPED_TRACE(name);
        const std::string raw = "PUT " + dav(kAlice, p(name)) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                                "Content-Length: 1000\r\n\r\n" + std::string(500, 'T');
        RawOptions options;
        options.idleTimeout = std::chrono::milliseconds(1500);
        options.shutdownWrite = true; // the client "dies" half-way
        const RawResult res = anon().sendRaw(raw, options);
        for (unsigned s : res.statuses())
            EXPECT_FALSE(is2xx(s)) << res.received.substr(0, 400);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("new.txt")), 404u) << "half an upload became a file";
    EXPECT_EQ(contentOf(alice(), kAlice, p("existing.txt")), "old content");
}

TEST_F(ServerHttpTest, KeepAliveServesManyRequestsOnOneConnection)
{
    HttpClient c = client(kAlice, kAlicePassword);
    for (int i = 0; i < 60; ++i) {
        SCOPED_TRACE(i);
        const std::string target = dav(kAlice, p("k" + std::to_string(i % 5)));
        const std::string body = "keep-alive body " + std::to_string(i);
        Reply r = c.get("/status.php");
        EXPECT_EQ(r.status, 200u);
        EXPECT_TRUE(r.keepAlive) << r.describe();
        r = c.put(target, body);
        EXPECT_TRUE(r.status == 201 || r.status == 204) << r.describe();
        EXPECT_TRUE(r.keepAlive) << r.describe();
        r = c.get(target);
        EXPECT_EQ(r.body, body);
        r = c.head(target);
        EXPECT_EQ(r.status, 200u);
        r = c.propfind(dav(kAlice, m_dir), "1", kPropfindBody);
        EXPECT_EQ(r.status, 207u);
        r = c.get(dav(kAlice, p("missing")));
        EXPECT_EQ(r.status, 404u);
        EXPECT_TRUE(r.keepAlive) << "a 404 closed the connection\n" << r.describe();
    }
    EXPECT_EQ(c.connectionsOpened(), 1u) << "the server did not keep the connection open";
    // a 401 does not have to end the connection either, but the next request must work
    HttpClient wrong(server()->host(), server()->port());
    wrong.setBasicAuth(kAlice, "wrong");
    EXPECT_EQ(wrong.get(dav(kAlice, m_dir)).status, 401u);
    wrong.setBasicAuth(kAlice, kAlicePassword);
    EXPECT_EQ(wrong.propfind(dav(kAlice, m_dir), "0", kPropfindBody).status, 207u);
}

TEST_F(ServerHttpTest, PipelinedRequestsAreAnsweredInOrder)
{
    const std::string one = "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const std::string missing = "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const std::string last = "GET /status.php HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    RawOptions options;
    options.idleTimeout = std::chrono::milliseconds(3000);
    const RawResult res = anon().sendRaw(one + missing + one + last, options);
    EXPECT_EQ(res.statuses(), (std::vector<unsigned>{200u, 404u, 200u, 200u})) << res.received.substr(0, 2000);
    EXPECT_TRUE(res.peerClosed) << "Connection: close was not honoured";
}

TEST_F(ServerHttpTest, ConcurrentClientsDoNotMixUpContent)
{
    constexpr int kThreads = 4;
    constexpr int kFiles = 15;
    std::mutex mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                HttpClient c(server()->host(), server()->port());
                c.setBasicAuth(kAlice, kAlicePassword);
                for (int i = 0; i < kFiles; ++i) {
                    const std::string rel = p("t" + std::to_string(t) + "-" + std::to_string(i));
                    const std::string body = randomBytes(1000 + static_cast<std::size_t>(t * 997 + i * 31),
                                                         static_cast<unsigned>(100 + t * 100 + i));
                    const Reply put = c.put(dav(kAlice, rel), body);
                    const Reply get = c.get(dav(kAlice, rel));
                    if (put.status != 201 || get.status != 200 || get.body != body) {
                        std::lock_guard lock(mutex);
                        errors.push_back(rel + ": PUT " + std::to_string(put.status) + ", GET " +
                                         std::to_string(get.status) + (get.body == body ? "" : ", content differs"));
                    }
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                errors.push_back(e.what());
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_TRUE(errors.empty()) << errors.size() << " failures, first: " << errors.front();
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    EXPECT_EQ(ms.entries.size(), static_cast<std::size_t>(kThreads * kFiles + 1));
    std::set<std::string> ids;
    for (const auto& e : ms.entries)
        ids.insert(e.text(kOc + "fileid"));
    EXPECT_EQ(ids.size(), ms.entries.size()) << "duplicate file ids under concurrency";
}

// ==== quota ========================================================================================================

TEST_F(ServerQuotaTest, UploadOverQuotaIs507AndNothingIsStored)
{
    putOk(alice(), dav(kAlice, p("first")), std::string(600, 'a'));
    const Reply over = alice().put(dav(kAlice, p("second")), std::string(600, 'b'));
    EXPECT_EQ(over.status, 507u) << over.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("second")), 404u);
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    EXPECT_EQ(ms.entries.size(), 2u) << ms.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("first")), std::string(600, 'a'));
    // what still fits is accepted
    putOk(alice(), dav(kAlice, p("small")), std::string(300, 'c'));
}

TEST_F(ServerQuotaTest, SingleFileLargerThanQuotaIs507)
{
    const Reply r = alice().put(dav(kAlice, p("huge")), std::string(5000, 'h'));
    EXPECT_EQ(r.status, 507u) << r.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("huge")), 404u);
}

TEST_F(ServerQuotaTest, OverwriteBeyondQuotaKeepsTheOldContent)
{
    putOk(alice(), dav(kAlice, p("f")), std::string(500, 'o'));
    const Reply r = alice().put(dav(kAlice, p("f")), std::string(3000, 'n'));
    EXPECT_EQ(r.status, 507u) << r.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("f")), std::string(500, 'o'));
}

TEST_F(ServerQuotaTest, CopyOverQuotaIs507)
{
    putOk(alice(), dav(kAlice, p("f")), std::string(600, 'f'));
    const Reply r = alice().copy(dav(kAlice, p("f")), dav(kAlice, p("g")));
    EXPECT_EQ(r.status, 507u) << r.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("g")), 404u);
}

TEST_F(ServerQuotaTest, DeletingFreesQuota)
{
    putOk(alice(), dav(kAlice, p("a")), std::string(700, 'a'));
    EXPECT_EQ(alice().put(dav(kAlice, p("b")), std::string(700, 'b')).status, 507u);
    EXPECT_EQ(alice().del(dav(kAlice, p("a"))).status, 204u);
    putOk(alice(), dav(kAlice, p("b")), std::string(700, 'b'));
}

TEST_F(ServerQuotaTest, QuotaIsPerUserAndReported)
{
    putOk(alice(), dav(kAlice, p("a")), std::string(600, 'a'));
    const auto root = stat(alice(), kAlice, "");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->text(kDav + "quota-available-bytes"), "400") << root->describe();
    // bob has no quota
    putOk(bob(), dav(kBob, "big-" + m_dir), std::string(5000, 'b'));
}

// ==== process lifecycle
// ==================================================================================================

std::unique_ptr<ServerProcess> startedServer()
{
    auto server = std::make_unique<ServerProcess>(serverBinary());
    server->addUser(kAlice, kAlicePassword);
    server->start();
    return server;
}

TEST(ServerLifecycleTest, SigtermStopsTheServerCleanly)
{
    auto server = startedServer();
    HttpClient c(server->host(), server->port());
    EXPECT_EQ(c.get("/status.php").status, 200u);
    c.disconnect();
    const int status = server->stop(std::chrono::seconds(10));
    EXPECT_EQ(status, 0) << ServerProcess::describeStatus(status) << "\n" << server->stderrText(4096);
    EXPECT_FALSE(server->lastStopNeededKill()) << "it ignored SIGTERM for 10 s";
}

TEST(ServerLifecycleTest, SigtermWithAnOpenConnectionStillStops)
{
    auto server = startedServer();
    HttpClient c(server->host(), server->port());
    c.setBasicAuth(kAlice, kAlicePassword);
    EXPECT_EQ(c.get("/status.php").status, 200u); // the connection stays open (keep-alive)
    const int status = server->stop(std::chrono::seconds(10));
    EXPECT_EQ(status, 0) << ServerProcess::describeStatus(status) << "\n" << server->stderrText(4096);
    EXPECT_FALSE(server->lastStopNeededKill()) << "an idle keep-alive connection blocked shutdown";
}

TEST(ServerLifecycleTest, DataSurvivesARestart)
{
    auto server = startedServer();
    std::string fileId, etag, rootEtag;
    const std::string content = binaryContent(50000, 7);
    {
        HttpClient c(server->host(), server->port());
        c.setBasicAuth(kAlice, kAlicePassword);
        ASSERT_EQ(c.mkcol(dav(kAlice, "keep")).status, 201u);
        const Reply put = c.put(dav(kAlice, "keep/f.bin"), content, {{"X-OC-Mtime", "1300000000"}});
        ASSERT_EQ(put.status, 201u) << put.describe();
        etag = put.header("ETag");
    }
    ASSERT_EQ(server->stop(), 0);
    server->start();
    HttpClient c(server->host(), server->port());
    c.setBasicAuth(kAlice, kAlicePassword);
    const Reply get = c.get(dav(kAlice, "keep/f.bin"));
    ASSERT_EQ(get.status, 200u) << get.describe();
    EXPECT_TRUE(get.body == content);
    EXPECT_EQ(unquote(get.header("ETag")), unquote(etag));
    const Reply list = c.propfind(dav(kAlice, "keep"), "1", kPropfindBody);
    ASSERT_EQ(list.status, 207u);
    const MultiStatus ms = parseMultiStatus(list.body);
    const DavEntry* e = ms.find(davDecoded(kAlice, "keep/f.bin"));
    ASSERT_NE(e, nullptr) << list.body;
    EXPECT_EQ(e->text(kDav + "getlastmodified"), rfc1123(1300000000));
    // users given on the command line again do not disturb existing data; the password still works
    EXPECT_EQ(c.get("/ocs/v2.php/cloud/user?format=json", {{"OCS-APIREQUEST", "true"}}).status, 200u);
}

TEST(ServerLifecycleTest, AcknowledgedUploadSurvivesKill9)
{
    auto server = startedServer();
    const std::string content = randomBytes(200000, 8);
    std::string fileId;
    {
        HttpClient c(server->host(), server->port());
        c.setBasicAuth(kAlice, kAlicePassword);
        ASSERT_EQ(c.put(dav(kAlice, "crash.bin"), content).status, 201u);
        ASSERT_EQ(c.mkcol(dav(kAlice, "crash-dir")).status, 201u);
    }
    server->kill9();
    server->start();
    HttpClient c(server->host(), server->port());
    c.setBasicAuth(kAlice, kAlicePassword);
    const Reply get = c.get(dav(kAlice, "crash.bin"));
    ASSERT_EQ(get.status, 200u) << get.describe();
    EXPECT_TRUE(get.body == content);
    EXPECT_EQ(c.propfind(dav(kAlice, "crash-dir"), "0", kPropfindBody).status, 207u);
    // and it goes on working
    EXPECT_EQ(c.put(dav(kAlice, "after.txt"), "after").status, 201u);
}

TEST(ServerLifecycleTest, FileIdsAreNotReusedAcrossRestarts)
{
    auto server = startedServer();
    std::string idA;
    {
        HttpClient c(server->host(), server->port());
        c.setBasicAuth(kAlice, kAlicePassword);
        ASSERT_EQ(c.put(dav(kAlice, "a"), "a").status, 201u);
        const MultiStatus ms = parseMultiStatus(c.propfind(dav(kAlice, "a"), "0", kPropfindBody).body);
        ASSERT_EQ(ms.entries.size(), 1u);
        idA = ms.entries.front().text(kOc + "fileid");
        ASSERT_EQ(c.del(dav(kAlice, "a")).status, 204u);
    }
    server->restart();
    HttpClient c(server->host(), server->port());
    c.setBasicAuth(kAlice, kAlicePassword);
    ASSERT_EQ(c.put(dav(kAlice, "b"), "b").status, 201u);
    const MultiStatus ms = parseMultiStatus(c.propfind(dav(kAlice, "b"), "0", kPropfindBody).body);
    ASSERT_EQ(ms.entries.size(), 1u);
    EXPECT_NE(ms.entries.front().text(kOc + "fileid"), idA);
}

// The harness itself: failures to start are reported clearly, not as a hang.
TEST(ServerProcessHarnessTest, ReportsAServerThatExitsAtOnce)
{
    ServerProcess fake("/bin/false");
    try {
        fake.start();
        FAIL() << "start() of /bin/false succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("exited"), std::string::npos) << e.what();
    }
}

TEST(ServerProcessHarnessTest, ReportsAnUnexpectedFirstLine)
{
    ServerProcess fake("/bin/echo");
    try {
        fake.start();
        FAIL() << "start() of /bin/echo succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("first stdout line"), std::string::npos) << e.what();
    }
}

TEST(ServerProcessHarnessTest, TimesOutOnASilentServer)
{
    // A "server" that accepts any arguments and says nothing.
    const auto script =
        std::filesystem::temp_directory_path() / ("nubo-itest-silent-" + std::to_string(::getpid()) + ".sh");
    {
        std::FILE* f = std::fopen(script.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("#!/bin/sh\nexec sleep 30\n", f);
        std::fclose(f);
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    }
    {
        ServerProcess quiet(script);
        quiet.setStartupTimeout(std::chrono::milliseconds(500));
        const auto begin = std::chrono::steady_clock::now();
        try {
            quiet.start();
            ADD_FAILURE() << "start() of a silent process succeeded";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("within"), std::string::npos) << e.what();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
        EXPECT_FALSE(quiet.isRunning());
    }
    std::filesystem::remove(script);
}


// ==== bulk upload (POST /remote.php/dav/bulk, dav.bulkupload 1.0) =====================================================

// One part of a bulk body as the desktop client builds it (QHttpPart headers in QMap order).
struct BulkPart {
    std::string path; // X-File-Path as sent
    std::string content;
    std::optional<std::int64_t> mtime = 1600000000;
    bool md5 = true;      // send X-File-MD5 (the desktop client's hash header)
    std::string checksum; // OC-Checksum, when not empty
    HeaderList extra;     // more headers (If-Match, ...), or overrides of the above when `raw`
    std::optional<std::string> contentLength; // the declared length; default: the content's
};

const std::string kBulkBoundary = "boundary_.oOo._MTk2NzEwODg1NDA1NzA5NDc0OA==";

std::string bulkBody(const std::vector<BulkPart>& parts, const std::string& boundary = kBulkBoundary)
{
    std::string body;
    for (const auto& part : parts) {
        body += "--" + boundary + "\r\n";
        body += "Content-Length: " + part.contentLength.value_or(std::to_string(part.content.size())) + "\r\n";
        body += "Content-Type: application/octet-stream\r\n";
        for (const auto& [name, value] : part.extra)
            body += name + ": " + value + "\r\n";
        if (!part.checksum.empty()) body += "OC-Checksum: " + part.checksum + "\r\n";
        if (part.md5) body += "X-File-MD5: " + digestHex(EVP_md5(), part.content) + "\r\n";
        if (part.mtime) body += "X-File-Mtime: " + std::to_string(*part.mtime) + "\r\n";
        body += "X-File-Path: " + part.path + "\r\n\r\n" + part.content + "\r\n";
    }
    return body + "--" + boundary + "--\r\n";
}

Reply postBulk(HttpClient& c, const std::string& body, const HeaderList& extra = {},
               const std::string& boundary = kBulkBoundary)
{
    HeaderList headers = {{"Content-Type", "multipart/related; boundary=\"" + boundary + "\""}, {"MIME-Version", "1.0"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return c.request("POST", "/remote.php/dav/bulk", headers, body);
}

// The lines of the access log that hold `needle`.
std::vector<std::string> accessLogLines(const ServerProcess& server, const std::string& needle)
{
    std::ifstream log(server.dataDir() / "access.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(log, line);)
        if (line.find(needle) != std::string::npos) lines.push_back(line);
    return lines;
}

// The server logs a request right after sending its reply: wait a little for the line.
std::vector<std::string> awaitAccessLogLines(const ServerProcess& server, const std::string& needle, std::size_t count)
{
    auto lines = accessLogLines(server, needle);
    for (int i = 0; i < 100 && lines.size() < count; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        lines = accessLogLines(server, needle);
    }
    return lines;
}

// Bulk upload is off unless --bulk-upload: neither advertised nor served.
TEST_F(ServerHttpTest, BulkUploadIsOffByDefault)
{
    const Reply caps = alice().get("/ocs/v1.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    const json dav = at(parseJson(caps), {"ocs", "data", "capabilities", "dav"});
    EXPECT_EQ(dav.value("chunking", ""), "1.0") << caps.body;
    EXPECT_FALSE(dav.contains("bulkupload")) << caps.body;
    BulkPart part;
    part.path = "/" + p("x.txt");
    part.content = "x";
    EXPECT_EQ(postBulk(alice(), bulkBody({part})).status, 404u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("x.txt")), 404u);
}

// One server for the bulk tests, started with --bulk-upload.
class ServerBulkTest : public ServerFixtureBase {
protected:
    static void SetUpTestSuite() { startServer(s_server, s_error, {"--bulk-upload"}); }
    static void TearDownTestSuite() { s_server.reset(); }
    ServerProcess* server() override { return s_server.get(); }
    const std::string& startError() override { return s_error; }

    static inline std::unique_ptr<ServerProcess> s_server;
    static inline std::string s_error;
};

// A fresh server per test, bulk upload on, alice limited to 1000 bytes.
class ServerBulkQuotaTest : public ServerFixtureBase {
protected:
    void SetUp() override
    {
        startServer(m_server, m_error, {"--bulk-upload", "--quota", kAlice + ":1000"});
        ServerFixtureBase::SetUp();
    }
    ServerProcess* server() override { return m_server.get(); }
    const std::string& startError() override { return m_error; }

    std::unique_ptr<ServerProcess> m_server;
    std::string m_error;
};

TEST_F(ServerBulkTest, CapabilitiesAdvertiseBulkUpload)
{
    const Reply caps = alice().get("/ocs/v1.php/cloud/capabilities?format=json", {{"OCS-APIREQUEST", "true"}});
    EXPECT_EQ(at(parseJson(caps), {"ocs", "data", "capabilities", "dav", "bulkupload"}), json("1.0")) << caps.body;
}

TEST_F(ServerBulkTest, BulkUploadStoresEveryPartAsAPutWould)
{
    mkcolOk(alice(), dav(kAlice, p("sub")));
    // Content that holds the boundary itself, CRLFs and every byte value: the parts are framed by
    // their Content-Length, not by a search for the boundary.
    const std::string tricky = binaryContent(3000, 7) + "\r\n--" + kBulkBoundary + "\r\n" + "--" + kBulkBoundary + "--";
    std::vector<BulkPart> parts(4);
    parts[0].path = "/" + p("one.txt");
    parts[0].content = "first file\n";
    parts[0].mtime = 1500000000;
    parts[1].path = "/" + p("sub/two.bin");
    parts[1].content = tricky;
    parts[1].mtime = 1600000001;
    parts[2].path = p("empty"); // no leading slash: also below the user's root
    parts[2].content = "";
    parts[2].mtime = std::nullopt;
    parts[3].path = "/" + p("sha1.txt");
    parts[3].content = "checked with SHA1";
    parts[3].md5 = false;
    parts[3].checksum = "SHA1:" + sha1Hex(parts[3].content);
    parts[3].extra = {{"X-OC-Mtime", "1400000000"}};
    parts[3].mtime = std::nullopt;
    parts.emplace_back();
    parts[4].path = "/" + p("sha256.txt");
    parts[4].content = "checked with SHA256";
    parts[4].md5 = false;
    parts[4].checksum = "SHA256:" + digestHex(EVP_sha256(), parts[4].content);

    const std::string requestId = "bulk-" + m_dir;
    const std::size_t before = accessLogLines(*server(), "POST /remote.php/dav/bulk").size();
    const Reply r = postBulk(alice(), bulkBody(parts), {{"X-Request-ID", requestId}});
    ASSERT_EQ(r.status, 200u) << r.describe();
    EXPECT_NE(r.header("Content-Type").find("application/json"), std::string::npos) << r.describe();
    const json results = parseJson(r);
    ASSERT_TRUE(results.is_object()) << r.body;
    EXPECT_EQ(results.size(), parts.size()) << r.body;

    for (const auto& part : parts) {
        SCOPED_TRACE(part.path);
        const json result = at(results, {part.path});
        ASSERT_TRUE(result.is_object()) << "no result keyed by the X-File-Path as sent:\n" << r.body;
        EXPECT_EQ(result.value("error", true), false) << result;
        const std::string rel = part.path.starts_with("/") ? part.path.substr(1) : part.path;
        EXPECT_EQ(contentOf(alice(), kAlice, rel), part.content);
        const auto entry = stat(alice(), kAlice, rel);
        ASSERT_TRUE(entry);
        // The reply names what a PROPFIND then shows: unquoted ETag, oc:id, oc:permissions.
        EXPECT_EQ(result.value("etag", ""), unquote(entry->text(kDav + "getetag")));
        EXPECT_EQ(result.value("fileid", ""), entry->text(kOc + "id"));
        EXPECT_EQ(result.value("permissions", ""), entry->text(kOc + "permissions"));
        EXPECT_EQ(entry->text(kDav + "getcontentlength"), std::to_string(part.content.size()));
        const std::string checksums = entry->text(kOc + "checksums");
        if (part.checksum.empty()) { // as a PUT without OC-Checksum: the server's SHA1 and MD5
            EXPECT_NE(lower(checksums).find("sha1:" + sha1Hex(part.content)), std::string::npos) << checksums;
            EXPECT_NE(lower(checksums).find("md5:" + digestHex(EVP_md5(), part.content)), std::string::npos)
                << checksums;
        } else {
            EXPECT_EQ(checksums, part.checksum);
        }
    }
    EXPECT_EQ(stat(alice(), kAlice, p("one.txt"))->text(kDav + "getlastmodified"), rfc1123(1500000000));
    EXPECT_EQ(stat(alice(), kAlice, p("sub/two.bin"))->text(kDav + "getlastmodified"), rfc1123(1600000001));
    EXPECT_EQ(stat(alice(), kAlice, p("sha1.txt"))->text(kDav + "getlastmodified"), rfc1123(1400000000))
        << "X-OC-Mtime is read when X-File-Mtime is absent";
    // One request in the access log, like any other, with its status, size and request id.
    const auto logged = awaitAccessLogLines(*server(), " " + requestId + " ", 1);
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged.front().find("POST /remote.php/dav/bulk 200 " + std::to_string(r.body.size()) + " "),
              std::string::npos)
        << logged.front();
    EXPECT_EQ(accessLogLines(*server(), "POST /remote.php/dav/bulk").size(), before + 1);
}

TEST_F(ServerBulkTest, BulkUploadReplacesLikeAPutAndHonoursIfMatch)
{
    const Reply first = putOk(alice(), dav(kAlice, p("a.txt")), "old a");
    putOk(alice(), dav(kAlice, p("b.txt")), "old b");
    const std::string idA = fileIdOf(alice(), kAlice, p("a.txt"));
    const std::string etagA = etagOf(alice(), kAlice, p("a.txt"));
    const std::string folderEtag = etagOf(alice(), kAlice, m_dir);
    std::vector<BulkPart> parts(2);
    parts[0].path = "/" + p("a.txt");
    parts[0].content = "new a";
    parts[0].extra = {{"If-Match", etagA}};
    parts[1].path = "/" + p("b.txt");
    parts[1].content = "new b";
    parts[1].extra = {{"If-Match", "\"not-the-etag\""}};
    const Reply r = postBulk(alice(), bulkBody(parts));
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json results = parseJson(r);
    EXPECT_EQ(at(results, {parts[0].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(at(results, {parts[1].path, "error"}), json(true)) << r.body;
    EXPECT_TRUE(at(results, {parts[1].path, "message"}).is_string()) << r.body;
    EXPECT_EQ(contentOf(alice(), kAlice, p("a.txt")), "new a");
    EXPECT_EQ(contentOf(alice(), kAlice, p("b.txt")), "old b") << "a part whose If-Match failed replaced the file";
    EXPECT_EQ(fileIdOf(alice(), kAlice, p("a.txt")), idA) << "replacing keeps the file id";
    EXPECT_NE(etagOf(alice(), kAlice, p("a.txt")), etagA);
    EXPECT_NE(etagOf(alice(), kAlice, m_dir), folderEtag) << "the parent's ETag did not change";
}

// The parts are stored in the order sent, in one transaction: a part sees the ones before it,
// and one that fails between two others leaves them stored.
TEST_F(ServerBulkTest, BulkPartsAreStoredInOrderAndOneFailingInBetweenLeavesTheOthers)
{
    std::vector<BulkPart> parts(4);
    parts[0].path = "/" + p("order.txt");
    parts[0].content = "first";
    parts[1].path = p("order.txt"); // the same file, spelt without the leading slash
    parts[1].content = "second";
    parts[1].extra = {{"If-None-Match", "*"}};
    parts[2].path = "/" + p("missing/x.txt");
    parts[2].content = "no parent";
    parts[3].path = "/" + p("after.txt");
    parts[3].content = "after";
    const Reply r = postBulk(alice(), bulkBody(parts));
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json results = parseJson(r);
    EXPECT_EQ(at(results, {parts[0].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(at(results, {parts[1].path, "error"}), json(true))
        << "If-None-Match: * did not see the file the part before it created\n" << r.body;
    EXPECT_EQ(at(results, {parts[2].path, "error"}), json(true)) << r.body;
    EXPECT_EQ(at(results, {parts[3].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(contentOf(alice(), kAlice, p("order.txt")), "first");
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("missing/x.txt")), 404u);
    EXPECT_EQ(contentOf(alice(), kAlice, p("after.txt")), "after");
    EXPECT_EQ(at(results, {parts[0].path, "etag"}), json(unquote(etagOf(alice(), kAlice, p("order.txt")))));
    EXPECT_EQ(at(results, {parts[3].path, "etag"}), json(unquote(etagOf(alice(), kAlice, p("after.txt")))));
}

TEST_F(ServerBulkTest, BulkPartWithABadChecksumIsRefusedAndTheOthersAreStored)
{
    std::vector<BulkPart> parts(4);
    parts[0].path = "/" + p("good1.txt");
    parts[0].content = "good one";
    parts[1].path = "/" + p("bad-md5.txt");
    parts[1].content = "bad md5";
    parts[1].md5 = false;
    parts[1].extra = {{"X-File-MD5", digestHex(EVP_md5(), "something else")}};
    parts[2].path = "/" + p("bad-sha1.txt");
    parts[2].content = "bad sha1";
    parts[2].md5 = false;
    parts[2].checksum = "SHA1:" + sha1Hex("something else");
    parts[3].path = "/" + p("good2.txt");
    parts[3].content = "good two";
    parts[3].checksum = "MD5:" + digestHex(EVP_md5(), parts[3].content); // both headers, both right
    const Reply r = postBulk(alice(), bulkBody(parts));
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json results = parseJson(r);
    for (const int i : {1, 2}) {
        EXPECT_EQ(at(results, {parts[i].path, "error"}), json(true)) << r.body;
        EXPECT_NE(at(results, {parts[i].path, "message"}).get<std::string>().find("checksum"), std::string::npos)
            << r.body;
        EXPECT_EQ(statusOfGet(alice(), kAlice, p(parts[i].path.substr(m_dir.size() + 2))), 404u)
            << "a part whose checksum did not match was stored";
    }
    for (const int i : {0, 3}) {
        EXPECT_EQ(at(results, {parts[i].path, "error"}), json(false)) << r.body;
        EXPECT_EQ(contentOf(alice(), kAlice, parts[i].path.substr(1)), parts[i].content);
    }
}

TEST_F(ServerBulkTest, BulkPartOutsideTheUsersFilesIsRefused)
{
    putOk(bob(), dav(kBob, "bobs.txt"), "bob's own");
    std::vector<BulkPart> parts(6);
    parts[0].path = "/../bob/bobs.txt";
    parts[1].path = "/" + p("../../bob/bobs.txt");
    parts[2].path = "/" + p("./dot.txt");
    parts[3].path = "/" + p("missing-folder/x.txt"); // the parent does not exist: 409 for a PUT
    parts[4].path = "/" + p("ok.txt");
    parts[5].path = "/";
    for (auto& part : parts)
        part.content = "intruder";
    const Reply r = postBulk(alice(), bulkBody(parts));
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json results = parseJson(r);
    for (const int i : {0, 1, 2, 3, 5})
        EXPECT_EQ(at(results, {parts[i].path, "error"}), json(true)) << parts[i].path << "\n" << r.body;
    EXPECT_EQ(at(results, {parts[4].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(contentOf(bob(), kBob, "bobs.txt"), "bob's own");
    EXPECT_EQ(statusOfGet(alice(), kAlice, "bob/bobs.txt"), 404u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("dot.txt")), 404u);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("missing-folder/x.txt")), 404u);
    const MultiStatus ms = propfind(alice(), dav(kAlice, m_dir), "1");
    EXPECT_EQ(ms.entries.size(), 2u) << "only ok.txt was stored\n" << ms.describe();
}

TEST_F(ServerBulkTest, TruncatedBulkBodyStoresNothing)
{
    std::vector<BulkPart> parts(2);
    parts[0].path = "/" + p("first.txt");
    parts[0].content = "first, complete";
    parts[1].path = "/" + p("second.txt");
    parts[1].content = std::string(2000, 's');
    const std::string full = bulkBody(parts);
    const std::size_t secondContent = full.find(parts[1].content);
    ASSERT_NE(secondContent, std::string::npos);
    // Cut inside the second part's content, right after its headers, after the first part, and
    // just before the close delimiter's "--": a complete HTTP request whose multipart body ends early.
    for (const std::size_t cut : {secondContent + 1000, secondContent, full.find("--" + kBulkBoundary, 10),
                                  full.size() - 4, std::size_t {0}}) {
        SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
        const Reply r = postBulk(alice(), full.substr(0, cut));
        EXPECT_EQ(r.status, 400u) << r.describe();
        EXPECT_EQ(statusOfGet(alice(), kAlice, p("first.txt")), 404u) << "a truncated bulk stored a part";
        EXPECT_EQ(statusOfGet(alice(), kAlice, p("second.txt")), 404u);
    }
    // The connection dies half-way through the body: no reply, nothing stored.
    const std::string head = "POST /remote.php/dav/bulk HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                             basicAuthValue(kAlice, kAlicePassword) +
                             "\r\nContent-Type: multipart/related; boundary=\"" + kBulkBoundary +
                             "\"\r\nContent-Length: " + std::to_string(full.size()) + "\r\n\r\n";
    RawOptions options;
    options.idleTimeout = std::chrono::milliseconds(1500);
    options.shutdownWrite = true;
    const RawResult res = anon().sendRaw(head + full.substr(0, secondContent + 1000), options);
    for (unsigned s : res.statuses())
        EXPECT_FALSE(is2xx(s)) << res.received.substr(0, 400);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("first.txt")), 404u) << "a cut-off bulk stored a part";
    // The whole body still works afterwards.
    const Reply ok = postBulk(alice(), full);
    ASSERT_EQ(ok.status, 200u) << ok.describe();
    EXPECT_EQ(contentOf(alice(), kAlice, p("second.txt")), parts[1].content);
    // Nothing was left behind in the server's spool folder.
    std::size_t leftovers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(server()->dataDir() / "tmp"))
        leftovers += entry.path().filename().string().starts_with("bulk-") ? 1 : 0;
    EXPECT_EQ(leftovers, 0u);
}

TEST_F(ServerBulkTest, MalformedBulkBodiesAreRefusedWholesale)
{
    BulkPart good;
    good.path = "/" + p("good.txt");
    good.content = "would be fine alone";
    const auto withBad = [&](BulkPart bad) { return bulkBody({good, bad}); };
    struct Case {
        std::string what;
        std::string body;
        std::string contentType;
    };
    BulkPart noLength = good, badLength = good, shorter = good, longer = good, noHash = good, folded = good;
    noLength.path = badLength.path = shorter.path = longer.path = noHash.path = folded.path = "/" + p("bad.txt");
    shorter.contentLength = std::to_string(good.content.size() - 3);
    longer.contentLength = std::to_string(good.content.size() + 3);
    badLength.contentLength = "12abc";
    noHash.md5 = false;
    folded.extra = {{"X-Folded", "a\r\n  continued"}};
    std::string noLengthBody = withBad(noLength);
    {
        const auto second = noLengthBody.rfind("Content-Length");
        noLengthBody.erase(second, noLengthBody.find("\r\n", second) + 2 - second);
    }
    std::string noPathBody = withBad(good);
    noPathBody.replace(noPathBody.rfind("X-File-Path"), 11, "X-File-Pat_");
    std::string duplicated = bulkBody({good});
    duplicated.insert(duplicated.find("X-File-Path"), "X-File-Path: /" + p("other.txt") + "\r\n");
    const std::string related = "multipart/related; boundary=\"" + kBulkBoundary + "\"";
    const std::vector<Case> cases = {
        {"a part without Content-Length", noLengthBody, related},
        {"a Content-Length that is not a number", withBad(badLength), related},
        {"a Content-Length shorter than the content", withBad(shorter), related},
        {"a Content-Length longer than the content", withBad(longer), related},
        {"a part without X-File-Path", noPathBody, related},
        {"a part without X-File-MD5 or OC-Checksum", withBad(noHash), related},
        {"a folded header", withBad(folded), related},
        {"a repeated X-File-Path", duplicated, related},
        {"a preamble before the first boundary", "preamble\r\n" + bulkBody({good}), related},
        {"another boundary than the Content-Type's", bulkBody({good}, "other-boundary"), related},
        {"no boundary parameter", bulkBody({good}), "multipart/related"},
        {"multipart/form-data", bulkBody({good}), "multipart/form-data; boundary=" + kBulkBoundary},
        {"no Content-Type", bulkBody({good}), ""},
        {"an empty body", "", related},
        {"more than 1000 parts", bulkBody(std::vector<BulkPart>(1001, good)), related},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        const Reply r = alice().request("POST", "/remote.php/dav/bulk", {{"Content-Type", c.contentType}}, c.body);
        EXPECT_EQ(r.status, 400u) << r.describe();
        EXPECT_EQ(statusOfGet(alice(), kAlice, p("good.txt")), 404u) << "a malformed bulk stored its good part";
        EXPECT_EQ(statusOfGet(alice(), kAlice, p("bad.txt")), 404u);
    }
}

TEST_F(ServerBulkTest, EmptyBulkIsAnEmptyResult)
{
    const Reply r = postBulk(alice(), "--" + kBulkBoundary + "--\r\n");
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json j = parseJson(r);
    EXPECT_TRUE(j.empty() && (j.is_array() || j.is_object())) << r.body; // Nextcloud's PHP says []
}

TEST_F(ServerBulkTest, BulkNeedsCredentialsAndPost)
{
    BulkPart part;
    part.path = "/" + p("anon.txt");
    part.content = "x";
    const Reply r = postBulk(anon(), bulkBody({part}));
    EXPECT_EQ(r.status, 401u) << r.describe();
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("anon.txt")), 404u);
    EXPECT_EQ(alice().get("/remote.php/dav/bulk").status, 405u);
}

// Parts into an end-to-end encrypted folder pass the same checks as a PUT there: refused without
// the folder's lock token (and X-E2EE-SUPPORTED), stored with it; the other parts are unaffected.
TEST_F(ServerBulkTest, BulkPartsIntoAnEncryptedFolderNeedItsLockToken)
{
    const std::string api = "/ocs/v2.php/apps/end_to_end_encryption/api/v2/";
    const HeaderList e2ee = {{"OCS-APIREQUEST", "true"}, {"X-E2EE-SUPPORTED", "true"}};
    mkcolOk(alice(), dav(kAlice, p("enc")));
    const std::string id = fileIdOf(alice(), kAlice, p("enc"));
    ASSERT_EQ(alice().request("PUT", api + "encrypted/" + id + "?format=json", e2ee).status, 200u);

    std::vector<BulkPart> parts(2);
    parts[0].path = "/" + p("enc/0123456789abcdef0123456789abcdef");
    parts[0].content = "ciphertext";
    parts[1].path = "/" + p("plain.txt");
    parts[1].content = "plain";
    const Reply refused = postBulk(alice(), bulkBody(parts), e2ee);
    ASSERT_EQ(refused.status, 200u) << refused.describe();
    EXPECT_EQ(at(parseJson(refused), {parts[0].path, "error"}), json(true)) << refused.body;
    EXPECT_EQ(at(parseJson(refused), {parts[1].path, "error"}), json(false)) << refused.body;
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("enc/0123456789abcdef0123456789abcdef")), 404u);

    HeaderList lockHeaders = e2ee;
    lockHeaders.emplace_back("X-NC-E2EE-COUNTER", "1");
    const Reply lock = alice().request("POST", api + "lock/" + id + "?format=json", lockHeaders);
    ASSERT_EQ(lock.status, 200u) << lock.describe();
    const std::string token = at(parseJson(lock), {"ocs", "data", "e2e-token"}).get<std::string>();
    HeaderList withToken = e2ee;
    withToken.emplace_back("e2e-token", "not-the-token");
    const Reply wrong = postBulk(alice(), bulkBody({parts[0]}), withToken);
    EXPECT_EQ(at(parseJson(wrong), {parts[0].path, "error"}), json(true)) << wrong.body;
    withToken.back().second = token;
    const Reply stored = postBulk(alice(), bulkBody({parts[0]}), withToken);
    EXPECT_EQ(at(parseJson(stored), {parts[0].path, "error"}), json(false)) << stored.body;
    EXPECT_EQ(contentOf(alice(), kAlice, p("enc/0123456789abcdef0123456789abcdef")), "ciphertext");
    HeaderList unlockHeaders = e2ee;
    unlockHeaders.emplace_back("e2e-token", token);
    EXPECT_EQ(alice().request("DELETE", api + "lock/" + id + "?format=json", unlockHeaders).status, 200u);
}

// Quota: parts are stored in order until one no longer fits; it alone gets an error.
TEST_F(ServerBulkQuotaTest, BulkPartOverQuotaIsRefusedAlone)
{
    std::vector<BulkPart> parts(4);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        parts[i].path = "/" + p("q" + std::to_string(i));
        parts[i].content = std::string(i == 2 ? 600 : 300, static_cast<char>('a' + i));
    }
    // 300 + 300 fit, 600 more do not (1000 bytes), the last 300 do again.
    const Reply r = postBulk(alice(), bulkBody(parts));
    ASSERT_EQ(r.status, 200u) << r.describe();
    const json results = parseJson(r);
    EXPECT_EQ(at(results, {parts[0].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(at(results, {parts[1].path, "error"}), json(false)) << r.body;
    EXPECT_EQ(at(results, {parts[2].path, "error"}), json(true)) << r.body;
    EXPECT_NE(at(results, {parts[2].path, "message"}).get<std::string>().find("quota"), std::string::npos) << r.body;
    EXPECT_EQ(at(results, {parts[3].path, "error"}), json(false)) << "what fits after a refusal is stored\n" << r.body;
    EXPECT_EQ(contentOf(alice(), kAlice, p("q3")), parts[3].content);
    EXPECT_EQ(statusOfGet(alice(), kAlice, p("q2")), 404u);
    EXPECT_EQ(contentOf(alice(), kAlice, p("q1")), parts[1].content);
}

} // namespace
} // namespace nubo::itest
