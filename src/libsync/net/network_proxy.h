// Which proxy the sync library's HTTP goes through: one the user names (nubocmd --proxy, the app's
// settings), none, or the system's, where the environment variables curl reads (https_proxy,
// http_proxy, all_proxy, no_proxy) come before the desktop's settings. It is applied process-wide
// through Qt's application proxy factory, which every thread's QNetworkAccessManager consults
// (http_client.cpp sets no proxy of its own).
//
// Qt 6.4 as Debian builds it (with libproxy 0.4) reads the environment by itself, but not as curl
// does: all_proxy is ignored, https falls back to http_proxy, no_proxy "*" and "example.org"
// (for its subdomains) do not match, and a desktop's own setting overrides the variables. Hence
// the factory here, with the decision as pure functions. Qt never proxies a request to localhost
// or a loopback address (127.0.0.0/8, ::1), whatever is set.
#pragma once

#include <QNetworkReply>
#include <QString>
#include <QUrl>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sync_error.h"

namespace nubo::sync {

struct ProxySettings {
    enum class Mode { System, None, Manual } mode = Mode::System;
    // Socks5: names are resolved here; Socks5h: by the proxy (curl's socks5h://).
    enum class Type { Http, Socks5, Socks5h } type = Type::Http;
    std::string host = {};
    std::uint16_t port = 0;
    std::string user = {}, password = {}; // percent-decoded; whoever fills `password` wipes it after use
    // Where the setting came from, for messages: "--proxy", "https_proxy", ...
    std::string source = {};
};

// "none" or "direct" (Mode::None), or http://[USER[:PASSWORD]@]HOST:PORT, socks5://... or
// socks5h://... (Mode::Manual); without a scheme, http:// as with curl. Config error otherwise,
// naming the problem and the expected form; the password is never repeated in it.
Result<ProxySettings> parseProxyUrl(const std::string& text);

// "http://alice@proxy.example.org:3128" (never the password), "no proxy" or "the system's proxy
// settings"; with " (from SOURCE)" when the source is known.
std::string describeProxy(const ProxySettings& proxy);

// Whether a no_proxy value exempts `host` (a name or an IP address, without brackets) on `port`.
// Entries are separated by commas or spaces, case does not matter: "*" matches everything;
// "example.org", ".example.org" and "*.example.org" match example.org and every name below it;
// "host:port" only that port; an IP address only itself, and "10.0.0.0/8" the addresses in it.
bool noProxyMatches(std::string_view noProxy, std::string_view host, int port);

// Looks up an environment variable; empty values count as unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;

// What curl's variables say for a request to scheme://host:port: Manual (https_proxy or
// HTTPS_PROXY for https, http_proxy or HTTP_PROXY for http, else all_proxy or ALL_PROXY), None
// (no_proxy or NO_PROXY matches, or no variable for this scheme while another is set), or System
// when no proxy variable is set at all. A value that is not a proxy URL is a Config error naming
// the variable.
Result<ProxySettings> proxyFromEnvironment(std::string_view scheme, std::string_view host, int port,
                                           const EnvironmentLookup& environment);

// Makes `settings` the proxy of every QNetworkAccessManager in the process, on every thread, for
// requests from now on: Manual that proxy (credentials included), None direct, System the
// environment variables (read now) and else the desktop's settings as Qt finds them. Fails
// (Config, nothing changed) on a proxy variable that cannot be read.
Result<void> applyProxySettings(const ProxySettings& settings);

// For error messages about a request to `url`: "the proxy http://proxy.example.org:3128 (from
// https_proxy)" when the settings applied last send it through a proxy, else empty.
std::string describeProxyFor(const QUrl& url);

// For HttpClient: the error for a request to `url` that failed at its proxy, naming the proxy and
// what to check: Auth for a 407 (`status`, or Qt's ProxyAuthenticationRequiredError; a caller that
// knows a 401 came from the proxy passes that error with it), Network when no connection came
// about (`status` 0; Qt's `error` and `text`). nullopt when the request went direct, for a reply
// (the server's, through the proxy) and for a connection cut after it was made.
std::optional<SyncError> proxyFailure(const QUrl& url, QNetworkReply::NetworkError error, int status,
                                      const QString& text);

} // namespace nubo::sync
