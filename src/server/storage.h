// The server's state: users and credentials, the per-user file namespace in SQLite (WAL),
// content blobs in the data folder, and the WebDAV handlers over them.
#pragma once

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
    explicit Storage(std::filesystem::path dataDir);
    ~Storage();

    // Creates the user (and their root folder) or updates the password; idempotent.
    void addUser(const std::string& name, const std::string& password);
    void setQuota(const std::string& name, std::uint64_t bytes);
    // The user id for valid credentials (a password or an app password), else nullopt.
    std::optional<std::string> authenticate(const std::string& login, const std::string& password);
    // Issues a new app password for the user (login flow v2) and returns it.
    std::string createAppPassword(const std::string& user);

    // Where PUT bodies are spooled, on the same filesystem as the blobs (rename is atomic).
    std::filesystem::path spoolDirectory() const;

    // WebDAV under /remote.php/dav/files/<user>/ (and the legacy /remote.php/webdav/):
    // PROPFIND, GET, HEAD, PUT, MKCOL, DELETE, MOVE, COPY. request.user is authenticated.
    Response handleFiles(Request& request);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace nubo::server
