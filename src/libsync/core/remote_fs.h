// What the engine needs from the server, as one small synchronous interface. The production
// implementation is WebDavClient (WebDAV over QNetworkAccessManager); tests may wrap it to inject
// faults. Every method may be called from several propagation threads at once.
//
// Paths given here are server paths relative to the sync root on the server (the `--path`
// folder of the account), '/'-separated, unescaped; "" is that root.
#pragma once

#include "sync_error.h"
#include "sync_types.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nubo::sync {

struct RemoteListing {
    RemoteEntry self;                                      // the folder itself
    std::vector<std::pair<std::string, RemoteEntry>> children; // (name on the server, entry)
    // Items the reply listed that cannot be items of this folder: an href that is not a direct
    // child, or a name e2ee::invalidNameReason refuses. (what was listed, printable; why)
    std::vector<std::pair<std::string, std::string>> refused;
};

// What an upload sends instead of the file's bytes, computed as they are read (an encrypting
// upload): a length-preserving transform of the content followed by a fixed trailer (the GCM tag).
// The client asks for passes in order; a pass can be copied to go back to where it was (a request
// that is sent again). Used by one upload at a time.
class EncodingPass {
public:
    virtual ~EncodingPass() = default;
    // Transforms the next bytes in place.
    virtual Result<void> update(char* data, std::int64_t size) = 0;
    // The trailer, once every byte went through update(); the pass is spent.
    virtual Result<std::string> finish() = 0;
    virtual Result<std::unique_ptr<EncodingPass>> copy() const = 0;
};

class UploadEncoder {
public:
    virtual ~UploadEncoder() = default;
    virtual std::int64_t trailerSize() const = 0;
    // The pass over the whole content, from its first byte.
    virtual Result<std::unique_ptr<EncodingPass>> start() = 0;
};

struct UploadOptions {
    std::int64_t mtime = 0;             // sent as X-OC-Mtime
    std::string checksum;               // "SHA1:<hex>" of the content, sent as OC-Checksum
    // Instead of `checksum`, for a file hashed while it is sent: called when the checksum is
    // needed (a chunked upload's final MOVE, before a single PUT); may wait for the hash. Its
    // error fails the upload before the server assembles anything.
    std::function<Result<std::string>()> checksumLater;
    std::optional<std::string> ifMatch; // ETag the server must still have (replacing a known version)
    bool mustNotExist = false;          // new file: If-None-Match: * so a racing upload is not overwritten
    // Chunked upload v2 is used for files larger than this; the chunks live under transferId on
    // the server, and an upload that was cut off resumes from the chunks already there.
    std::int64_t chunkThreshold = 10 * 1024 * 1024;
    std::int64_t chunkSize = 10 * 1024 * 1024;
    // Plain uploads (no encoder) only: chunks sent at once, and the time each chunk should take:
    // after each chunk the size of the next ones moves halfway toward what would have taken that
    // long (0: every chunk is chunkSize). Encoded uploads send one fixed-size chunk after another.
    int parallelChunks = 1;
    std::int64_t targetChunkMilliseconds = 0;
    std::string transferId;             // stable for the same file version; [A-Za-z0-9-]
    std::function<void(std::int64_t bytesDone)> progress; // may be empty
    const std::atomic<bool>* cancel = nullptr;            // may be null
    // Inside an end-to-end encrypted folder: the lock's token, sent as e2e-token with every
    // request of the upload, and the encoder the content goes through (the server then receives
    // size + trailerSize() bytes, and no checksum of the plaintext).
    std::string e2eToken;
    std::shared_ptr<UploadEncoder> encoder;
};

struct UploadResult {
    std::string etag;
    std::string fileId;
    std::int64_t chunksReused = 0; // chunks found on the server from an earlier, cut-off attempt
    // Encoded uploads only: the server took the upload, but the file changed while it was read,
    // so what it holds is not a version that was ever on this disk as a whole.
    bool changedWhileSent = false;
};

// One new file of a bulk upload (POST /remote.php/dav/bulk, capability dav.bulkupload "1.0").
struct BulkUploadItem {
    std::string serverPath; // relative to the sync root, like upload()'s
    std::filesystem::path localFile;
    std::int64_t mtime = 0;  // sent as X-File-Mtime
    std::string checksum;    // "SHA1:<hex>" the caller computed, sent as OC-Checksum
};

struct BulkUploadOptions {
    std::function<void(std::int64_t bytesDone)> progress; // bytes of the files sent so far; may be empty
    const std::atomic<bool>* cancel = nullptr;            // may be null
};

// What a download writes instead of the bytes received, computed as they arrive (a decrypting
// download). The target then holds what the decoder produced, and is valid only when finish()
// succeeded (the caller renames it into place only then).
class DownloadDecoder {
public:
    virtual ~DownloadDecoder() = default;
    // The next received bytes; appends what is to be written to `out`.
    virtual Result<void> update(const char* data, std::int64_t size, std::string& out) = 0;
    // After the last byte: the check of the whole (a tag); appends any last bytes to `out`.
    virtual Result<void> finish(std::string& out) = 0;
};

struct DownloadOptions {
    std::string expectedChecksum; // "SHA1:<hex>" or "MD5:<hex>" or empty; compared after the last byte
    std::function<void(std::int64_t bytesDone)> progress;
    const std::atomic<bool>* cancel = nullptr;
    // When set, the target receives the decoder's output; size and checksum describe that, and
    // expectedChecksum (of the bytes received) is not checked.
    std::shared_ptr<DownloadDecoder> decoder;
};

struct DownloadResult {
    std::string etag;     // ETag of the version that was downloaded
    std::int64_t size = 0;
    std::string checksum; // "SHA1:<hex>" of the bytes written
};

class RemoteFs {
public:
    virtual ~RemoteFs() = default;

    // PROPFIND Depth 1.
    virtual Result<RemoteListing> list(const std::string& serverPath) = 0;
    // PROPFIND Depth 0.
    virtual Result<RemoteEntry> stat(const std::string& serverPath) = 0;
    // PUT (or chunked upload v2 above options.chunkThreshold) of the local file's bytes.
    virtual Result<UploadResult> upload(const std::string& serverPath, const std::filesystem::path& localFile,
                                        const UploadOptions& options) = 0;
    // GET into `target` (created or truncated), fsynced before returning. The caller renames it
    // into place. On error the partial target is removed.
    virtual Result<DownloadResult> download(const std::string& serverPath, const std::filesystem::path& target,
                                            const DownloadOptions& options) = 0;
    // Whether uploadBulk() can be used (the server advertises bulk upload 1.0).
    virtual bool supportsBulkUpload() const { return false; }
    // Many new files in one request, each stored only if nothing exists at its path yet
    // (If-None-Match: *). One result per item, in order: a value only when the server stated
    // that it stored that file (ETag and file id given) and the file did not change while it was
    // read; an error otherwise, after which the file's fate is unknown and the caller sends it on
    // its own with upload() (mustNotExist) to learn it. The whole call fails when the request did.
    // Not for files inside end-to-end encrypted folders (no e2e-token, no encoder).
    virtual Result<std::vector<Result<UploadResult>>> uploadBulk(const std::vector<BulkUploadItem>& items,
                                                                const BulkUploadOptions& options)
    {
        (void)items;
        (void)options;
        return fail(SyncErrorCode::Internal, "this server connection cannot upload in bulk");
    }
    // The write methods take the e2e-token of an end-to-end encrypted folder's lock: a server
    // refuses writes inside such a folder without it. Empty elsewhere.
    //
    // MKCOL; returns the new folder as PROPFIND Depth 0 sees it.
    virtual Result<RemoteEntry> makeFolder(const std::string& serverPath, const std::string& e2eToken) = 0;
    Result<RemoteEntry> makeFolder(const std::string& serverPath) { return makeFolder(serverPath, {}); }
    // MOVE with Overwrite: F.
    virtual Result<void> move(const std::string& fromServerPath, const std::string& toServerPath,
                              const std::string& e2eToken) = 0;
    Result<void> move(const std::string& fromServerPath, const std::string& toServerPath)
    {
        return move(fromServerPath, toServerPath, {});
    }
    // DELETE (a folder goes with its contents). With ifMatch, only while the server still has that
    // ETag (412 PreconditionFailed otherwise); a folder's ETag changes with anything below it.
    virtual Result<void> remove(const std::string& serverPath, const std::optional<std::string>& ifMatch,
                                const std::string& e2eToken) = 0;
    Result<void> remove(const std::string& serverPath, const std::optional<std::string>& ifMatch)
    {
        return remove(serverPath, ifMatch, {});
    }
    Result<void> remove(const std::string& serverPath) { return remove(serverPath, std::nullopt, {}); }
};

} // namespace nubo::sync
