// Bulk upload (capability dav.bulkupload "1.0"): many small files in one request, as the
// official desktop client (3.4 and later) sends them and Nextcloud 23 and later serve them
// (apps/dav/lib/BulkUpload: BulkUploadPlugin.php, MultipartRequestParser.php; client:
// src/libsync/bulkpropagatorjob.cpp, putmultifilejob.cpp). The bytes on the wire:
//
//   POST /remote.php/dav/bulk HTTP/1.1
//   Authorization: Basic ...
//   Content-Type: multipart/related; boundary="boundary_.oOo._AbC123"      (quotes optional)
//   Content-Length: <total>
//
//   --boundary_.oOo._AbC123\r\n
//   Content-Length: 5\r\n                    required; exactly this many content bytes follow
//   X-File-Path: /Photos/a.txt\r\n           required; below the user's root, raw UTF-8, not
//                                            percent-encoded; the leading '/' is optional
//   X-File-MD5: 5d41402abc4b2a76b9719d911017c592\r\n   the client's hash (lowercase hex), and/or
//   OC-Checksum: MD5:5d41402abc4b2a76b9719d911017c592\r\n   (servers 28+; MD5, SHA1, SHA256);
//                                            at least one of the two is required
//   X-File-Mtime: 1700000000\r\n             optional unix seconds (X-OC-Mtime is read too)
//   Content-Type: application/octet-stream\r\n   and If-Match / OC-Conflict... (see below)
//   \r\n
//   hello\r\n                                the content, then CRLF
//   --boundary_.oOo._AbC123\r\n              the next part ...
//   ...
//   --boundary_.oOo._AbC123--\r\n            the close delimiter (the epilogue is ignored)
//
// The reply is 200 with a JSON object keyed by each part's X-File-Path exactly as sent:
//   {"/Photos/a.txt": {"error": false, "etag": "<unquoted>", "fileid": "00000042ocnubo0001",
//                      "permissions": "RGDNVW"},
//    "/Photos/b.txt": {"error": true, "message": "The computed checksum does not match ..."}}
// A bulk of no parts answers `[]`, as PHP's json_encode of an empty array does. The client
// (3.7) reads error, message, etag (also OC-ETag / ETag), OC-FileID and X-OC-MTime; a real
// server sends only the keys above, so nubo-server sends those and no more.
//
// How nubo-server serves it (and where it differs from Nextcloud):
// - Only with --bulk-upload (main.cpp); without it the capability is not advertised and the
//   path is 404, as on a Nextcloud with bulkupload.enabled = false.
// - The HTTP layer spools the body to a file (like a PUT's). The whole body is parsed before
//   anything is stored: a malformed body (no boundary where one must be, truncated, a part
//   without Content-Length, X-File-Path or hash header, a Content-Length that does not match)
//   is refused with 400 and stores nothing. Nextcloud stores the parts before the bad one and
//   answers 400 with their results; a client must cope with both.
// - Each part is then stored exactly as a PUT of that path would store it (storage.cpp's
//   commit path): atomically, new or same file id, new ETags up to the root, mtime, quota,
//   E2EE locks, If-Match / If-None-Match from the part's headers. A part that fails any of it
//   — a checksum that does not match, a path that is invalid or leaves the user's files, a
//   missing parent folder, the quota (507 for a PUT) — gets {"error": true, "message"} and
//   the other parts are stored. (Nextcloud aborts the rest of the request with 400 on a hash
//   mismatch, and ignores If-Match.)
// - The stored checksum (oc:checksums) is the part's OC-Checksum when it sent one, else the
//   SHA1 and MD5 the server computes, as for a PUT without OC-Checksum.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "content_hash.h"
#include "http_types.h"
#include "webdav.h"

namespace nubo::server {

inline constexpr std::string_view kBulkUploadPath = "/remote.php/dav/bulk";

// One stored blob to become the content of `destination`, as the PUT `request` would make it.
struct BlobCommit {
    Request* request = nullptr;
    DavPath destination;
    std::string blobId;
    std::optional<std::int64_t> mtime;
    // The blob's digests, at least of the kinds hashKindsFor(OC-Checksum) names, when the caller
    // computed them while writing it; otherwise they are computed from the blob.
    std::optional<Hashes> known;
};

// What bulk upload needs from the storage (the same hooks chunked uploads use).
struct BulkUploadHooks {
    // Moves complete files into blobs/, each under a new id, durably (one flush for them all);
    // a file stays where it was when its move fails. One result per file, in order.
    std::function<std::vector<std::expected<std::string, Response>>(const std::vector<std::filesystem::path>& files)>
        adoptBlobs;
    // Commits each blob exactly as a PUT would, in order, in one transaction: a reply per item,
    // 201 / 204 on success; a failed item leaves the others alone. Owns the blobs.
    std::function<std::vector<Response>(const std::vector<BlobCommit>& items)> commitAll;
    std::string filePermissions; // oc:permissions of a file the user owns
};

class BulkUpload {
public:
    // The desktop client sends at most 100 files per request. Every part's headers (up to
    // 16 KiB) wait in memory until the whole body is read, so the count is bounded.
    static constexpr std::size_t kMaxParts = 1000;

    // `tmpDir`: where parts wait until they are committed (same filesystem as the blobs).
    BulkUpload(std::filesystem::path tmpDir, BulkUploadHooks hooks);

    // Serves POST /remote.php/dav/bulk. The body is request.bodyFile when the HTTP layer
    // spooled it, else request.body. request.user may be empty (401).
    Response handle(Request& request);

private:
    std::filesystem::path m_tmp;
    BulkUploadHooks m_hooks;
};

} // namespace nubo::server
