// Storage: users and credentials, the WebDAV files tree and its content blobs.
//
// Layout of the data folder:
//   nubo.sqlite (+ -wal, -shm)  users, app passwords, the namespace (items)
//   blobs/<32 hex>              immutable file contents; a PUT always writes a new blob
//   tmp/                        spooled request bodies (the HTTP layer writes here)
//   uploads/<user>/<transfer>/  chunked upload sessions (uploads.h)
//
// Crash safety: a PUT first moves its fully spooled body into blobs/ (fsynced), and only then
// commits the row that points at it; replaced blobs are deleted after the commit. A crash can
// therefore only leave unreferenced blobs or spool files behind, which the constructor removes.
#include "storage.h"

#include "content_hash.h"
#include "e2ee_api.h"
#include "server_ca.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "dav_xml.h"
#include "server_util.h"
#include "db.h"
#include "namespace_tree.h"
#include "bulk_upload.h"
#include "uploads.h"
#include "webdav.h"

namespace nubo::server {

namespace fs = std::filesystem;

namespace {

// A replaced blob stays on disk this long, so a GET that was handed its path just before the
// replacement can still open it (an opened file survives its unlink).
constexpr auto kBlobGrace = std::chrono::seconds(60);

constexpr std::string_view kFilePermissions = "RGDNVW";
constexpr std::string_view kFolderPermissions = "RGDNVCK";

// Numbered schema migrations; PRAGMA user_version is the number applied.
constexpr std::array<std::string_view, 1> kMigrations = {
    R"sql(
CREATE TABLE users(
    name     TEXT PRIMARY KEY NOT NULL,
    salt     TEXT NOT NULL,
    hash     TEXT NOT NULL,              -- hex SHA-256(salt || password)
    quota    INTEGER NOT NULL DEFAULT -1, -- bytes, -1 = unlimited
    created  INTEGER NOT NULL
);
CREATE TABLE app_passwords(
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user     TEXT NOT NULL REFERENCES users(name),
    salt     TEXT NOT NULL,
    hash     TEXT NOT NULL,
    created  INTEGER NOT NULL
);
CREATE INDEX app_passwords_user ON app_passwords(user);
CREATE TABLE items(
    id        INTEGER PRIMARY KEY AUTOINCREMENT, -- the oc:fileid
    owner     TEXT NOT NULL,
    parent    INTEGER REFERENCES items(id),      -- NULL for a user's root folder
    name      TEXT NOT NULL,
    is_dir    INTEGER NOT NULL,
    size      INTEGER NOT NULL DEFAULT 0,        -- folders: recursive
    mtime     INTEGER NOT NULL,
    etag      TEXT NOT NULL,
    blob      TEXT,
    checksum  TEXT,
    encrypted INTEGER NOT NULL DEFAULT 0,
    UNIQUE(parent, name)
);
CREATE UNIQUE INDEX items_one_root ON items(owner) WHERE parent IS NULL;
CREATE INDEX items_blob ON items(blob);
)sql",
};


std::string sha256Hex(std::string_view salt, std::string_view secret)
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1
        && EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 && EVP_DigestUpdate(ctx, secret.data(), secret.size()) == 1
        && EVP_DigestFinal_ex(ctx, digest, &length) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        throw std::runtime_error("SHA-256 failed");
    return toHex(digest, length);
}

bool constantTimeEqual(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string quotedEtag(std::string_view etag)
{
    return "\"" + std::string(etag) + "\"";
}

void addItemHeaders(Response& response, const Item& item)
{
    response.set("ETag", quotedEtag(item.etag));
    response.set("OC-ETag", quotedEtag(item.etag));
    response.set("OC-FileId", formatOcId(item.id));
}

// Every property this server knows, in the order allprop lists them.
const std::vector<QName>& knownProperties()
{
    static const std::vector<QName> all = {
        {std::string(kNsDav), "resourcetype"},
        {std::string(kNsDav), "getlastmodified"},
        {std::string(kNsDav), "getcontentlength"},
        {std::string(kNsDav), "getcontenttype"},
        {std::string(kNsDav), "getetag"},
        {std::string(kNsDav), "displayname"},
        {std::string(kNsDav), "quota-available-bytes"},
        {std::string(kNsDav), "quota-used-bytes"},
        {std::string(kNsOc), "fileid"},
        {std::string(kNsOc), "id"},
        {std::string(kNsOc), "permissions"},
        {std::string(kNsOc), "size"},
        {std::string(kNsOc), "checksums"},
        {std::string(kNsOc), "share-types"},
        {std::string(kNsOc), "data-fingerprint"},
        {std::string(kNsOc), "owner-id"},
        {std::string(kNsOc), "owner-display-name"},
        {std::string(kNsNc), "is-encrypted"},
        {std::string(kNsNc), "has-preview"},
        {std::string(kNsNc), "mount-type"},
    };
    return all;
}

struct PropContext {
    std::int64_t quota = -1;    // bytes, -1 unlimited
    std::int64_t usedBytes = 0; // the user's root size
};

// The content of one property of an item as an XML fragment, nullopt when the item does not
// have that property (it then goes into the 404 propstat).
std::optional<std::string> propertyValue(const QName& name, const Item& item, const PropContext& context)
{
    if (name.ns == kNsDav) {
        if (name.local == "resourcetype")
            return item.isDir ? "<d:collection/>" : "";
        if (name.local == "getlastmodified")
            return httpDate(item.mtime);
        if (name.local == "getetag")
            return xmlEscape(quotedEtag(item.etag));
        if (name.local == "getcontentlength" && !item.isDir)
            return std::to_string(item.size);
        if (name.local == "getcontenttype" && !item.isDir)
            return "application/octet-stream";
        if (name.local == "displayname" && item.parent)
            return xmlEscape(item.name);
        if (name.local == "quota-used-bytes" && item.isDir)
            return std::to_string(item.size);
        if (name.local == "quota-available-bytes" && item.isDir) {
            if (context.quota < 0)
                return "-3";
            return std::to_string(std::max<std::int64_t>(0, context.quota - context.usedBytes));
        }
        return std::nullopt;
    }
    if (name.ns == kNsOc) {
        if (name.local == "fileid")
            return std::to_string(item.id);
        if (name.local == "id")
            return formatOcId(item.id);
        if (name.local == "permissions")
            return std::string(item.isDir ? kFolderPermissions : kFilePermissions);
        if (name.local == "size")
            return std::to_string(item.size);
        if (name.local == "checksums" && !item.isDir && !item.checksum.empty())
            return "<oc:checksum>" + xmlEscape(item.checksum) + "</oc:checksum>";
        if (name.local == "share-types" || name.local == "data-fingerprint")
            return "";
        if (name.local == "owner-id" || name.local == "owner-display-name")
            return xmlEscape(item.owner);
        return std::nullopt;
    }
    if (name.ns == kNsNc) {
        if (name.local == "is-encrypted")
            return item.encrypted ? "1" : "0";
        if (name.local == "has-preview")
            return "false";
        if (name.local == "mount-type")
            return "";
    }
    return std::nullopt;
}

// Checks a client's OC-Checksum ("SHA1:<hex>") against the content. Unknown algorithms are
// stored unverified. Error: a message for a 400.
std::expected<void, std::string> verifyChecksum(std::string_view header, const Hashes& hashes)
{
    const auto colon = header.find(':');
    if (colon == std::string_view::npos)
        return std::unexpected(std::string("Malformed OC-Checksum header"));
    const std::string type = toLower(header.substr(0, colon));
    const std::string value = toLower(header.substr(colon + 1));
    const std::string* expected = nullptr;
    if (type == "sha1")
        expected = &hashes.sha1;
    else if (type == "md5")
        expected = &hashes.md5;
    else if (type == "sha256")
        expected = &hashes.sha256;
    if (expected && *expected != value)
        return std::unexpected(std::string("The computed checksum does not match the one received from the client."));
    return {};
}

} // namespace

struct Storage::Impl {
    Impl(fs::path dir, std::chrono::seconds lockTimeout)
        : dataDir(std::move(dir))
        , blobDir(dataDir / "blobs")
        , tmpDir(dataDir / "tmp")
        , db(prepareFolders(dataDir) / "nubo.sqlite")
        , tree(db)
        , ca(dataDir)
        , e2ee(db, tree, mutex, ca, lockTimeout, [this](const std::string& blob) {
            std::error_code ignored;
            fs::remove(blobDir / blob, ignored);
        })
        , uploads(dataDir / "uploads", tmpDir, uploadHooks())
        , bulk(tmpDir, bulkHooks())
    {
        migrate();
        e2ee.migrate();
        repair();
    }

    ~Impl()
    {
        const std::lock_guard lock(mutex);
        purgeReleasedBlobs(true);
    }

    static fs::path prepareFolders(const fs::path& dir)
    {
        std::error_code ec;
        for (const auto& p : {dir, dir / "blobs", dir / "tmp"}) {
            fs::create_directories(p, ec);
            if (ec || !fs::is_directory(p))
                throw std::runtime_error("cannot use data folder " + p.string() + ": "
                    + (ec ? ec.message() : std::string("not a folder")));
        }
        return dir;
    }

    void migrate()
    {
        const int version = db.userVersion();
        if (version > static_cast<int>(kMigrations.size()))
            throw std::runtime_error("the database in " + dataDir.string() + " was written by a newer nubo-server (schema "
                + std::to_string(version) + ")");
        for (int i = version; i < static_cast<int>(kMigrations.size()); ++i) {
            Transaction transaction(db);
            db.exec(kMigrations[static_cast<std::size_t>(i)]);
            db.setUserVersion(i + 1);
            transaction.commit();
        }
    }

    // Removes what a crash may have left: spooled bodies and blobs that no row points at.
    void repair()
    {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(tmpDir, ec))
            fs::remove_all(entry.path(), ec);
        const auto referenced = tree.allBlobs();
        std::unordered_set<std::string> keep(referenced.begin(), referenced.end());
        // Blobs an open E2EE transaction may still roll back to.
        auto pinned = db.prepare("SELECT DISTINCT blob FROM e2ee_snapshots WHERE blob IS NOT NULL AND blob != ''");
        while (pinned.step())
            keep.insert(pinned.text(0));
        for (const auto& entry : fs::directory_iterator(blobDir, ec)) {
            if (!keep.contains(entry.path().filename().string()))
                fs::remove_all(entry.path(), ec);
        }
    }

    // Caller holds the mutex. Queues blobs no row references any more for deletion.
    void releaseBlobs(const std::vector<std::string>& blobs)
    {
        const auto when = std::chrono::steady_clock::now() + kBlobGrace;
        for (const auto& blob : blobs) {
            if (!blob.empty() && !tree.blobReferenced(blob))
                released.emplace_back(when, blob);
        }
    }

    void purgeReleasedBlobs(bool all)
    {
        const auto now = std::chrono::steady_clock::now();
        while (!released.empty() && (all || released.front().first <= now)) {
            const auto blob = released.front().second;
            released.pop_front();
            if (!tree.blobReferenced(blob) && !e2ee.blobPinned(blob)) {
                std::error_code ec;
                fs::remove(blobDir / blob, ec);
            }
        }
    }

    std::int64_t quotaOf(const std::string& user)
    {
        auto s = db.prepare("SELECT quota FROM users WHERE name = ?");
        s.bind(1, user);
        return s.step() ? s.integer(0) : -1;
    }

    Response handle(Request& request);
    Response propfind(Request& request, const DavPath& path);
    Response get(Request& request, const DavPath& path, bool head);
    Response put(Request& request, const DavPath& path);

    // The shared commit path of PUT and of chunked uploads (uploads.cpp):
    // Moves a complete file (in tmp/ or a spool folder) into blobs/ under a new id, fsynced.
    // On failure the file stays where it was.
    std::expected<std::string, Response> adoptBlob(const fs::path& file);
    // adoptBlob for many files with two flushes in all (the filesystem's, then blobs/), not two
    // per file: a bulk upload of 100 small files would otherwise wait on 200 fsyncs.
    std::vector<std::expected<std::string, Response>> adoptBlobs(const std::vector<fs::path>& files);
    struct WriteTarget {
        Item parent;
        std::optional<Item> existing;
    };
    // Mutex held. May `request` store a file of `size` bytes at `path`? Parent (409), folder in
    // the way (409), E2EE write check, If-Match / If-None-Match (412), quota (507).
    std::expected<WriteTarget, Response> checkFileWrite(const Request& request, const DavPath& path, std::int64_t size);
    // Takes the mutex. Verifies OC-Checksum against blobs/<blobId>, then makes it the content
    // of the file at `path` (new fileid, or same fileid and new ETag when replacing; ETags
    // propagate). Owns the blob: it is deleted unless committed. 201 / 204 with the headers.
    // known: the content's digests when the caller computed them while writing it (the kinds
    // hashKindsFor the request's OC-Checksum names); otherwise they are computed here.
    Response commitBlob(Request& request, const DavPath& path, const std::string& blobId, std::optional<std::int64_t> mtime,
                        const Hashes* known = nullptr);
    // commitBlob for many, under one lock and in one transaction: a reply per item, in order.
    std::vector<Response> commitBlobs(const std::vector<BlobCommit>& items);
    Response mkcol(Request& request, const DavPath& path);
    Response remove(Request& request, const DavPath& path);
    Response moveOrCopy(Request& request, const DavPath& path, bool move);

    fs::path dataDir;
    fs::path blobDir;
    fs::path tmpDir;
    std::mutex mutex; // guards db, tree, released and the E2EE state
    Db db;
    NamespaceTree tree;
    ServerCa ca;
    E2eeApi e2ee;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> released;
    Uploads uploads;
    BulkUpload bulk;

    BulkUploadHooks bulkHooks()
    {
        BulkUploadHooks hooks;
        hooks.adoptBlobs = [this](const std::vector<fs::path>& files) { return adoptBlobs(files); };
        hooks.commitAll = [this](const std::vector<BlobCommit>& items) { return commitBlobs(items); };
        hooks.filePermissions = std::string(kFilePermissions);
        return hooks;
    }

    UploadHooks uploadHooks()
    {
        UploadHooks hooks;
        hooks.freeBytes = [this](const std::string& user, const std::optional<DavPath>& destination) {
            const std::lock_guard lock(mutex);
            const auto quota = quotaOf(user);
            if (quota < 0)
                return std::optional<std::int64_t>();
            const auto root = tree.root(user);
            std::int64_t free = quota - (root ? root->size : 0);
            if (destination && !destination->segments.empty()) {
                if (const auto existing = tree.resolve(user, destination->segments); existing && !existing->isDir)
                    free += existing->size; // replacing it frees its space
            }
            return std::optional<std::int64_t>(std::max<std::int64_t>(0, free));
        };
        hooks.checkWrite = [this](const Request& request, const DavPath& destination, std::int64_t size) {
            const std::lock_guard lock(mutex);
            auto target = checkFileWrite(request, destination, size);
            return target ? std::optional<Response>() : std::optional<Response>(std::move(target.error()));
        };
        hooks.adoptBlob = [this](const fs::path& file) { return adoptBlob(file); };
        hooks.commit = [this](Request& request, const DavPath& destination, const std::string& blobId,
                              std::optional<std::int64_t> mtime, const Hashes* known) {
            return commitBlob(request, destination, blobId, mtime, known);
        };
        return hooks;
    }
};

Response Storage::Impl::handle(Request& request)
{
    if (request.user.empty())
        return davError(401, "No valid credentials were sent");
    auto path = parseDavPath(request.path, request.user);
    if (!path)
        return davError(path.error());
    switch (request.method) {
    case http::verb::propfind:
        return propfind(request, *path);
    case http::verb::get:
        return get(request, *path, false);
    case http::verb::head:
        return get(request, *path, true);
    case http::verb::put:
        return put(request, *path);
    case http::verb::mkcol:
        return mkcol(request, *path);
    case http::verb::delete_:
        return remove(request, *path);
    case http::verb::move:
        return moveOrCopy(request, *path, true);
    case http::verb::copy:
        return moveOrCopy(request, *path, false);
    case http::verb::options: {
        Response response;
        response.set("DAV", "1, 3");
        response.set("MS-Author-Via", "DAV");
        response.set("Allow", "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, MKCOL, MOVE, COPY");
            return response;
    }
    default:
        return davError(501, "Method " + request.methodName + " is not implemented");
    }
}

Response Storage::Impl::propfind(Request& request, const DavPath& path)
{
    const auto what = parsePropfind(request.body);
    if (!what)
        return davError(400, what.error());
    const std::string depth = toLower(trimmed(request.header("Depth")));
    if (!depth.empty() && depth != "0" && depth != "1" && depth != "infinity")
        return davError(400, "Invalid Depth header");
    const bool withChildren = depth != "0"; // 1 and infinity (served as 1)

    const std::lock_guard lock(mutex);
    const auto item = tree.resolve(path.user, path.segments);
    if (!item)
        return davError(item.error());
    PropContext context;
    context.quota = quotaOf(path.user);
    if (const auto root = tree.root(path.user))
        context.usedBytes = root->size;

    MultiStatusWriter writer;
    const auto emit = [&](const Item& it, const std::vector<std::string>& segments) {
        std::vector<PropValue> found;
        std::vector<QName> missing;
        const auto& names = what->kind == PropfindRequest::Kind::Prop ? what->props : knownProperties();
        for (const auto& name : names) {
            auto value = propertyValue(name, it, context);
            if (value)
                found.emplace_back(name, what->kind == PropfindRequest::Kind::PropName ? std::string() : std::move(*value));
            else if (what->kind == PropfindRequest::Kind::Prop)
                missing.push_back(name);
        }
        writer.addResponse(makeHref(path, segments, it.isDir), found, missing);
    };
    emit(*item, path.segments);
    if (withChildren && item->isDir) {
        std::vector<std::string> segments = path.segments;
        for (const auto& child : tree.children(item->id)) {
            segments.push_back(child.name);
            emit(child, segments);
            segments.pop_back();
        }
    }
    return textResponse(207, writer.finish(), "application/xml; charset=utf-8");
}

Response Storage::Impl::get(Request& request, const DavPath& path, bool head)
{
    (void)head; // the HTTP layer drops the body of a HEAD reply; headers are identical
    const std::lock_guard lock(mutex);
    const auto item = tree.resolve(path.user, path.segments);
    if (!item)
        return davError(item.error());
    if (item->isDir)
        return davError(501, "GET is only implemented on files");
    const fs::path blob = blobDir / item->blob;
    std::error_code ec;
    if (!fs::is_regular_file(blob, ec))
        return davError(500, "The content of this file is missing on the server");

    const auto size = static_cast<std::uint64_t>(item->size);
    Response response;
    response.file = blob;
    response.fileOffset = 0;
    response.fileLength = size;
    response.set("Content-Type", "application/octet-stream");
    response.set("Accept-Ranges", "bytes");
    response.set("Last-Modified", httpDate(item->mtime));
    addItemHeaders(response, *item);

    const std::string rangeHeader = request.header("Range");
    if (!rangeHeader.empty()) {
        const auto range = parseRange(rangeHeader, size);
        if (range.kind == RangeKind::Unsatisfiable) {
            auto error = davError(416, "The requested range is not satisfiable");
            error.set("Content-Range", "bytes */" + std::to_string(size));
            return error;
        }
        if (range.kind == RangeKind::Satisfiable) {
            response.status = 206;
            response.fileOffset = range.range.offset;
            response.fileLength = range.range.length;
            response.set("Content-Range", "bytes " + std::to_string(range.range.offset) + "-"
                    + std::to_string(range.range.offset + range.range.length - 1) + "/" + std::to_string(size));
        }
    }
    return response;
}

std::expected<std::string, Response> Storage::Impl::adoptBlob(const fs::path& file)
{
    const std::string blobId = randomHex(16);
    const fs::path blobPath = blobDir / blobId;
    std::error_code ec;
    if (!syncPath(file, false))
        return std::unexpected(davError(500, "Cannot flush the uploaded data"));
    fs::rename(file, blobPath, ec);
    if (ec) { // not on the same filesystem after all: copy, then rename atomically
        const fs::path part = tmpDir / (blobId + ".part");
        if (!fs::copy_file(file, part, ec) || !syncPath(part, false)) {
            fs::remove(part, ec);
            return std::unexpected(davError(500, "Cannot store the uploaded data"));
        }
        fs::rename(part, blobPath, ec);
        if (ec) {
            fs::remove(part, ec);
            return std::unexpected(davError(500, "Cannot store the uploaded data: " + ec.message()));
        }
        fs::remove(file, ec);
    }
    syncPath(blobDir, true);
    return blobId;
}

std::vector<std::expected<std::string, Response>> Storage::Impl::adoptBlobs(const std::vector<fs::path>& files)
{
    std::vector<std::expected<std::string, Response>> blobs;
    if (files.size() < 2) {
        for (const fs::path& file : files)
            blobs.push_back(adoptBlob(file));
        return blobs;
    }
    // One flush of the filesystem makes every file's content durable (tmp/ and blobs/ share it).
    const int fd = ::open(tmpDir.c_str(), O_RDONLY | O_DIRECTORY);
    const bool flushed = fd >= 0 && ::syncfs(fd) == 0;
    if (fd >= 0)
        ::close(fd);
    if (!flushed) {
        for (const fs::path& file : files)
            blobs.push_back(adoptBlob(file));
        return blobs;
    }
    bool renamed = false;
    for (const fs::path& file : files) {
        const std::string blobId = randomHex(16);
        std::error_code ec;
        fs::rename(file, blobDir / blobId, ec);
        if (ec) { // another filesystem after all: the one-file path copies and flushes it
            blobs.push_back(adoptBlob(file));
            continue;
        }
        renamed = true;
        blobs.push_back(blobId);
    }
    // The new names are durable before any row points at them.
    if (renamed && !syncPath(blobDir, true)) {
        for (auto& blob : blobs) {
            if (!blob)
                continue;
            std::error_code ignored;
            fs::remove(blobDir / *blob, ignored);
            blob = std::unexpected(davError(500, "Cannot flush the uploaded data"));
        }
    }
    return blobs;
}

std::expected<Storage::Impl::WriteTarget, Response> Storage::Impl::checkFileWrite(
    const Request& request, const DavPath& path, std::int64_t size)
{
    if (path.segments.empty())
        return std::unexpected(davError(409, "PUT is not allowed on the root folder"));
    auto parent = tree.resolveParent(path.user, path.segments);
    if (!parent)
        return std::unexpected(davError(parent.error()));
    auto existing = tree.child(parent->id, path.segments.back());
    if (existing && existing->isDir)
        return std::unexpected(davError(409, "PUT is not allowed on folders"));
    if (const auto refusal = e2ee.checkWrite(request, existing ? *existing : *parent))
        return std::unexpected(davError(*refusal));
    const std::optional<std::string> currentEtag = existing ? std::optional(existing->etag) : std::nullopt;
    if (const auto ifMatch = request.header("If-Match"); !ifMatch.empty() && !etagListMatches(ifMatch, currentEtag))
        return std::unexpected(davError(412, "An If-Match header was specified, but none of the specified ETags matched."));
    if (const auto ifNoneMatch = request.header("If-None-Match");
        !ifNoneMatch.empty() && etagListMatches(ifNoneMatch, currentEtag))
        return std::unexpected(
            davError(412, "An If-None-Match header was specified, but the file exists or its ETag matched."));
    if (const auto quota = quotaOf(path.user); quota >= 0) {
        const auto used = tree.root(path.user)->size;
        if (used - (existing ? existing->size : 0) + size > quota)
            return std::unexpected(davError(507, "Insufficient space in the user's quota"));
    }
    return WriteTarget {std::move(*parent), std::move(existing)};
}

Response Storage::Impl::commitBlob(Request& request, const DavPath& path, const std::string& blobId,
                                   std::optional<std::int64_t> mtime, const Hashes* known)
{
    BlobCommit item {&request, path, blobId, mtime, known ? std::optional<Hashes>(*known) : std::nullopt};
    return std::move(commitBlobs({item}).front());
}

std::vector<Response> Storage::Impl::commitBlobs(const std::vector<BlobCommit>& items)
{
    std::vector<Response> responses(items.size());
    // Each blob goes away again unless a committed row points at it.
    std::vector<bool> keep(items.size(), false);
    struct BlobGuard {
        const std::vector<BlobCommit>& items;
        const std::vector<bool>& keep;
        const fs::path& dir;
        ~BlobGuard()
        {
            for (std::size_t i = 0; i < items.size(); ++i) {
                std::error_code ignored;
                if (!keep[i])
                    fs::remove(dir / items[i].blobId, ignored);
            }
        }
    } guard {items, keep, blobDir};

    // Outside the lock: sizes and checksums.
    struct Pending {
        std::size_t index;
        FileContent content;
    };
    std::vector<Pending> pending;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const BlobCommit& item = items[i];
        const fs::path blobPath = blobDir / item.blobId;
        std::error_code ec;
        const auto size = static_cast<std::int64_t>(fs::file_size(blobPath, ec));
        if (ec) {
            responses[i] = davError(500, "Cannot read the uploaded data");
            continue;
        }
        std::string checksum(trimmed(item.request->header("OC-Checksum")));
        const auto hashes = item.known ? std::expected<Hashes, std::string>(*item.known)
                                       : hashFile(blobPath, hashKindsFor(checksum));
        if (!hashes) {
            responses[i] = davError(500, hashes.error());
            continue;
        }
        if (!checksum.empty()) {
            if (auto verified = verifyChecksum(checksum, *hashes); !verified) {
                responses[i] = davError(400, verified.error());
                continue;
            }
        } else {
            checksum = "SHA1:" + hashes->sha1 + " MD5:" + hashes->md5;
        }
        pending.push_back({i, FileContent {size, item.mtime.value_or(0), item.blobId, checksum}});
    }
    if (pending.empty())
        return responses;

    // One transaction for them all, each checked as its own PUT would be, in order (a later item
    // sees the earlier ones). A failure of the database rolls back every one of them.
    const std::lock_guard lock(mutex);
    const auto now = nowSeconds();
    struct Done {
        std::size_t index;
        std::int64_t id;
        bool replaced;
    };
    std::vector<Done> done;
    std::vector<std::string> oldBlobs;
    {
        Transaction transaction(db);
        for (Pending& p : pending) {
            const BlobCommit& item = items[p.index];
            const auto target = checkFileWrite(*item.request, item.destination, p.content.size);
            if (!target) {
                responses[p.index] = target.error();
                continue;
            }
            if (!item.mtime)
                p.content.mtime = now;
            if (const auto& existing = target->existing) {
                oldBlobs.push_back(tree.replaceFile(*existing, p.content, now));
                done.push_back({p.index, existing->id, true});
            } else {
                const auto id = tree.createFile(target->parent, item.destination.segments.back(), p.content, now).id;
                done.push_back({p.index, id, false});
            }
        }
        transaction.commit();
    }
    for (const Done& d : done)
        keep[d.index] = true;
    releaseBlobs(oldBlobs);
    purgeReleasedBlobs(false);

    for (const Done& d : done) {
        Response& response = responses[d.index];
        response.status = d.replaced ? 204 : 201;
        addItemHeaders(response, *tree.byId(d.id));
        if (items[d.index].mtime)
            response.set("X-OC-MTime", "accepted");
    }
    return responses;
}

Response Storage::Impl::put(Request& request, const DavPath& path)
{
    if (path.segments.empty())
        return davError(409, "PUT is not allowed on the root folder");

    // Everything that touches the body happens before taking the lock.
    std::optional<std::int64_t> mtime;
    if (const auto header = request.header("X-OC-Mtime"); !header.empty()) {
        mtime = parseMtime(header);
        if (!mtime)
            return davError(400, "X-OC-Mtime header must be an integer (unix timestamp).");
    }

    std::error_code ec;
    if (!request.bodyFile || !fs::exists(*request.bodyFile, ec)) { // no body: an empty file
        const fs::path empty = tmpDir / ("empty-" + randomHex(12));
        if (!std::ofstream(empty, std::ios::binary))
            return davError(500, "Cannot store the uploaded data");
        request.bodyFile = empty;
    }
    const auto blobId = adoptBlob(*request.bodyFile);
    if (!blobId)
        return blobId.error();
    request.bodyFile.reset();

    const auto size = fs::file_size(blobDir / *blobId, ec);
    if (const auto length = request.header("Content-Length"); !ec && !length.empty() && length != std::to_string(size)) {
        fs::remove(blobDir / *blobId, ec);
        return davError(400, "Expected " + length + " bytes but received " + std::to_string(size));
    }
    return commitBlob(request, path, *blobId, mtime); // reports a failed file_size too
}

Response Storage::Impl::mkcol(Request& request, const DavPath& path)
{
    if (!request.body.empty())
        return davError(415, "MKCOL with a request body is not supported");
    if (path.segments.empty())
        return davError(405, "The resource you tried to create already exists");
    const std::lock_guard lock(mutex);
    const auto parent = tree.resolveParent(path.user, path.segments);
    if (!parent)
        return davError(parent.error());
    if (tree.child(parent->id, path.segments.back()))
        return davError(405, "The resource you tried to create already exists");
    if (const auto refusal = e2ee.checkWrite(request, *parent))
        return davError(*refusal);
    Transaction transaction(db);
    auto folder = tree.createFolder(*parent, path.segments.back(), nowSeconds());
    if (e2ee.insideEncrypted(*parent)) { // folders inside encrypted ones are encrypted too
        tree.setEncrypted(folder.id, true, nowSeconds());
        folder = *tree.byId(folder.id);
    }
    transaction.commit();
    Response response;
    response.status = 201;
    addItemHeaders(response, folder);
    return response;
}

Response Storage::Impl::remove(Request& request, const DavPath& path)
{
    if (path.segments.empty())
        return davError(403, "The root folder cannot be deleted");
    const std::lock_guard lock(mutex);
    const auto item = tree.resolve(path.user, path.segments);
    if (!item)
        return davError(item.error());
    if (const auto ifMatch = request.header("If-Match"); !ifMatch.empty() && !etagListMatches(ifMatch, item->etag))
        return davError(412, "An If-Match header was specified, but none of the specified ETags matched.");
    if (const auto refusal = e2ee.checkWrite(request, *item))
        return davError(*refusal);
    Transaction transaction(db);
    const auto blobs = tree.remove(*item, nowSeconds());
    transaction.commit();
    releaseBlobs(blobs);
    purgeReleasedBlobs(false);
    Response response;
    response.status = 204;
    return response;
}

Response Storage::Impl::moveOrCopy(Request& request, const DavPath& path, bool move)
{
    const std::string verb = move ? "MOVE" : "COPY";
    const std::string destinationHeader(trimmed(request.header("Destination")));
    if (destinationHeader.empty())
        return davError(400, "The Destination header is missing");
    const auto destinationUrlPath = urlPath(destinationHeader);
    if (!destinationUrlPath)
        return davError(400, "The Destination header is not a URL");
    const auto decoded = percentDecode(*destinationUrlPath);
    if (!decoded)
        return davError(400, "The Destination header is not correctly percent-encoded");
    const auto destination = parseDavPath(*decoded, request.user);
    if (!destination) {
        if (destination.error().status == 403 || destination.error().status == 400)
            return davError(destination.error());
        return davError(400, "The Destination is not in this user's files");
    }
    const auto overwrite = parseOverwrite(request.header("Overwrite"));
    if (!overwrite)
        return davError(400, "The Overwrite header must be T or F");
    if (path.segments.empty())
        return davError(403, "The root folder cannot be moved or copied");
    if (destination->segments.empty())
        return davError(403, "The destination cannot be the root folder");

    const std::lock_guard lock(mutex);
    const auto source = tree.resolve(path.user, path.segments);
    if (!source)
        return davError(source.error());
    const auto targetParent = tree.resolveParent(destination->user, destination->segments);
    if (!targetParent)
        return davError(targetParent.error());
    const std::string& targetName = destination->segments.back();
    const auto existing = tree.child(targetParent->id, targetName);
    if (existing && existing->id == source->id)
        return davError(403, "Source and destination are the same");
    if (source->isDir && tree.isSelfOrAncestor(source->id, targetParent->id))
        return davError(403, "Cannot " + verb + " a folder into itself or one of its subfolders");
    if (existing && !*overwrite)
        return davError(412, "The destination exists and the Overwrite header is F");
    if (existing && tree.isSelfOrAncestor(existing->id, source->id))
        return davError(409, "The destination contains the source");
    if (move) {
        if (const auto refusal = e2ee.checkWrite(request, *source))
            return davError(*refusal);
    }
    if (const auto refusal = e2ee.checkWrite(request, existing ? *existing : *targetParent))
        return davError(*refusal);
    if (!move) {
        if (const auto quota = quotaOf(path.user); quota >= 0) {
            const auto used = tree.root(path.user)->size;
            if (used - (existing ? existing->size : 0) + source->size > quota)
                return davError(507, "Insufficient space in the user's quota");
        }
    }

    const auto now = nowSeconds();
    Transaction transaction(db);
    std::vector<std::string> releasedBlobs;
    if (existing)
        releasedBlobs = tree.remove(*existing, now);
    // The target parent's row changed (size, ETag) by the removal: read it again.
    const auto parentNow = *tree.byId(targetParent->id);
    const auto sourceNow = *tree.byId(source->id);
    const Item result = move ? tree.move(sourceNow, parentNow, targetName, now) : tree.copy(sourceNow, parentNow, targetName, now);
    transaction.commit();
    releaseBlobs(releasedBlobs);
    purgeReleasedBlobs(false);

    Response response;
    response.status = existing ? 204 : 201;
    addItemHeaders(response, result);
    return response;
}

Storage::Storage(fs::path dataDir, std::chrono::seconds lockTimeout)
{
    try {
        m_impl = std::make_unique<Impl>(std::move(dataDir), lockTimeout);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("nubo-server storage: ") + e.what());
    }
}

Storage::~Storage() = default;

void Storage::addUser(const std::string& name, const std::string& password)
{
    if (!isValidName(name))
        throw std::invalid_argument("invalid user name '" + name + "'");
    const std::lock_guard lock(m_impl->mutex);
    const std::string salt = randomHex(16);
    const std::string hash = sha256Hex(salt, password);
    const auto now = nowSeconds();
    Transaction transaction(m_impl->db);
    m_impl->db
        .prepare("INSERT INTO users(name, salt, hash, quota, created) VALUES(?1, ?2, ?3, -1, ?4) "
                 "ON CONFLICT(name) DO UPDATE SET salt = ?2, hash = ?3")
        .bind(1, name)
        .bind(2, salt)
        .bind(3, hash)
        .bind(4, now)
        .run();
    m_impl->tree.ensureRoot(name, now);
    transaction.commit();
}

void Storage::setQuota(const std::string& name, std::uint64_t bytes)
{
    const std::lock_guard lock(m_impl->mutex);
    const auto clamped = static_cast<std::int64_t>(std::min<std::uint64_t>(bytes, INT64_MAX));
    m_impl->db.prepare("UPDATE users SET quota = ? WHERE name = ?").bind(1, clamped).bind(2, name).run();
    if (m_impl->db.changes() == 0)
        throw std::invalid_argument("unknown user '" + name + "'");
}

void Storage::clearQuota(const std::string& name)
{
    const std::lock_guard lock(m_impl->mutex);
    m_impl->db.prepare("UPDATE users SET quota = -1 WHERE name = ?").bind(1, name).run();
    if (m_impl->db.changes() == 0)
        throw std::invalid_argument("unknown user '" + name + "'");
}

std::optional<std::string> Storage::authenticate(const std::string& login, const std::string& password)
{
    const std::lock_guard lock(m_impl->mutex);
    std::vector<std::pair<std::string, std::string>> candidates; // salt, hash
    {
        auto s = m_impl->db.prepare("SELECT salt, hash FROM users WHERE name = ?");
        s.bind(1, login);
        if (s.step())
            candidates.emplace_back(s.text(0), s.text(1));
    }
    if (candidates.empty()) {
        (void)sha256Hex("0000000000000000", password); // similar timing for unknown logins
        return std::nullopt;
    }
    {
        auto s = m_impl->db.prepare("SELECT salt, hash FROM app_passwords WHERE user = ?");
        s.bind(1, login);
        while (s.step())
            candidates.emplace_back(s.text(0), s.text(1));
    }
    bool match = false;
    for (const auto& [salt, hash] : candidates)
        match = constantTimeEqual(sha256Hex(salt, password), hash) || match;
    if (!match)
        return std::nullopt;
    return login;
}

std::string Storage::createAppPassword(const std::string& user)
{
    const std::lock_guard lock(m_impl->mutex);
    {
        auto s = m_impl->db.prepare("SELECT 1 FROM users WHERE name = ?");
        s.bind(1, user);
        if (!s.step())
            throw std::invalid_argument("unknown user '" + user + "'");
    }
    const std::string password = randomAlphanumeric(72);
    const std::string salt = randomHex(16);
    m_impl->db.prepare("INSERT INTO app_passwords(user, salt, hash, created) VALUES(?, ?, ?, ?)")
        .bind(1, user)
        .bind(2, salt)
        .bind(3, sha256Hex(salt, password))
        .bind(4, nowSeconds())
        .run();
    return password;
}

bool Storage::revokeAppPassword(const std::string& user, const std::string& password)
{
    const std::lock_guard lock(m_impl->mutex);
    std::vector<std::pair<std::string, std::string>> rows; // salt, hash
    {
        auto s = m_impl->db.prepare("SELECT salt, hash FROM app_passwords WHERE user = ?");
        s.bind(1, user);
        while (s.step())
            rows.emplace_back(s.text(0), s.text(1));
    }
    for (const auto& [salt, hash] : rows) {
        if (constantTimeEqual(sha256Hex(salt, password), hash)) {
            m_impl->db.prepare("DELETE FROM app_passwords WHERE user = ? AND hash = ?").bind(1, user).bind(2, hash).run();
            return true;
        }
    }
    return false;
}

std::filesystem::path Storage::spoolDirectory() const
{
    return m_impl->tmpDir;
}

std::optional<Storage::FileInfo> Storage::fileInfo(const std::string& user, std::int64_t fileId)
{
    const std::lock_guard lock(m_impl->mutex);
    const auto item = m_impl->tree.byId(fileId);
    if (!item || item->owner != user)
        return std::nullopt;
    FileInfo info;
    info.id = item->id;
    for (const auto& segment : m_impl->tree.pathOf(*item)) {
        if (!info.path.empty())
            info.path += '/';
        info.path += segment;
    }
    info.isDir = item->isDir;
    info.encrypted = item->encrypted;
    info.hasChildren = item->isDir && !m_impl->tree.children(item->id).empty();
    info.etag = item->etag;
    return info;
}

unsigned Storage::setEncrypted(const std::string& user, std::int64_t fileId, bool encrypted)
{
    const std::lock_guard lock(m_impl->mutex);
    const auto item = m_impl->tree.byId(fileId);
    if (!item || item->owner != user)
        return 404;
    if (!item->isDir || !item->parent)
        return 403;
    if (encrypted && !m_impl->tree.children(item->id).empty())
        return 409;
    Transaction transaction(m_impl->db);
    m_impl->tree.setEncrypted(item->id, encrypted, nowSeconds());
    transaction.commit();
    return 200;
}

namespace {

// Runs a handler, turning exceptions into 500s; removes a spooled body the handler did not take
// (a refused PUT) as it is of no further use.
template <class Handler>
Response runGuarded(Request& request, Handler&& handler)
{
    Response response;
    try {
        response = handler(request);
    } catch (const std::exception& e) {
        response = davError(500, std::string("Internal server error: ") + e.what());
    } catch (...) {
        response = davError(500, "Internal server error");
    }
    if (request.bodyFile) {
        std::error_code ignored;
        fs::remove(*request.bodyFile, ignored);
        request.bodyFile.reset();
    }
    return response;
}

} // namespace

Response Storage::handleUploads(Request& request)
{
    return runGuarded(request, [this](Request& r) { return m_impl->uploads.handle(r); });
}

Response Storage::handleBulk(Request& request)
{
    return runGuarded(request, [this](Request& r) { return m_impl->bulk.handle(r); });
}

Response Storage::handleE2ee(Request& request, int apiVersion, bool ocsV2, const std::string& endpoint)
{
    return m_impl->e2ee.handle(request, apiVersion, ocsV2, endpoint);
}

Response Storage::handleFiles(Request& request)
{
    return runGuarded(request, [this](Request& r) { return m_impl->handle(r); });
}

} // namespace nubo::server
