// The server's self-description: status.php, the OCS capabilities and the logged-in user
// (PROTOCOL.md §1).
#pragma once

#include <QByteArray>
#include <QUrl>
#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "sync_error.h"

namespace nubo::sync {

struct ServerStatus {
    bool installed = false;
    bool maintenance = false;
    bool needsDbUpgrade = false;
    std::string version;       // "28.0.4.1"
    std::string versionString; // "28.0.4"
    std::string productName;
    std::string edition;
};

struct Capabilities {
    std::string chunkingVersion; // dav.chunking, "1.0" on servers with chunked upload v2
    bool chunkingV2 = false;     // chunkingVersion >= 1.0
    bool bigFileChunking = false;
    std::string bulkUploadVersion;          // dav.bulkupload, "1.0" on servers that serve it
    bool bulkUpload = false;                // bulkUploadVersion >= 1.0
    std::vector<std::string> checksumTypes; // checksums.supportedTypes, upper case
    std::string preferredChecksum;          // checksums.preferredUploadType
    bool e2eeEnabled = false;
    std::string e2eeApiVersion; // "2.0"
    bool e2eeKeysExist = false;
    int pollIntervalSeconds = 0;
};

struct UserInfo {
    std::string id; // the user id in DAV paths (may differ from the login name)
    std::string displayName;
    std::string email;
};

class OcsClient {
public:
    // serverUrl: the Nextcloud root (scheme, host, port and sub-path, no trailing slash).
    OcsClient(std::shared_ptr<const HttpClient> http, QUrl serverUrl);

    // GET status.php. Config error when the reply is not Nextcloud's JSON.
    Result<ServerStatus> status() const;
    Result<Capabilities> capabilities() const;
    Result<UserInfo> user() const;
    // DELETE /ocs/v2.php/core/apppassword: the server forgets the app password this client logs in
    // with (logging out). Only an app password can be revoked; the server refuses a real password.
    Result<void> revokeAppPassword() const;

    static Result<ServerStatus> parseStatus(const QByteArray& json);
    static Result<Capabilities> parseCapabilities(const QByteArray& json);
    static Result<UserInfo> parseUser(const QByteArray& json);

private:
    // A GET on an OCS v1 endpoint; checks both the HTTP status and ocs.meta.statuscode.
    Result<QByteArray> ocsGet(const QString& endpoint) const;

    std::shared_ptr<const HttpClient> m_http;
    QUrl m_serverUrl;
};

} // namespace nubo::sync
