// Login Flow v2, how a desktop client gets an app password without ever seeing the user's own:
// POST <server>/index.php/login/v2 returns a login URL for the browser and a poll endpoint with a
// token; the client polls until the user has logged in and granted access, and then receives the
// server URL, the login name and a fresh app password (once). The account wizard drives it.
#pragma once

#include "sync_error.h"

#include <memory>
#include <optional>
#include <string>

namespace nubo::sync {

class HttpClient;

struct LoginCredentials {
    std::string server;      // the server URL the app password belongs to
    std::string loginName;   // the user to log in as
    std::string appPassword; // goes to the keychain, never to a settings file
};

class LoginFlow {
public:
    // Starts a flow on the server (a URL as the user typed it). Errors say what to fix: the URL,
    // the certificate, or a server without Login Flow v2 (older than Nextcloud 16).
    // pinnedCertificate: a certificate the user accepted (HttpClientOptions::pinnedCertificate).
    static Result<LoginFlow> start(const std::string& serverUrl, bool trustCertificates = false,
                                   const std::string& pinnedCertificate = {});

    LoginFlow(LoginFlow&&) noexcept;
    LoginFlow& operator=(LoginFlow&&) noexcept;
    ~LoginFlow();

    // What to open in the browser (and what "copy link" copies).
    const std::string& loginUrl() const { return m_loginUrl; }

    // One poll: nullopt while the user has not finished logging in; the credentials once (the
    // server answers a token only once).
    Result<std::optional<LoginCredentials>> poll();

private:
    LoginFlow() = default;
    std::unique_ptr<HttpClient> m_http;
    std::string m_loginUrl;
    std::string m_pollEndpoint;
    std::string m_token;
};

} // namespace nubo::sync
