// Chunked upload v2 (PROTOCOL.md §2) under /remote.php/dav/uploads/<user>/<transfer-id>/, with
// the semantics of Nextcloud's ChunkingV2Plugin as the desktop client uses it:
//   MKCOL  .../<transfer-id>            (Destination, OC-Total-Length) opens a session
//   PUT    .../<transfer-id>/<n>        stores chunk n (1..10000)
//   PROPFIND .../<transfer-id>          lists the chunks received, so an upload can resume
//   MOVE   .../<transfer-id>/.file      assembles the chunks and commits them like a PUT
//   DELETE .../<transfer-id>            cancels
//
// On disk: <data>/uploads/<user>/<transfer-id>/ holds `.session` (JSON: destination, total
// length, creation time) and the chunks under canonical names 00001..10000. A session folder is
// built in tmp/ and renamed into place, so it exists completely or not at all; chunks arrive by
// renaming their fsynced spool file. Assembly writes tmp/, then moves the result into blobs/ and
// hands it to the storage's commit path: a crash never leaves a partial file in the namespace.
// Sessions survive a restart; those idle for longer than kMaxIdle are removed at start-up.
//
// End-to-end encrypted destinations: only the assembly (MOVE of .file) is checked like a PUT of
// the destination (e2e-token, lock; UploadHooks::checkWrite and commit). Opening a session,
// uploading chunks, listing and cancelling need no e2e-token, whatever the Destination: the real
// end_to_end_encryption app's LockPlugin applies only to nodes of the files tree (its isFile()
// accepts OCA\DAV\Connector\Sabre\File and Directory, which the uploads collection's nodes are
// not). For a FutureFile (.file) MOVE its checkLock verifies the token on the destination only,
// which is what the assembly check here does. (That isFile() also turns a FutureFile away, so
// the app may in fact let the assembly through; nubo-server refuses it, the safer reading.)
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content_hash.h"
#include "http_types.h"
#include "server_util.h"
#include "webdav.h"

namespace nubo::server {

// What the upload handler needs from the storage. Each hook takes the storage lock itself (the
// handler never holds it, and never holds its own lock while calling a hook).
struct UploadHooks {
    // The bytes `user` may still store, counting the file at `destination` (when there is one)
    // as replaceable; nullopt when the quota is unlimited.
    std::function<std::optional<std::int64_t>(const std::string& user, const std::optional<DavPath>& destination)> freeBytes;
    // Whether a file of `size` bytes could be written at `destination` now (parent, E2EE,
    // If-Match, quota), changing nothing: the refusal, or nullopt.
    std::function<std::optional<Response>(const Request& request, const DavPath& destination, std::int64_t size)> checkWrite;
    // Moves a complete file into blobs/ under a new id (fsynced); the file stays on failure.
    std::function<std::expected<std::string, Response>(const std::filesystem::path& file)> adoptBlob;
    // Commits blobs/<blobId> at `destination` exactly as a PUT would (OC-Checksum, If-Match,
    // E2EE, quota checks; owns the blob). 201 / 204 on success. `known`: the blob's digests of
    // the kinds hashKindsFor(OC-Checksum) names, computed during the assembly (not read again).
    std::function<Response(Request& request, const DavPath& destination, const std::string& blobId,
                           std::optional<std::int64_t> mtime, const Hashes* known)>
        commit;
};

class Uploads {
public:
    static constexpr std::chrono::hours kMaxIdle {24};

    // Creates `uploadsDir` when missing and removes expired or incomplete sessions. `tmpDir` is
    // on the same filesystem (renames are atomic) and is emptied at start-up by the storage.
    Uploads(std::filesystem::path uploadsDir, std::filesystem::path tmpDir, UploadHooks hooks,
            std::chrono::seconds maxIdle = kMaxIdle);

    // Serves a request whose path lies below /remote.php/dav/uploads/. request.user may be
    // empty (401). A spooled body that is not taken stays in request.bodyFile.
    Response handle(Request& request);

    // The chunk number for a chunk name ("00001", "42"): up to 20 decimal digits, else nullopt.
    // Chunking v2 numbers chunks 1..10000; the older "NG" chunking of nextcloudcmd 3.x names
    // them by byte offset (16 digits, from 0). Both sort numerically.
    static std::optional<std::uint64_t> chunkNumber(std::string_view name);
    // The entity tags of a WebDAV If header ("<url> ([\"etag\"])"), skipping "Not" conditions.
    static std::vector<std::string> ifHeaderEtags(std::string_view header);

private:
    struct Target {
        std::string base;     // decoded prefix up to and including ".../remote.php/dav/uploads"
        std::string user;
        std::string transfer; // empty: the user's uploads collection
        std::string item;     // empty: the session itself; else a chunk name or ".file"
    };
    struct Session {
        std::string destination; // the Destination header of the MKCOL (may be empty)
        std::optional<std::int64_t> totalLength;
        std::int64_t created = 0;
    };
    struct Chunk {
        std::uint64_t number = 0;
        std::filesystem::path file;
        std::int64_t size = 0;
    };

    DavResult<Target> parse(std::string_view path, const std::string& requestUser) const;
    std::filesystem::path sessionDir(const Target& target) const;
    // Caller holds m_mutex.
    std::optional<Session> readSession(const std::filesystem::path& dir) const;
    std::vector<Chunk> chunks(const std::filesystem::path& dir) const;
    bool busy(const Target& target) const;
    void removeExpired(std::chrono::seconds maxIdle);

    Response mkcol(Request& request, const Target& target);
    Response put(Request& request, const Target& target);
    Response propfind(Request& request, const Target& target);
    Response move(Request& request, const Target& target);
    Response remove(Request& request, const Target& target);

    std::filesystem::path m_dir;
    std::filesystem::path m_tmp;
    UploadHooks m_hooks;
    std::mutex m_mutex; // guards the session folders' membership and m_busy
    std::set<std::pair<std::string, std::string>> m_busy; // (user, transfer) being assembled
    BackgroundRemover m_remover; // last: its destructor waits for the deletions still running
};

} // namespace nubo::server
