// Chunked upload v2 (/remote.php/dav/uploads/...), driven through Storage with hand-built Requests.
#include "storage.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "uploads.h"
#include "storage_test_support.h"
#include "webdav.h"

namespace fs = std::filesystem;
using namespace nubo::server;
using nubo::server::test::headerOf;
using nubo::server::test::responseBody;

namespace {

// A committed upload's chunks are deleted after the reply (uploads.cpp): true once `folder` is
// empty, waiting up to five seconds.
bool emptiedSoon(const fs::path& folder)
{
    for (int i = 0; i < 250 && !fs::is_empty(folder); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return fs::is_empty(folder);
}

constexpr std::string_view kFiles = "/remote.php/dav/files/alice";
constexpr std::string_view kUploads = "/remote.php/dav/uploads/alice";
constexpr std::string_view kHost = "https://cloud.example.com";

// href -> (property -> text) from a 207 body, found (200) properties only.
std::map<std::string, std::map<std::string, std::string>> parseMultiStatus(const std::string& xml)
{
    std::map<std::string, std::map<std::string, std::string>> out;
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    for (const auto response : doc.child("d:multistatus").children("d:response")) {
        auto& props = out[response.child_value("d:href")];
        for (const auto propstat : response.children("d:propstat")) {
            if (std::string(propstat.child_value("d:status")).find(" 200 ") == std::string::npos)
                continue;
            for (const auto prop : propstat.child("d:prop").children())
            {
                const auto inner = prop.first_child();
                props[prop.name()] = inner.type() == pugi::node_element
                    ? std::string(inner.name()) + "=" + inner.child_value()
                    : std::string(prop.child_value());
            }
        }
    }
    return out;
}

std::string randomBytes(std::size_t n, unsigned seed)
{
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (auto& c : out)
        c = static_cast<char>(gen() & 0xff);
    return out;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

class UploadsTest : public nubo::server::test::StorageFixture {
protected:

    static Request request(http::verb verb, std::string name, std::string path, const Headers& headers, std::string user)
    {
        Request r;
        r.method = verb;
        r.methodName = std::move(name);
        r.path = std::move(path);
        r.target = r.path;
        r.user = std::move(user);
        for (const auto& [k, v] : headers)
            r.headers.set(k, v);
        return r;
    }
    static std::string filesUrl(std::string_view rel, std::string_view user = "alice")
    {
        return std::string(kHost) + "/remote.php/dav/files/" + std::string(user) + std::string(rel);
    }
    static std::string up(std::string_view rel) { return std::string(kUploads) + std::string(rel); }

    Response mkcolUpload(const std::string& id, const std::string& destination, std::optional<std::size_t> total,
                         std::string user = "alice", std::string path = {})
    {
        Headers headers {{"Destination", filesUrl(destination)}};
        if (total)
            headers.emplace_back("OC-Total-Length", std::to_string(*total));
        auto r = request(http::verb::mkcol, "MKCOL", path.empty() ? up("/" + id) : path, headers, std::move(user));
        return storage->handleUploads(r);
    }
    Response putChunk(const std::string& id, const std::string& chunk, const std::string& content, Headers headers = {},
                      std::string user = "alice", std::string path = {})
    {
        auto r = request(http::verb::put, "PUT", path.empty() ? up("/" + id + "/" + chunk) : path, headers, std::move(user));
        const fs::path spool = storage->spoolDirectory() / ("upload-" + std::to_string(counter++));
        std::ofstream(spool, std::ios::binary) << content;
        r.bodyFile = spool;
        r.bodySize = content.size();
        auto response = storage->handleUploads(r);
        EXPECT_FALSE(fs::exists(spool)) << "the spooled body must be taken or removed";
        return response;
    }
    Response moveFile(const std::string& id, const std::string& destination, Headers headers = {},
                      std::string user = "alice")
    {
        headers.emplace_back("Destination", filesUrl(destination));
        auto r = request(http::verb::move, "MOVE", up("/" + id + "/.file"), headers, std::move(user));
        return storage->handleUploads(r);
    }
    Response propfindUploads(const std::string& path, std::string depth)
    {
        auto r = request(http::verb::propfind, "PROPFIND", path, {{"Depth", depth}}, "alice");
        return storage->handleUploads(r);
    }
    Response deleteUpload(const std::string& path, std::string user = "alice")
    {
        auto r = request(http::verb::delete_, "DELETE", path, {}, std::move(user));
        return storage->handleUploads(r);
    }

    // Plain files API.
    Response putFile(const std::string& rel, const std::string& content)
    {
        auto r = request(http::verb::put, "PUT", std::string(kFiles) + rel, {}, "alice");
        const fs::path spool = storage->spoolDirectory() / ("upload-" + std::to_string(counter++));
        std::ofstream(spool, std::ios::binary) << content;
        r.bodyFile = spool;
        return storage->handleFiles(r);
    }
    Response getFile(const std::string& rel)
    {
        auto r = request(http::verb::get, "GET", std::string(kFiles) + rel, {}, "alice");
        return storage->handleFiles(r);
    }
    std::map<std::string, std::string> fileProps(const std::string& rel)
    {
        auto r = request(http::verb::propfind, "PROPFIND", std::string(kFiles) + rel, {{"Depth", "0"}}, "alice");
        const auto response = storage->handleFiles(r);
        if (response.status != 207)
            return {};
        const auto ms = parseMultiStatus(response.body);
        return ms.empty() ? std::map<std::string, std::string>() : ms.begin()->second;
    }
    std::size_t blobCount() const
    {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir / "blobs"))
            ++n;
        return n;
    }

    // MKCOL + the chunks (in the given order), ready for the MOVE.
    void prepare(const std::string& id, const std::string& destination, const std::vector<std::string>& chunks,
                 const std::vector<int>& order)
    {
        std::size_t total = 0;
        for (const auto& c : chunks)
            total += c.size();
        ASSERT_EQ(mkcolUpload(id, destination, total).status, 201u);
        for (const int i : order) {
            char name[16];
            std::snprintf(name, sizeof name, "%05d", i + 1);
            const auto r = putChunk(id, name, chunks[static_cast<std::size_t>(i)], {{"OC-Total-Length", std::to_string(total)}});
            ASSERT_EQ(r.status, 201u) << r.body;
        }
    }

    int counter = 0;
};

TEST_F(UploadsTest, ChunksAssembleInNumericOrder)
{
    const std::vector<std::string> chunks = {randomBytes(100000, 1), randomBytes(70000, 2), randomBytes(12345, 3)};
    const std::string whole = chunks[0] + chunks[1] + chunks[2];
    prepare("4711", "/big.bin", chunks, {2, 0, 1}); // out of order

    const auto moved = moveFile("4711", "/big.bin", {{"OC-Total-Length", std::to_string(whole.size())}, {"X-OC-Mtime", "1700000000"}});
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_EQ(headerOf(moved, "X-OC-MTime"), "accepted");
    EXPECT_FALSE(headerOf(moved, "OC-FileId").empty());
    EXPECT_FALSE(headerOf(moved, "ETag").empty());
    EXPECT_EQ(headerOf(moved, "OC-ETag"), headerOf(moved, "ETag"));

    const auto got = getFile("/big.bin");
    ASSERT_EQ(got.status, 200u);
    EXPECT_TRUE(responseBody(got) == whole);
    const auto props = fileProps("/big.bin");
    EXPECT_EQ(props.at("d:getcontentlength"), std::to_string(whole.size()));
    EXPECT_EQ(props.at("d:getetag"), headerOf(moved, "ETag"));
    EXPECT_EQ(props.at("d:getlastmodified"), httpDate(1700000000));
    // The digests taken during the assembly are those of the stored bytes, in order.
    const fs::path copy = dir / "expected.bin";
    std::ofstream(copy, std::ios::binary) << whole;
    const auto expected = hashFile(copy, HashKinds{.sha1 = true, .md5 = true});
    ASSERT_TRUE(expected.has_value());
    fs::remove(copy);
    EXPECT_EQ(props.at("oc:checksums"), "oc:checksum=SHA1:" + expected->sha1 + " MD5:" + expected->md5);

    // The session is gone once committed, on disk too.
    EXPECT_EQ(propfindUploads(up("/4711"), "1").status, 404u);
    EXPECT_FALSE(fs::exists(dir / "uploads" / "alice" / "4711"));
    EXPECT_TRUE(emptiedSoon(dir / "tmp"));
}

// The assembly writes 1 MiB blocks that span the chunks (directly to the disk where it can) and
// the tail through the page cache: chunks that end anywhere give the bytes sent, in order, and
// their digests, whether the total is a whole number of 4 KiB sectors or not.
TEST_F(UploadsTest, ChunksAssembleExactlyWhereverBlocksAndSectorsEnd)
{
    const std::size_t mib = 1 << 20;
    const std::vector<std::vector<std::string>> uploads = {
        {randomBytes(mib - 1, 11), randomBytes(2, 12), randomBytes(3 * 4096 - 1, 13), randomBytes(mib + 4096, 14)},
        {randomBytes(mib, 21), randomBytes(mib, 22), randomBytes(4096 + 7, 23)},
        {randomBytes(1, 31)},
    };
    for (std::size_t u = 0; u < uploads.size(); ++u) {
        SCOPED_TRACE(u);
        const auto& chunks = uploads[u];
        std::string whole;
        for (const auto& chunk : chunks)
            whole += chunk;
        const std::string transfer = "blocks" + std::to_string(u);
        const std::string path = "/blocks" + std::to_string(u) + ".bin";
        std::vector<int> order;
        for (std::size_t i = chunks.size(); i-- > 0;)
            order.push_back(static_cast<int>(i)); // sent last first
        prepare(transfer, path, chunks, order);
        const auto moved = moveFile(transfer, path, {{"OC-Total-Length", std::to_string(whole.size())}});
        ASSERT_EQ(moved.status, 201u) << moved.body;
        EXPECT_TRUE(responseBody(getFile(path)) == whole) << "the assembled bytes differ from those sent";
        const fs::path copy = dir / "expected.bin";
        std::ofstream(copy, std::ios::binary) << whole;
        const auto expected = hashFile(copy, HashKinds{.sha1 = true, .md5 = true});
        ASSERT_TRUE(expected.has_value());
        fs::remove(copy);
        EXPECT_EQ(fileProps(path).at("oc:checksums"), "oc:checksum=SHA1:" + expected->sha1 + " MD5:" + expected->md5);
    }
}

TEST_F(UploadsTest, OffsetNamedChunksOfTheOlderNgChunkingAssembleInOrder)
{
    ASSERT_EQ(mkcolUpload("ng", "/ng.bin", 9).status, 201u);
    EXPECT_EQ(putChunk("ng", "0000000000000006", "ghi").status, 201u);
    EXPECT_EQ(putChunk("ng", "0000000000000000", "abc").status, 201u);
    EXPECT_EQ(putChunk("ng", "0000000000000003", "def").status, 201u);
    const auto moved = moveFile("ng", "/ng.bin");
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_EQ(responseBody(getFile("/ng.bin")), "abcdefghi");
}

TEST_F(UploadsTest, ChunkNamesAndTransferIdsAreValidated)
{
    ASSERT_EQ(mkcolUpload("t1", "/x", 3).status, 201u);
    EXPECT_EQ(mkcolUpload("t1", "/x", 3).status, 405u); // exists
    EXPECT_EQ(putChunk("t1", "abc", "a").status, 400u);
    EXPECT_EQ(putChunk("t1", "123456789012345678901", "a").status, 400u); // more than 20 digits
    EXPECT_EQ(putChunk("t1", "1", "a").status, 201u);     // same chunk as 00001
    EXPECT_EQ(putChunk("t1", "00002", "b").status, 201u);
    EXPECT_EQ(putChunk("t1", "000003", "c").status, 201u);
    EXPECT_EQ(putChunk("t1", "10000", "").status, 201u);
    EXPECT_EQ(mkcolUpload("..", "/x", 3, "alice", up("/..")).status, 400u);
    EXPECT_EQ(mkcolUpload("", "/x", 3, "alice", up("/")).status, 405u); // the user's uploads folder
    EXPECT_EQ(mkcolUpload("a", "/x", 3, "alice", up("/a/b")).status, 405u);
    EXPECT_EQ(putChunk("nope", "00001", "a").status, 404u); // v2 needs a MKCOL first
    const auto moved = moveFile("t1", "/x");
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_EQ(responseBody(getFile("/x")), "abc");
    EXPECT_EQ(Uploads::chunkNumber("00042"), 42u);
    EXPECT_EQ(Uploads::chunkNumber("0000000010485760"), 10485760u); // nextcloudcmd 3.x names chunks by offset
    EXPECT_EQ(Uploads::chunkNumber("-1"), std::nullopt);
    EXPECT_EQ(Uploads::ifHeaderEtags("<https://h/x> ([\"abc\"]) (Not [\"def\"])"), std::vector<std::string> {"\"abc\""});
}

TEST_F(UploadsTest, ResumeListsReceivedChunks)
{
    const std::vector<std::string> chunks = {randomBytes(1000, 4), randomBytes(1000, 5), randomBytes(500, 6)};
    ASSERT_EQ(mkcolUpload("resume", "/r.bin", 2500).status, 201u);
    ASSERT_EQ(putChunk("resume", "00001", chunks[0]).status, 201u);
    ASSERT_EQ(putChunk("resume", "00002", chunks[1]).status, 201u);
    // ... the connection broke here; the client asks what arrived.
    auto listing = propfindUploads(up("/resume"), "1");
    ASSERT_EQ(listing.status, 207u) << listing.body;
    auto ms = parseMultiStatus(listing.body);
    ASSERT_EQ(ms.size(), 3u) << listing.body;
    EXPECT_TRUE(ms.contains(up("/resume/")));
    EXPECT_EQ(ms[up("/resume/")]["d:resourcetype"], "d:collection=");
    EXPECT_EQ(ms[up("/resume/00001")]["d:getcontentlength"], "1000");
    EXPECT_EQ(ms[up("/resume/00002")]["d:getcontentlength"], "1000");
    EXPECT_FALSE(ms[up("/resume/00002")]["d:getetag"].empty());

    auto depth0 = propfindUploads(up("/resume"), "0");
    ASSERT_EQ(depth0.status, 207u);
    EXPECT_EQ(parseMultiStatus(depth0.body).size(), 1u);
    auto sessions = propfindUploads(up("/"), "1");
    ASSERT_EQ(sessions.status, 207u);
    ms = parseMultiStatus(sessions.body);
    EXPECT_TRUE(ms.contains(up("/"))) << sessions.body;
    EXPECT_TRUE(ms.contains(up("/resume/"))) << sessions.body;

    ASSERT_EQ(putChunk("resume", "00003", chunks[2]).status, 201u);
    listing = propfindUploads(up("/resume"), "1");
    EXPECT_EQ(parseMultiStatus(listing.body).size(), 4u);
    const auto moved = moveFile("resume", "/r.bin", {{"OC-Total-Length", "2500"}});
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_TRUE(responseBody(getFile("/r.bin")) == chunks[0] + chunks[1] + chunks[2]);
}

TEST_F(UploadsTest, ChecksumMismatchChangesNothing)
{
    const std::vector<std::string> chunks = {"hello ", "chunked ", "world"};
    const std::string whole = "hello chunked world";
    // The right SHA-1, as the server computes it for an ordinary PUT of the same bytes.
    ASSERT_EQ(putFile("/reference.txt", whole).status, 201u);
    const auto stored = parseMultiStatus([&] {
        auto r = request(http::verb::propfind, "PROPFIND", std::string(kFiles) + "/reference.txt", {{"Depth", "0"}}, "alice");
        r.body = "<d:propfind xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\"><d:prop><oc:checksums/></d:prop></d:propfind>";
        return storage->handleFiles(r).body;
    }());
    ASSERT_EQ(stored.size(), 1u);
    const std::string checksums = stored.begin()->second.at("oc:checksums"); // "oc:checksum=SHA1:.. MD5:.."
    const auto sha1 = checksums.substr(checksums.find('=') + 1, checksums.find(' ') - checksums.find('=') - 1);
    ASSERT_TRUE(sha1.starts_with("SHA1:")) << checksums;
    prepare("sum", "/c.txt", chunks, {0, 1, 2});
    const auto blobsBefore = blobCount();
    const auto rootEtag = fileProps("").at("d:getetag");

    const auto bad = moveFile("sum", "/c.txt", {{"OC-Checksum", "SHA1:0000000000000000000000000000000000000000"}});
    EXPECT_EQ(bad.status, 400u) << bad.body;
    EXPECT_EQ(getFile("/c.txt").status, 404u);
    EXPECT_EQ(blobCount(), blobsBefore);
    EXPECT_EQ(fileProps("").at("d:getetag"), rootEtag);
    EXPECT_TRUE(fs::is_empty(dir / "tmp"));

    // The session is still there: the client may retry, here with the right checksum.
    EXPECT_EQ(propfindUploads(up("/sum"), "1").status, 207u);
    const auto good = moveFile("sum", "/c.txt", {{"OC-Checksum", sha1}});
    ASSERT_EQ(good.status, 201u) << good.body;
    EXPECT_EQ(responseBody(getFile("/c.txt")), whole);
    EXPECT_EQ(fileProps("/c.txt").at("oc:checksums"), "oc:checksum=" + sha1);
}

TEST_F(UploadsTest, LengthMismatchIsRefused)
{
    prepare("len", "/l.bin", {"abc", "def"}, {0, 1});
    EXPECT_EQ(moveFile("len", "/l.bin", {{"OC-Total-Length", "7"}}).status, 400u);
    EXPECT_EQ(getFile("/l.bin").status, 404u);
    // The length given at MKCOL counts when the MOVE does not repeat it.
    ASSERT_EQ(mkcolUpload("len2", "/l2.bin", 10).status, 201u);
    ASSERT_EQ(putChunk("len2", "00001", "abc").status, 201u);
    EXPECT_EQ(moveFile("len2", "/l2.bin").status, 400u);
    EXPECT_EQ(getFile("/l2.bin").status, 404u);
    EXPECT_EQ(moveFile("len", "/l.bin", {{"OC-Total-Length", "6"}}).status, 201u);
}

TEST_F(UploadsTest, ReplacingKeepsFileIdAndPropagatesEtags)
{
    auto mk = request(http::verb::mkcol, "MKCOL", std::string(kFiles) + "/dir", {}, "alice");
    ASSERT_EQ(storage->handleFiles(mk).status, 201u);
    ASSERT_EQ(putFile("/dir/a.txt", "old content").status, 201u);
    const auto before = fileProps("/dir/a.txt");
    const auto dirEtag = fileProps("/dir").at("d:getetag");
    const auto rootEtag = fileProps("").at("d:getetag");

    prepare("rep", "/dir/a.txt", {"new ", "content!"}, {1, 0});
    // A stale version in the If header (as the desktop client sends it): 412, nothing changes.
    const auto stale = moveFile("rep", "/dir/a.txt", {{"If", "<" + filesUrl("/dir/a.txt") + "> ([\"deadbeef\"])"}});
    EXPECT_EQ(stale.status, 412u) << stale.body;
    EXPECT_EQ(responseBody(getFile("/dir/a.txt")), "old content");
    EXPECT_EQ(fileProps("/dir").at("d:getetag"), dirEtag);

    const auto moved = moveFile("rep", "/dir/a.txt", {{"If-Match", before.at("d:getetag")}, {"OC-Total-Length", "12"}});
    ASSERT_EQ(moved.status, 204u) << moved.body;
    const auto after = fileProps("/dir/a.txt");
    EXPECT_EQ(after.at("oc:fileid"), before.at("oc:fileid"));
    EXPECT_NE(after.at("d:getetag"), before.at("d:getetag"));
    EXPECT_EQ(after.at("d:getetag"), headerOf(moved, "ETag"));
    EXPECT_EQ(headerOf(moved, "OC-FileId"), formatOcId(std::stoll(before.at("oc:fileid"))));
    EXPECT_NE(fileProps("/dir").at("d:getetag"), dirEtag);
    EXPECT_NE(fileProps("").at("d:getetag"), rootEtag);
    EXPECT_EQ(responseBody(getFile("/dir/a.txt")), "new content!");
    EXPECT_EQ(fileProps("/dir").at("oc:size"), "12");
}

TEST_F(UploadsTest, MissingParentIsConflict)
{
    prepare("orphan", "/nowhere/f.txt", {"abc"}, {0});
    EXPECT_EQ(moveFile("orphan", "/nowhere/f.txt").status, 409u);
    EXPECT_TRUE(fs::is_empty(dir / "tmp"));
}

TEST_F(UploadsTest, QuotaIsEnforced)
{
    storage->setQuota("alice", 100);
    EXPECT_EQ(mkcolUpload("q1", "/q.bin", 200).status, 507u);
    ASSERT_EQ(mkcolUpload("q2", "/q.bin", 80).status, 201u);
    EXPECT_EQ(putChunk("q2", "00001", std::string(10, 'x'), {{"OC-Total-Length", "200"}}).status, 507u);
    ASSERT_EQ(putChunk("q2", "00001", std::string(60, 'x')).status, 201u);
    EXPECT_EQ(putChunk("q2", "00002", std::string(60, 'y')).status, 507u); // 120 bytes in all
    ASSERT_EQ(putChunk("q2", "00002", std::string(20, 'y')).status, 201u);
    ASSERT_EQ(moveFile("q2", "/q.bin").status, 201u);

    // The space used changes under a running upload: the MOVE is refused, nothing is stored.
    ASSERT_EQ(mkcolUpload("q3", "/q3.bin", 15).status, 201u);
    ASSERT_EQ(putChunk("q3", "00001", std::string(15, 'z')).status, 201u);
    ASSERT_EQ(putFile("/filler", std::string(10, 'f')).status, 201u);
    EXPECT_EQ(moveFile("q3", "/q3.bin").status, 507u);
    EXPECT_EQ(getFile("/q3.bin").status, 404u);
    EXPECT_EQ(fileProps("").at("oc:size"), "90");
}

TEST_F(UploadsTest, DeleteCancels)
{
    prepare("gone", "/g.bin", {"abc", "def"}, {0, 1});
    EXPECT_EQ(deleteUpload(up("/gone/00002")).status, 204u); // one chunk
    auto listing = propfindUploads(up("/gone"), "1");
    EXPECT_EQ(parseMultiStatus(listing.body).size(), 2u);
    EXPECT_EQ(deleteUpload(up("/gone")).status, 204u);
    EXPECT_FALSE(fs::exists(dir / "uploads" / "alice" / "gone"));
    EXPECT_EQ(propfindUploads(up("/gone"), "1").status, 404u);
    EXPECT_EQ(putChunk("gone", "00003", "x").status, 404u);
    EXPECT_EQ(moveFile("gone", "/g.bin").status, 404u);
    EXPECT_EQ(deleteUpload(up("/gone")).status, 404u);
    EXPECT_EQ(getFile("/g.bin").status, 404u);
}

TEST_F(UploadsTest, OtherUsersSessionsAreForbidden)
{
    const std::string bobs = "/remote.php/dav/uploads/bob/b1";
    // Bob's own session works.
    {
        auto r = request(http::verb::mkcol, "MKCOL", bobs, {{"Destination", filesUrl("/b.txt", "bob")}}, "bob");
        ASSERT_EQ(storage->handleUploads(r).status, 201u);
    }
    EXPECT_EQ(mkcolUpload("", "/x", 1, "alice", bobs).status, 403u);
    EXPECT_EQ(putChunk("", "", "x", {}, "alice", bobs + "/00001").status, 403u);
    {
        auto r = request(http::verb::propfind, "PROPFIND", bobs, {{"Depth", "1"}}, "alice");
        EXPECT_EQ(storage->handleUploads(r).status, 403u);
    }
    {
        auto r = request(http::verb::move, "MOVE", bobs + "/.file", {{"Destination", filesUrl("/b.txt")}}, "alice");
        EXPECT_EQ(storage->handleUploads(r).status, 403u);
    }
    EXPECT_EQ(deleteUpload(bobs, "alice").status, 403u);
    // Alice cannot aim her upload at Bob's files, at MKCOL or at MOVE.
    {
        auto r = request(http::verb::mkcol, "MKCOL", up("/a1"), {{"Destination", filesUrl("/b.txt", "bob")}}, "alice");
        EXPECT_EQ(storage->handleUploads(r).status, 403u);
    }
    prepare("a2", "/a.txt", {"abc"}, {0});
    {
        auto r = request(http::verb::move, "MOVE", up("/a2/.file"), {{"Destination", filesUrl("/b.txt", "bob")}}, "alice");
        EXPECT_EQ(storage->handleUploads(r).status, 403u);
    }
    // No credentials at all.
    {
        auto r = request(http::verb::propfind, "PROPFIND", up("/a2"), {}, "");
        EXPECT_EQ(storage->handleUploads(r).status, 401u);
    }
}

TEST_F(UploadsTest, SessionSurvivesRestart)
{
    ASSERT_EQ(mkcolUpload("persist", "/p.bin", 6).status, 201u);
    ASSERT_EQ(putChunk("persist", "00001", "abc").status, 201u);
    storage.reset();
    open();
    const auto listing = propfindUploads(up("/persist"), "1");
    ASSERT_EQ(listing.status, 207u);
    auto ms = parseMultiStatus(listing.body);
    EXPECT_EQ(ms[up("/persist/00001")]["d:getcontentlength"], "3");
    ASSERT_EQ(putChunk("persist", "00002", "def").status, 201u);
    const auto moved = moveFile("persist", "/p.bin"); // the length recorded at MKCOL still holds
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_EQ(responseBody(getFile("/p.bin")), "abcdef");
}

TEST_F(UploadsTest, StaleAndBrokenSessionsRemovedAtStartup)
{
    ASSERT_EQ(mkcolUpload("old", "/o.bin", 3).status, 201u);
    ASSERT_EQ(putChunk("old", "00001", "abc").status, 201u);
    ASSERT_EQ(mkcolUpload("fresh", "/f.bin", 3).status, 201u);
    const fs::path sessions = dir / "uploads" / "alice";
    fs::last_write_time(sessions / "old", fs::file_time_type::clock::now() - std::chrono::hours(25));
    fs::create_directories(sessions / "broken"); // no .session: a crash mid-MKCOL cannot leave this, but still
    storage.reset();
    open();
    EXPECT_EQ(propfindUploads(up("/old"), "0").status, 404u);
    EXPECT_FALSE(fs::exists(sessions / "old"));
    EXPECT_FALSE(fs::exists(sessions / "broken"));
    EXPECT_EQ(propfindUploads(up("/fresh"), "0").status, 207u);
}

TEST_F(UploadsTest, ConcurrentMovesOfOneSessionCommitOnce)
{
    const std::vector<std::string> chunks = {randomBytes(3 << 20, 7), randomBytes(3 << 20, 8)};
    prepare("race", "/race.bin", chunks, {0, 1});
    ASSERT_EQ(mkcolUpload("other", "/other.bin", 3).status, 201u);
    unsigned a = 0;
    unsigned b = 0;
    std::thread first([&] { a = moveFile("race", "/race.bin").status; });
    std::thread second([&] { b = moveFile("race", "/race.bin").status; });
    // Other sessions are not blocked meanwhile.
    EXPECT_EQ(putChunk("other", "00001", "abc").status, 201u);
    first.join();
    second.join();
    EXPECT_TRUE((a == 201u && (b == 423u || b == 404u)) || (b == 201u && (a == 423u || a == 404u))) << a << " " << b;
    EXPECT_TRUE(responseBody(getFile("/race.bin")) == chunks[0] + chunks[1]);
    EXPECT_EQ(moveFile("other", "/other.bin").status, 201u);
}

} // namespace
