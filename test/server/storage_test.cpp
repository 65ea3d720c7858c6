// Exercises nubo::server::Storage directly with hand-built Requests (no network).
#include "storage.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <atomic>
#include <fstream>
#include <thread>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "storage_test_support.h"
#include "webdav.h"

namespace fs = std::filesystem;
using namespace nubo::server;
using nubo::server::test::headerOf;
using nubo::server::test::responseBody;

namespace {

constexpr std::string_view kBase = "/remote.php/dav/files/alice";

struct Props {
    std::map<std::string, std::string> found; // "d:getetag" -> text
    std::set<std::string> missing;           // names in the 404 propstat
};

// href -> properties, in document order of hrefs
struct MultiStatus {
    std::vector<std::string> hrefs;
    std::map<std::string, Props> byHref;
};

MultiStatus parseMultiStatus(const std::string& xml)
{
    MultiStatus out;
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    for (const auto response : doc.child("d:multistatus").children("d:response")) {
        const std::string href = response.child_value("d:href");
        out.hrefs.push_back(href);
        Props& props = out.byHref[href];
        for (const auto propstat : response.children("d:propstat")) {
            const std::string status = propstat.child_value("d:status");
            for (const auto prop : propstat.child("d:prop").children()) {
                std::string text = prop.child_value();
                if (const auto inner = prop.first_child(); inner && inner.type() == pugi::node_element)
                    text = std::string("<") + inner.name() + ">" + inner.child_value();
                if (status.find(" 200 ") != std::string::npos)
                    props.found[prop.name()] = text;
                else
                    props.missing.insert(prop.name());
            }
        }
    }
    return out;
}

class StorageTest : public nubo::server::test::StorageFixture {
protected:

    static Request request(http::verb verb, std::string name, std::string path, std::string user = "alice")
    {
        Request r;
        r.method = verb;
        r.methodName = std::move(name);
        r.path = std::move(path);
        r.target = r.path;
        r.user = std::move(user);
        return r;
    }
    static std::string p(std::string_view rel) { return std::string(kBase) + std::string(rel); }

    Response put(const std::string& rel, const std::string& content,
        std::vector<std::pair<std::string, std::string>> headers = {}, std::string user = "alice")
    {
        auto r = request(http::verb::put, "PUT", p(rel), std::move(user));
        const fs::path spool = storage->spoolDirectory() / ("upload-" + std::to_string(counter++));
        std::ofstream(spool, std::ios::binary) << content;
        r.bodyFile = spool;
        r.bodySize = content.size();
        for (auto& [k, v] : headers)
            r.headers.set(k, v);
        return storage->handleFiles(r);
    }
    Response mkcol(const std::string& rel)
    {
        auto r = request(http::verb::mkcol, "MKCOL", p(rel));
        return storage->handleFiles(r);
    }
    Response del(const std::string& rel)
    {
        auto r = request(http::verb::delete_, "DELETE", p(rel));
        return storage->handleFiles(r);
    }
    Response get(const std::string& rel, std::string range = {}, http::verb verb = http::verb::get)
    {
        auto r = request(verb, verb == http::verb::get ? "GET" : "HEAD", p(rel));
        if (!range.empty())
            r.headers.set("Range", range);
        return storage->handleFiles(r);
    }
    Response moveCopy(http::verb verb, const std::string& from, const std::string& to, std::string overwrite = {})
    {
        auto r = request(verb, verb == http::verb::move ? "MOVE" : "COPY", p(from));
        r.headers.set("Destination", "https://cloud.example.com" + p(to));
        if (!overwrite.empty())
            r.headers.set("Overwrite", overwrite);
        return storage->handleFiles(r);
    }
    Response propfindRaw(const std::string& path, std::string depth, std::string body = {})
    {
        auto r = request(http::verb::propfind, "PROPFIND", path);
        r.headers.set("Depth", depth);
        r.body = std::move(body);
        return storage->handleFiles(r);
    }
    // The properties of one item (Depth 0, allprop).
    Props props(const std::string& rel)
    {
        const auto response = propfindRaw(p(rel), "0");
        EXPECT_EQ(response.status, 207u) << rel << "\n" << response.body;
        auto ms = parseMultiStatus(response.body);
        if (ms.hrefs.size() != 1)
            return {};
        return ms.byHref.begin()->second;
    }
    std::string etag(const std::string& rel) { return props(rel).found["d:getetag"]; }
    std::string fileid(const std::string& rel) { return props(rel).found["oc:fileid"]; }
    std::string size(const std::string& rel) { return props(rel).found["oc:size"]; }

    int counter = 0;
};

TEST_F(StorageTest, PutGetReplaceKeepsFileId)
{
    auto created = put("/hello.txt", "hello world");
    ASSERT_EQ(created.status, 201u) << created.body;
    const auto fileId = headerOf(created, "OC-FileId");
    EXPECT_TRUE(fileId.ends_with("ocnubo0001"));
    EXPECT_EQ(fileId.size(), 18u);
    EXPECT_TRUE(headerOf(created, "ETag").starts_with('"'));
    EXPECT_EQ(headerOf(created, "ETag"), headerOf(created, "OC-ETag"));

    auto got = get("/hello.txt");
    ASSERT_EQ(got.status, 200u);
    EXPECT_EQ(responseBody(got), "hello world");
    EXPECT_EQ(headerOf(got, "Content-Type"), "application/octet-stream");
    EXPECT_EQ(headerOf(got, "OC-FileId"), fileId);
    EXPECT_FALSE(headerOf(got, "Last-Modified").empty());

    auto replaced = put("/hello.txt", "bye");
    ASSERT_EQ(replaced.status, 204u);
    EXPECT_EQ(headerOf(replaced, "OC-FileId"), fileId);
    EXPECT_NE(headerOf(replaced, "ETag"), headerOf(created, "ETag"));
    EXPECT_EQ(responseBody(get("/hello.txt")), "bye");
    // The old blob is still on disk (grace period) but a new blob was written: never in place.
    EXPECT_NE(*get("/hello.txt").file, *got.file);
    EXPECT_EQ(responseBody(got), "hello world");
}

TEST_F(StorageTest, EtagPropagatesToRootAndNotToSiblings)
{
    ASSERT_EQ(mkcol("/a").status, 201u);
    ASSERT_EQ(mkcol("/a/b").status, 201u);
    ASSERT_EQ(mkcol("/c").status, 201u);
    ASSERT_EQ(put("/a/b/f.txt", "1").status, 201u);
    const auto root0 = etag("/"), a0 = etag("/a"), b0 = etag("/a/b"), c0 = etag("/c"), f0 = etag("/a/b/f.txt");
    ASSERT_TRUE(root0.starts_with('"') && root0.ends_with('"')) << root0;

    ASSERT_EQ(put("/a/b/f.txt", "22").status, 204u);
    EXPECT_NE(etag("/"), root0);
    EXPECT_NE(etag("/a"), a0);
    EXPECT_NE(etag("/a/b"), b0);
    EXPECT_NE(etag("/a/b/f.txt"), f0);
    EXPECT_EQ(etag("/c"), c0);

    // Delete, move and mkcol propagate too.
    const auto root1 = etag("/"), a1 = etag("/a");
    ASSERT_EQ(del("/a/b/f.txt").status, 204u);
    EXPECT_NE(etag("/"), root1);
    EXPECT_NE(etag("/a"), a1);
    const auto root2 = etag("/"), c2 = etag("/c");
    ASSERT_EQ(moveCopy(http::verb::move, "/a/b", "/c/b").status, 201u);
    EXPECT_NE(etag("/"), root2);
    EXPECT_NE(etag("/c"), c2);
}

TEST_F(StorageTest, FolderSizeIsRecursive)
{
    ASSERT_EQ(mkcol("/a").status, 201u);
    ASSERT_EQ(mkcol("/a/b").status, 201u);
    ASSERT_EQ(put("/a/x", "abc").status, 201u);
    ASSERT_EQ(put("/a/b/y", "12345").status, 201u);
    EXPECT_EQ(size("/a/b"), "5");
    EXPECT_EQ(size("/a"), "8");
    EXPECT_EQ(size("/"), "8");
    ASSERT_EQ(put("/a/b/y", "1").status, 204u);
    EXPECT_EQ(size("/a"), "4");
    ASSERT_EQ(moveCopy(http::verb::move, "/a/x", "/x").status, 201u);
    EXPECT_EQ(size("/a"), "1");
    EXPECT_EQ(size("/"), "4");
    ASSERT_EQ(moveCopy(http::verb::copy, "/a", "/a2").status, 201u);
    EXPECT_EQ(size("/a2"), "1");
    EXPECT_EQ(size("/"), "5");
    ASSERT_EQ(del("/a").status, 204u);
    EXPECT_EQ(size("/"), "4");
    EXPECT_EQ(props("/").found["d:quota-used-bytes"], "4");
}

TEST_F(StorageTest, FileIdStableAcrossMoveNewOnCopy)
{
    ASSERT_EQ(mkcol("/dir").status, 201u);
    ASSERT_EQ(put("/dir/f.txt", "content").status, 201u);
    const auto dirId = fileid("/dir");
    const auto fileId = fileid("/dir/f.txt");
    const auto fileEtag = etag("/dir/f.txt");

    auto moved = moveCopy(http::verb::move, "/dir", "/renamed dir");
    ASSERT_EQ(moved.status, 201u) << moved.body;
    EXPECT_EQ(fileid("/renamed dir"), dirId);
    EXPECT_EQ(fileid("/renamed dir/f.txt"), fileId);
    EXPECT_EQ(etag("/renamed dir/f.txt"), fileEtag);
    EXPECT_EQ(get("/dir/f.txt").status, 404u);

    ASSERT_EQ(moveCopy(http::verb::move, "/renamed dir/f.txt", "/g.txt").status, 201u);
    EXPECT_EQ(fileid("/g.txt"), fileId);

    ASSERT_EQ(moveCopy(http::verb::copy, "/g.txt", "/h.txt").status, 201u);
    EXPECT_NE(fileid("/h.txt"), fileId);
    EXPECT_EQ(fileid("/g.txt"), fileId);
    EXPECT_EQ(responseBody(get("/h.txt")), "content");
    // Copies are independent: replacing one leaves the other.
    ASSERT_EQ(put("/h.txt", "other").status, 204u);
    EXPECT_EQ(responseBody(get("/g.txt")), "content");
}

TEST_F(StorageTest, IfMatchPreconditions)
{
    ASSERT_EQ(put("/f", "v1").status, 201u);
    const auto current = etag("/f");
    auto mismatch = put("/f", "v2", {{"If-Match", "\"0123456789abcdef\""}});
    EXPECT_EQ(mismatch.status, 412u);
    EXPECT_EQ(responseBody(get("/f")), "v1");
    EXPECT_EQ(etag("/f"), current);

    EXPECT_EQ(put("/f", "v2", {{"If-None-Match", "*"}}).status, 412u);
    EXPECT_EQ(put("/new", "x", {{"If-Match", "\"abc\""}}).status, 412u);
    EXPECT_EQ(get("/new").status, 404u);

    auto ok = put("/f", "v2", {{"If-Match", current}});
    EXPECT_EQ(ok.status, 204u) << ok.body;
    EXPECT_EQ(responseBody(get("/f")), "v2");
    EXPECT_EQ(put("/g", "x", {{"If-None-Match", "*"}}).status, 201u);
}

TEST_F(StorageTest, QuotaRefusesWithInsufficientStorage)
{
    EXPECT_EQ(props("/").found["d:quota-available-bytes"], "-3");
    storage->setQuota("alice", 10);
    ASSERT_EQ(put("/a", "12345678").status, 201u);
    EXPECT_EQ(props("/").found["d:quota-available-bytes"], "2");
    const auto rootEtag = etag("/");
    auto refused = put("/b", "12345");
    EXPECT_EQ(refused.status, 507u);
    EXPECT_EQ(get("/b").status, 404u);
    EXPECT_EQ(etag("/"), rootEtag);
    EXPECT_EQ(size("/"), "8");
    EXPECT_TRUE(fs::is_empty(storage->spoolDirectory()));
    // Replacing counts the difference only.
    EXPECT_EQ(put("/a", "1234567890").status, 204u);
    EXPECT_EQ(moveCopy(http::verb::copy, "/a", "/a-copy").status, 507u);
    storage->clearQuota("alice");
    EXPECT_EQ(put("/b", "12345").status, 201u);
}

TEST_F(StorageTest, MissingParentAndMkcolRules)
{
    EXPECT_EQ(put("/missing/f", "x").status, 409u);
    EXPECT_EQ(mkcol("/missing/sub").status, 409u);
    ASSERT_EQ(mkcol("/dir").status, 201u);
    EXPECT_EQ(mkcol("/dir").status, 405u);
    ASSERT_EQ(put("/file", "x").status, 201u);
    EXPECT_EQ(put("/file/child", "x").status, 409u);
    EXPECT_EQ(mkcol("/file").status, 405u);
    EXPECT_EQ(put("/dir", "x").status, 409u);
    auto withBody = request(http::verb::mkcol, "MKCOL", p("/withbody"));
    withBody.body = "<x/>";
    EXPECT_EQ(storage->handleFiles(withBody).status, 415u);
    EXPECT_EQ(del("/nothing").status, 404u);
    EXPECT_EQ(moveCopy(http::verb::move, "/file", "/missing/file").status, 409u);
    EXPECT_EQ(get("/file").status, 200u);
}

TEST_F(StorageTest, RangeRequests)
{
    ASSERT_EQ(put("/r", "0123456789").status, 201u);
    auto partial = get("/r", "bytes=2-4");
    ASSERT_EQ(partial.status, 206u);
    EXPECT_EQ(responseBody(partial), "234");
    EXPECT_EQ(headerOf(partial, "Content-Range"), "bytes 2-4/10");
    auto suffix = get("/r", "bytes=-3");
    ASSERT_EQ(suffix.status, 206u);
    EXPECT_EQ(responseBody(suffix), "789");
    auto open = get("/r", "bytes=7-");
    ASSERT_EQ(open.status, 206u);
    EXPECT_EQ(responseBody(open), "789");
    auto clamped = get("/r", "bytes=8-100");
    ASSERT_EQ(clamped.status, 206u);
    EXPECT_EQ(responseBody(clamped), "89");
    auto unsatisfiable = get("/r", "bytes=10-");
    EXPECT_EQ(unsatisfiable.status, 416u);
    EXPECT_EQ(headerOf(unsatisfiable, "Content-Range"), "bytes */10");
    EXPECT_EQ(get("/r", "bytes=5-2").status, 200u); // malformed: whole file
    auto head = get("/r", {}, http::verb::head);
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.fileLength, 10u);
    EXPECT_FALSE(headerOf(head, "ETag").empty());
}

TEST_F(StorageTest, PropfindDepthOneWith404Propstat)
{
    ASSERT_EQ(mkcol("/folder").status, 201u);
    ASSERT_EQ(put("/folder/b file.txt", "bb").status, 201u);
    ASSERT_EQ(put("/folder/a.txt", "a").status, 201u);
    ASSERT_EQ(mkcol("/folder/c").status, 201u);
    const std::string body = R"(<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns" xmlns:x="urn:example">
  <d:prop><d:resourcetype/><d:getetag/><oc:fileid/><oc:permissions/><oc:size/><d:getcontentlength/>
  <oc:checksums/><nc:is-encrypted/><x:unknown/></d:prop></d:propfind>)";
    auto response = propfindRaw(p("/folder/"), "1", body);
    ASSERT_EQ(response.status, 207u);
    EXPECT_EQ(headerOf(response, "Content-Type"), "application/xml; charset=utf-8");
    const auto ms = parseMultiStatus(response.body);
    const std::vector<std::string> expected = {"/remote.php/dav/files/alice/folder/",
        "/remote.php/dav/files/alice/folder/a.txt", "/remote.php/dav/files/alice/folder/b%20file.txt",
        "/remote.php/dav/files/alice/folder/c/"};
    EXPECT_EQ(ms.hrefs, expected) << response.body;
    const auto& folder = ms.byHref.at(expected[0]);
    EXPECT_EQ(folder.found.at("d:resourcetype"), "<d:collection>");
    EXPECT_EQ(folder.found.at("oc:permissions"), "RGDNVCK");
    EXPECT_EQ(folder.found.at("oc:size"), "3");
    EXPECT_EQ(folder.found.at("nc:is-encrypted"), "0");
    EXPECT_TRUE(folder.missing.contains("x:unknown")) << response.body;
    EXPECT_TRUE(folder.missing.contains("d:getcontentlength"));
    const auto& file = ms.byHref.at(expected[2]);
    EXPECT_EQ(file.found.at("oc:permissions"), "RGDNVW");
    EXPECT_EQ(file.found.at("d:getcontentlength"), "2");
    EXPECT_TRUE(file.found.at("oc:checksums").starts_with("<oc:checksum>SHA1:"));
    EXPECT_TRUE(file.missing.contains("x:unknown"));
    EXPECT_EQ(file.found.count("x:unknown"), 0u);
    EXPECT_NE(response.body.find("xmlns:x=\"urn:example\""), std::string::npos);

    auto depth0 = propfindRaw(p("/folder"), "0", body);
    EXPECT_EQ(parseMultiStatus(depth0.body).hrefs.size(), 1u);
    EXPECT_EQ(propfindRaw(p("/folder"), "1", "<not xml").status, 400u);
    EXPECT_EQ(propfindRaw(p("/nope"), "0").status, 404u);
    const auto all = props("/folder/a.txt");
    EXPECT_EQ(all.found.at("oc:id"), std::string(8 - all.found.at("oc:fileid").size(), '0') + all.found.at("oc:fileid") + "ocnubo0001");
    EXPECT_EQ(all.found.at("oc:owner-id"), "alice");
}

TEST_F(StorageTest, TraversalAndInvalidNamesRefused)
{
    ASSERT_EQ(mkcol("/dir").status, 201u);
    const auto rootEtag = etag("/");
    EXPECT_EQ(put("/dir/../escape", "x").status, 400u);
    EXPECT_EQ(put("/dir/./x", "x").status, 400u);
    EXPECT_EQ(put("/dir//x", "x").status, 400u);
    EXPECT_EQ(put("/dir/a\\b", "x").status, 400u);
    EXPECT_EQ(put(std::string("/dir/a") + '\0' + "b", "x").status, 400u);
    EXPECT_EQ(mkcol("/..").status, 400u);
    EXPECT_EQ(propfindRaw(p("/../../bob/"), "0").status, 400u);
    auto move = request(http::verb::move, "MOVE", p("/dir"));
    move.headers.set("Destination", "https://h/remote.php/dav/files/alice/%2E%2E/x");
    EXPECT_EQ(storage->handleFiles(move).status, 400u);
    move.headers.set("Destination", "https://h/remote.php/dav/files/alice/bad%zz");
    EXPECT_EQ(storage->handleFiles(move).status, 400u);
    EXPECT_EQ(etag("/"), rootEtag);
    // Nothing was left in the spool or blob folders by the refused PUTs.
    EXPECT_TRUE(fs::is_empty(dir / "blobs"));
    EXPECT_TRUE(fs::is_empty(storage->spoolDirectory()));
}

TEST_F(StorageTest, CrossUserAccessRefused)
{
    ASSERT_EQ(put("/mine", "x").status, 201u);
    EXPECT_EQ(propfindRaw("/remote.php/dav/files/bob/", "0").status, 403u);
    auto bobPut = request(http::verb::get, "GET", p("/mine"), "bob");
    EXPECT_EQ(storage->handleFiles(bobPut).status, 403u);
    auto move = request(http::verb::move, "MOVE", p("/mine"));
    move.headers.set("Destination", "https://h/remote.php/dav/files/bob/stolen");
    EXPECT_EQ(storage->handleFiles(move).status, 403u);
    auto anonymous = request(http::verb::get, "GET", p("/mine"), "");
    EXPECT_EQ(storage->handleFiles(anonymous).status, 401u);
    EXPECT_EQ(get("/mine").status, 200u);
}

TEST_F(StorageTest, LegacyWebdavPathAndHrefs)
{
    ASSERT_EQ(put("/x y", "x").status, 201u);
    auto r = propfindRaw("/remote.php/webdav/", "1");
    ASSERT_EQ(r.status, 207u);
    const auto ms = parseMultiStatus(r.body);
    ASSERT_EQ(ms.hrefs.size(), 2u);
    EXPECT_EQ(ms.hrefs[0], "/remote.php/webdav/");
    EXPECT_EQ(ms.hrefs[1], "/remote.php/webdav/x%20y");
}

TEST_F(StorageTest, CrashLeftoversRemovedAtStartup)
{
    ASSERT_EQ(put("/keep", "kept content").status, 201u);
    const auto keptBlob = *get("/keep").file;
    storage.reset();
    // What a kill -9 may leave: a half-spooled body and a blob whose row never committed.
    std::ofstream(dir / "tmp" / "spool-123") << "partial";
    fs::create_directories(dir / "tmp" / "done-123"); // a committed upload's chunks, not deleted yet
    std::ofstream(dir / "tmp" / "done-123" / "00001") << "chunk";
    std::ofstream(dir / "blobs" / "0123456789abcdef0123456789abcdef") << "orphan";
    open();
    EXPECT_TRUE(fs::is_empty(dir / "tmp"));
    EXPECT_FALSE(fs::exists(dir / "blobs" / "0123456789abcdef0123456789abcdef"));
    EXPECT_TRUE(fs::exists(keptBlob));
    EXPECT_EQ(responseBody(get("/keep")), "kept content");
    EXPECT_TRUE(storage->authenticate("alice", "secret").has_value());
}

TEST_F(StorageTest, ReplacedAndDeletedBlobsGoAway)
{
    ASSERT_EQ(put("/a", "one").status, 201u);
    ASSERT_EQ(put("/a", "two").status, 204u);
    ASSERT_EQ(put("/b", "three").status, 201u);
    ASSERT_EQ(moveCopy(http::verb::copy, "/b", "/c").status, 201u);
    ASSERT_EQ(del("/b").status, 204u);
    storage.reset(); // purges released blobs
    std::size_t blobs = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "blobs"))
        ++blobs;
    EXPECT_EQ(blobs, 2u); // "two" and the blob shared by /c
    open();
    EXPECT_EQ(responseBody(get("/c")), "three");
}

TEST_F(StorageTest, MoveIntoOwnSubfolderRefused)
{
    ASSERT_EQ(mkcol("/a").status, 201u);
    ASSERT_EQ(mkcol("/a/b").status, 201u);
    const auto rootEtag = etag("/");
    EXPECT_EQ(moveCopy(http::verb::move, "/a", "/a/b/a").status, 403u);
    EXPECT_EQ(moveCopy(http::verb::move, "/a", "/a/x").status, 403u);
    EXPECT_EQ(moveCopy(http::verb::copy, "/a", "/a/b/c").status, 403u);
    EXPECT_EQ(moveCopy(http::verb::move, "/a", "/a").status, 403u);
    EXPECT_EQ(moveCopy(http::verb::move, "/a/b", "/a", "T").status, 409u);
    EXPECT_EQ(etag("/"), rootEtag);
    EXPECT_EQ(props("/a/b").found["d:resourcetype"], "<d:collection>");
}

TEST_F(StorageTest, OverwriteHeader)
{
    ASSERT_EQ(put("/src", "source").status, 201u);
    ASSERT_EQ(put("/dst", "destination").status, 201u);
    const auto srcId = fileid("/src");
    EXPECT_EQ(moveCopy(http::verb::move, "/src", "/dst", "F").status, 412u);
    EXPECT_EQ(responseBody(get("/dst")), "destination");
    auto moved = moveCopy(http::verb::move, "/src", "/dst", "T");
    EXPECT_EQ(moved.status, 204u);
    EXPECT_EQ(fileid("/dst"), srcId);
    EXPECT_EQ(responseBody(get("/dst")), "source");
    EXPECT_EQ(size("/"), "6");
    EXPECT_EQ(get("/src").status, 404u);
}

TEST_F(StorageTest, ChecksumsAndMtime)
{
    // SHA1("abc")
    const std::string sha1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
    auto ok = put("/c", "abc", {{"OC-Checksum", "SHA1:" + sha1}, {"X-OC-Mtime", "1000000000"}});
    ASSERT_EQ(ok.status, 201u) << ok.body;
    EXPECT_EQ(headerOf(ok, "X-OC-MTime"), "accepted");
    const auto pr = props("/c");
    EXPECT_EQ(pr.found.at("oc:checksums"), "<oc:checksum>SHA1:" + sha1);
    EXPECT_EQ(pr.found.at("d:getlastmodified"), "Sun, 09 Sep 2001 01:46:40 GMT");
    EXPECT_EQ(put("/d", "abd", {{"OC-Checksum", "SHA1:" + sha1}}).status, 400u);
    EXPECT_EQ(get("/d").status, 404u);
    EXPECT_EQ(put("/e", "abc", {{"X-OC-Mtime", "yesterday"}}).status, 400u);
    ASSERT_EQ(put("/f", "abc").status, 201u);
    EXPECT_EQ(props("/f").found.at("oc:checksums"),
        "<oc:checksum>SHA1:" + sha1 + " MD5:900150983cd24fb0d6963f7d28e17f72");
    // Each type the capabilities name is verified on its own (only that digest is computed).
    const std::string md5 = "900150983cd24fb0d6963f7d28e17f72";
    const std::string sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    EXPECT_EQ(put("/g", "abc", {{"OC-Checksum", "MD5:" + md5}}).status, 201u);
    EXPECT_EQ(put("/h", "abd", {{"OC-Checksum", "MD5:" + md5}}).status, 400u);
    EXPECT_EQ(put("/i", "abc", {{"OC-Checksum", "SHA256:" + sha256}}).status, 201u);
    EXPECT_EQ(put("/j", "abd", {{"OC-Checksum", "sha256:" + sha256}}).status, 400u);
    EXPECT_EQ(props("/i").found.at("oc:checksums"), "<oc:checksum>SHA256:" + sha256);
    EXPECT_EQ(put("/k", "abc", {{"OC-Checksum", "ADLER32:024d0127"}}).status, 201u); // stored unverified
}

TEST_F(StorageTest, Authentication)
{
    EXPECT_EQ(storage->authenticate("alice", "secret"), "alice");
    EXPECT_FALSE(storage->authenticate("alice", "wrong"));
    EXPECT_FALSE(storage->authenticate("nobody", "secret"));
    const auto app = storage->createAppPassword("alice");
    EXPECT_EQ(app.size(), 72u);
    for (const char c : app)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
    EXPECT_EQ(storage->authenticate("alice", app), "alice");
    EXPECT_FALSE(storage->authenticate("bob", app));
    storage->addUser("alice", "changed");
    EXPECT_FALSE(storage->authenticate("alice", "secret"));
    EXPECT_EQ(storage->authenticate("alice", "changed"), "alice");
    EXPECT_EQ(storage->authenticate("alice", app), "alice");
}

TEST_F(StorageTest, DeleteIsRecursive)
{
    ASSERT_EQ(mkcol("/t").status, 201u);
    ASSERT_EQ(mkcol("/t/u").status, 201u);
    ASSERT_EQ(put("/t/u/f", "x").status, 201u);
    EXPECT_EQ(del("/t").status, 204u);
    EXPECT_EQ(get("/t/u/f").status, 404u);
    EXPECT_EQ(propfindRaw(p("/t"), "0").status, 404u);
    EXPECT_EQ(del("/t").status, 404u);
    EXPECT_EQ(size("/"), "0");
    // Recreating gives new ids.
    ASSERT_EQ(mkcol("/t").status, 201u);
}

TEST_F(StorageTest, EncryptedFlagAndFileInfo)
{
    ASSERT_EQ(mkcol("/e").status, 201u);
    const auto id = std::stoll(fileid("/e"));
    const auto before = etag("/");
    EXPECT_EQ(storage->setEncrypted("alice", id, true), 200u);
    EXPECT_EQ(props("/e").found.at("nc:is-encrypted"), "1");
    EXPECT_NE(etag("/"), before);
    EXPECT_EQ(storage->setEncrypted("bob", id, true), 404u);
    const auto info = storage->fileInfo("alice", id);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->path, "e");
    EXPECT_TRUE(info->isDir && info->encrypted && !info->hasChildren);
    EXPECT_EQ(put("/e/blob", "x").status, 403u) << "writes into an encrypted folder need its E2EE lock";
    ASSERT_EQ(mkcol("/f").status, 201u);
    ASSERT_EQ(put("/f/x", "x").status, 201u);
    EXPECT_EQ(storage->setEncrypted("alice", std::stoll(fileid("/f")), true), 409u);
}

TEST_F(StorageTest, ConcurrentRequestsKeepSizesConsistent)
{
    ASSERT_EQ(mkcol("/shared").status, 201u);
    constexpr int kThreads = 4, kFiles = 15;
    std::vector<std::thread> threads;
    std::atomic<int> failures {0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kFiles; ++i) {
                // (append, not "literal" + string: GCC 12 -O3 reports a bogus -Wrestrict on that)
                std::string name = std::to_string(t);
                name.append("-").append(std::to_string(i));
                auto r = request(http::verb::put, "PUT", p("/shared/f" + name));
                const fs::path spool = storage->spoolDirectory() / ("t" + name);
                std::ofstream(spool, std::ios::binary) << "abcd";
                r.bodyFile = spool;
                if (storage->handleFiles(r).status != 201)
                    ++failures;
                auto list = request(http::verb::propfind, "PROPFIND", p("/shared"));
                list.headers.set("Depth", "1");
                if (storage->handleFiles(list).status != 207)
                    ++failures;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(size("/shared"), std::to_string(kThreads * kFiles * 4));
    EXPECT_EQ(parseMultiStatus(propfindRaw(p("/shared"), "1").body).hrefs.size(), std::size_t {kThreads * kFiles + 1});
}

TEST_F(StorageTest, UnknownMethod)
{
    auto r = request(http::verb::proppatch, "PROPPATCH", p("/"));
    const auto response = storage->handleFiles(r);
    EXPECT_TRUE(response.status == 405u || response.status == 501u);
}

TEST(WebdavHelpers, PercentCodingAndPaths)
{
    EXPECT_EQ(percentDecode("a%20b%2Fc"), "a b/c");
    EXPECT_FALSE(percentDecode("%4"));
    EXPECT_EQ(percentEncodeSegment("a b#%ü"), "a%20b%23%25%C3%BC");
    EXPECT_EQ(urlPath("https://h:8080/remote.php/x?y=1"), "/remote.php/x");
    EXPECT_FALSE(urlPath("relative"));
    const auto ok = parseDavPath("/nextcloud/remote.php/dav/files/alice/a/b/", "alice");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->segments, (std::vector<std::string> {"a", "b"}));
    EXPECT_EQ(ok->base, "/nextcloud/remote.php/dav/files/alice");
    EXPECT_EQ(parseDavPath("/remote.php/dav/files/bob/", "alice").error().status, 403u);
    EXPECT_EQ(parseDavPath("/index.php", "alice").error().status, 404u);
}

} // namespace
