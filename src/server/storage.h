// The server's state: users and credentials, the per-user file namespace in SQLite (WAL),
// content blobs in the data folder, and the WebDAV handlers over them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "http_types.h"

namespace nubo::server {

class Storage {
public:
    // Opens or creates <dataDir>/nubo.sqlite, <dataDir>/blobs, <dataDir>/tmp; repairs what a
    // crash left behind (spooled temp files, blobs no row points at). Throws std::runtime_error
    // with a clear message when the folder cannot be used.
    // `lockTimeout`: how long an E2EE lock lives without being renewed before it is rolled back.
    explicit Storage(std::filesystem::path dataDir, std::chrono::seconds lockTimeout = std::chrono::minutes(30));
    ~Storage();

    // Creates the user (and their root folder) or updates the password; idempotent.
    void addUser(const std::string& name, const std::string& password);
    void setQuota(const std::string& name, std::uint64_t bytes);
    // The user id for valid credentials (a password or an app password), else nullopt.
    std::optional<std::string> authenticate(const std::string& login, const std::string& password);
    // Issues a new app password for the user (login flow v2) and returns it.
    std::string createAppPassword(const std::string& user);
    // Deletes `user`'s app password `password`; false when it is not one of theirs.
    bool revokeAppPassword(const std::string& user, const std::string& password);

    // Where PUT bodies are spooled, on the same filesystem as the blobs (rename is atomic).
    std::filesystem::path spoolDirectory() const;

    // Back to an unlimited quota (the default).
    void clearQuota(const std::string& name);

    // A file or folder by its oc:fileid, for APIs that address items by id (E2EE).
    struct FileInfo {
        std::int64_t id = 0;
        std::string path; // below the user's root, '/'-separated, no leading slash ("" = root)
        bool isDir = false;
        bool encrypted = false;
        bool hasChildren = false;
        std::string etag; // unquoted
    };
    // nullopt when the id is unknown or belongs to another user.
    std::optional<FileInfo> fileInfo(const std::string& user, std::int64_t fileId);
    // Sets or clears nc:is-encrypted on one of the user's folders (new ETags up to the root).
    // Returns 200, 404 (unknown id), 403 (a file, or the root folder) or 409 (setting the flag
    // on a folder that is not empty).
    unsigned setEncrypted(const std::string& user, std::int64_t fileId, bool encrypted);

    // WebDAV under /remote.php/dav/files/<user>/ (and the legacy /remote.php/webdav/):
    // PROPFIND, GET, HEAD, PUT, MKCOL, DELETE, MOVE, COPY. request.user is authenticated.
    Response handleFiles(Request& request);

    // Chunked upload v2 under /remote.php/dav/uploads/<user>/<transfer-id>/ (PROTOCOL.md §2):
    // MKCOL, PUT of numbered chunks, PROPFIND listing what arrived (resume), MOVE of .file to
    // the destination (assembly with checksum verification), DELETE to cancel.
    Response handleUploads(Request& request);

    // Bulk upload, POST /remote.php/dav/bulk (bulk_upload.h): every part of the multipart body
    // stored as a PUT of its X-File-Path would be; a JSON object of per-file results.
    Response handleBulk(Request& request);

    // The E2EE OCS API (PROTOCOL.md §3): /ocs/v{1,2}.php/apps/end_to_end_encryption/api/v{1,2}/<endpoint>.
    Response handleE2ee(Request& request, int apiVersion, bool ocsV2, const std::string& endpoint);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace nubo::server
