// One Nextcloud account as the sync layer uses it: where the server is, who we are on it, what
// it can do, and the shared HTTP client and bandwidth limiters every transfer goes through.
#pragma once

#include <QUrl>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bandwidth_limiter.h"
#include "http_client.h"
#include "ocs_client.h"
#include "sync_error.h"

namespace nubo::sync {

struct AccountConfig {
    std::string serverUrl; // "https://cloud.example.org" or with a sub-path; a pasted web UI URL works too
    std::string user;      // login name
    std::string password;  // password or app password
    bool trustCertificates = false;
    std::string pinnedCertificate; // SHA-256 of a certificate the user accepted (HttpClientOptions)
    std::string remoteRoot; // the server folder to sync (--path); "" or "/" = the user's root
    std::int64_t uploadLimitKiB = 0, downloadLimitKiB = 0; // 0 = unlimited
    // Limiters shared with other accounts (the app's folders), so that one limit holds for their
    // sum and a change reaches transfers under way; when null, made from the limits above.
    std::shared_ptr<BandwidthLimiter> uploadLimiter = {}, downloadLimiter = {};
    std::chrono::seconds timeout{60};
};

// What status.php says about a server, before any login.
struct ServerProbe {
    QUrl serverUrl; // the Nextcloud root, normalised
    ServerStatus status;
};

class Account {
public:
    // Checks that `serverUrl` is a Nextcloud server ready for a login: reachable, its certificate
    // trusted (or pinned), status.php answered, installed, not in maintenance. The account wizard's
    // first step; connect() runs it too.
    static Result<ServerProbe> probe(const std::string& serverUrl, bool trustCertificates = false,
                                     const std::string& pinnedCertificate = {});

    // Probes status.php, checks the credentials (cloud/user, which also gives the DAV user id)
    // and reads the capabilities. Errors say what to fix: the URL (Config, Network), the
    // certificate (Tls), the credentials (Auth) or to wait (Maintenance).
    // `alongCapabilities`, when given, runs on another thread once the credentials are known good,
    // while the capabilities are read: a request that needs only the user (WebDAV on the sync
    // folder, see ensureRemoteRoot) costs no round trip of its own. It must not read
    // capabilities(), which are being set meanwhile; connect() returns after it.
    using AlongCapabilities = std::function<void(const std::shared_ptr<const Account>&)>;
    static Result<std::shared_ptr<Account>> connect(AccountConfig config, const AlongCapabilities& alongCapabilities = {});

    // "https://host/sub" -> the Nextcloud root: scheme added when missing, query, fragment,
    // trailing slashes and anything from /index.php, /remote.php, /ocs/ or /status.php on removed.
    static Result<QUrl> normaliseServerUrl(const std::string& url);

    const AccountConfig& config() const { return m_config; } // the password is not kept here
    const QUrl& serverUrl() const { return m_serverUrl; }
    const std::string& login() const { return m_config.user; }
    const std::string& davUser() const { return m_user.id; }
    const UserInfo& userInfo() const { return m_user; }
    const ServerStatus& serverStatus() const { return m_status; }
    const Capabilities& capabilities() const { return m_capabilities; }

    // <server>/remote.php/dav/files/<davUser> and <server>/remote.php/dav/uploads/<davUser>,
    // percent-encoded, without a trailing slash.
    QUrl davFilesUrl() const;
    QUrl davUploadsUrl() const;

    std::shared_ptr<const HttpClient> http() const { return m_http; }
    const OcsClient& ocs() const { return *m_ocs; }
    BandwidthLimiter& uploadLimiter() const { return *m_uploadLimiter; }
    BandwidthLimiter& downloadLimiter() const { return *m_downloadLimiter; }

private:
    Account() = default;
    QUrl davUrl(const char* kind) const;

    AccountConfig m_config;
    QUrl m_serverUrl;
    UserInfo m_user;
    ServerStatus m_status;
    Capabilities m_capabilities;
    std::shared_ptr<const HttpClient> m_http;
    std::unique_ptr<OcsClient> m_ocs;
    std::shared_ptr<BandwidthLimiter> m_uploadLimiter;
    std::shared_ptr<BandwidthLimiter> m_downloadLimiter;
};

} // namespace nubo::sync
