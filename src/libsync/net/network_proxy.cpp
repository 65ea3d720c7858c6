#include "network_proxy.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include <openssl/crypto.h>

namespace nubo::sync {

namespace {

constexpr const char* kExpectedForm =
    "expected http://[USER[:PASSWORD]@]HOST:PORT, socks5://..., socks5h://... or none";

std::string lowered(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trimmed(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The text with the password of its user part replaced, for messages.
std::string withoutPassword(std::string_view text)
{
    const std::size_t start = text.find("://") == std::string_view::npos ? 0 : text.find("://") + 3;
    const std::size_t at = text.substr(0, text.find('/', start)).rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(text);
    const std::size_t colon = text.substr(0, at).find(':', start);
    if (colon == std::string_view::npos) return std::string(text);
    return std::string(text.substr(0, colon + 1)) + "***" + std::string(text.substr(at));
}

std::optional<int> parsePort(std::string_view text)
{
    int port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
    return port;
}

const char* schemeName(ProxySettings::Type type)
{
    switch (type) {
    case ProxySettings::Type::Http: return "http";
    case ProxySettings::Type::Socks5: return "socks5";
    case ProxySettings::Type::Socks5h: return "socks5h";
    }
    return "http";
}

QNetworkProxy toQt(const ProxySettings& settings)
{
    switch (settings.mode) {
    case ProxySettings::Mode::None: return QNetworkProxy(QNetworkProxy::NoProxy);
    case ProxySettings::Mode::System: return QNetworkProxy(QNetworkProxy::DefaultProxy);
    case ProxySettings::Mode::Manual: break;
    }
    const QNetworkProxy::ProxyType type =
        settings.type == ProxySettings::Type::Http ? QNetworkProxy::HttpProxy : QNetworkProxy::Socks5Proxy;
    QNetworkProxy proxy(type, QString::fromStdString(settings.host), settings.port,
                        QString::fromStdString(settings.user), QString::fromStdString(settings.password));
    if (settings.type == ProxySettings::Type::Socks5)
        proxy.setCapabilities(proxy.capabilities() & ~QNetworkProxy::HostNameLookupCapability);
    return proxy;
}

constexpr std::array kProxyVariables = {"https_proxy", "HTTPS_PROXY", "http_proxy",
                                        "HTTP_PROXY",  "all_proxy",   "ALL_PROXY"};

// The settings applied last, with the environment as it was then.
struct Applied {
    ProxySettings settings;
    std::map<std::string, std::string> environment;
    ~Applied()
    {
        OPENSSL_cleanse(settings.password.data(), settings.password.size());
        for (auto& [name, value] : environment) // a proxy URL may hold a password
            OPENSSL_cleanse(value.data(), value.size());
    }

    std::optional<std::string> lookup(const char* name) const
    {
        const auto it = environment.find(name);
        return it == environment.end() ? std::nullopt : std::optional(it->second);
    }
    // The effective settings for one request; Mode::System means the desktop's.
    ProxySettings forRequest(std::string_view scheme, std::string_view host, int port) const
    {
        if (settings.mode != ProxySettings::Mode::System) return settings;
        auto chosen = proxyFromEnvironment(scheme, host, port, [this](const char* name) { return lookup(name); });
        // Every variable was read when these settings were applied; this cannot fail.
        return chosen ? *chosen : ProxySettings{.mode = ProxySettings::Mode::None};
    }
};

std::mutex g_appliedMutex;
std::shared_ptr<const Applied> g_applied;

std::shared_ptr<const Applied> applied()
{
    std::lock_guard lock(g_appliedMutex);
    return g_applied;
}

int defaultPort(std::string_view scheme)
{
    return scheme == "https" ? 443 : scheme == "http" ? 80 : -1;
}

class ProxyFactory : public QNetworkProxyFactory {
public:
    explicit ProxyFactory(std::shared_ptr<const Applied> applied) : m_applied(std::move(applied)) {}

    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery& query) override
    {
        // A proxy can only carry outgoing connections: servers and UDP stay local.
        if (query.queryType() != QNetworkProxyQuery::UrlRequest && query.queryType() != QNetworkProxyQuery::TcpSocket)
            return {QNetworkProxy(QNetworkProxy::NoProxy)};
        const std::string scheme = query.protocolTag().toLower().toStdString();
        const std::string host = query.peerHostName().toLower().toStdString();
        const int port = query.peerPort() > 0 ? query.peerPort() : defaultPort(scheme);
        ProxySettings chosen = m_applied->forRequest(scheme, host, port);
        if (chosen.mode == ProxySettings::Mode::System) return systemProxyForQuery(query);
        const QNetworkProxy proxy = toQt(chosen);
        OPENSSL_cleanse(chosen.password.data(), chosen.password.size());
        return {proxy};
    }

private:
    std::shared_ptr<const Applied> m_applied;
};

} // namespace

Result<ProxySettings> parseProxyUrl(const std::string& text)
{
    const std::string_view input = trimmed(text);
    const std::string shown = "'" + withoutPassword(input) + "'";
    const std::string word = lowered(input);
    if (word == "none" || word == "direct") return ProxySettings{.mode = ProxySettings::Mode::None};
    if (input.empty()) return fail(SyncErrorCode::Config, std::string("the proxy is empty; ") + kExpectedForm);

    const std::size_t separator = input.find("://");
    const std::string scheme = separator == std::string_view::npos ? "http" : lowered(input.substr(0, separator));
    ProxySettings proxy{.mode = ProxySettings::Mode::Manual};
    if (scheme == "http") {
        proxy.type = ProxySettings::Type::Http;
    } else if (scheme == "socks5") {
        proxy.type = ProxySettings::Type::Socks5;
    } else if (scheme == "socks5h") {
        proxy.type = ProxySettings::Type::Socks5h;
    } else if (scheme == "https") {
        return fail(SyncErrorCode::Config, "the proxy " + shown +
                                               " needs TLS to the proxy (https://), which is not supported; " +
                                               kExpectedForm);
    } else {
        return fail(SyncErrorCode::Config,
                    "the proxy " + shown + " has the unsupported scheme " + scheme + "://; " + kExpectedForm);
    }

    const QString full =
        QString::fromUtf8(separator == std::string_view::npos ? "http://" + std::string(input)
                                                              : scheme + std::string(input.substr(separator)));
    const QUrl url(full, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return fail(SyncErrorCode::Config, "the proxy " + shown + " is not a valid URL; " + kExpectedForm);
    if ((!url.path().isEmpty() && url.path() != "/") || url.hasQuery() || url.hasFragment())
        return fail(SyncErrorCode::Config, "the proxy " + shown +
                                               " has a path, query or fragment, which a proxy does not take; " +
                                               kExpectedForm);
    if (url.port() == -1) return fail(SyncErrorCode::Config, "the proxy " + shown + " has no port; " + kExpectedForm);
    if (url.port() == 0) return fail(SyncErrorCode::Config, "the proxy " + shown + " has port 0; " + kExpectedForm);
    proxy.host = url.host().toStdString();
    proxy.port = static_cast<std::uint16_t>(url.port());
    proxy.user = url.userName(QUrl::FullyDecoded).toStdString();
    QString password = url.password(QUrl::FullyDecoded);
    proxy.password = password.toStdString();
    password.fill(QChar(0));
    if (proxy.user.empty() && !proxy.password.empty())
        return fail(SyncErrorCode::Config, "the proxy " + shown + " has a password but no user; " + kExpectedForm);
    return proxy;
}

std::string describeProxy(const ProxySettings& proxy)
{
    std::string text;
    switch (proxy.mode) {
    case ProxySettings::Mode::None: text = "no proxy"; break;
    case ProxySettings::Mode::System: text = "the system's proxy settings"; break;
    case ProxySettings::Mode::Manual: {
        const bool v6 = proxy.host.find(':') != std::string::npos;
        text = std::string(schemeName(proxy.type)) + "://" + (proxy.user.empty() ? "" : proxy.user + "@") +
               (v6 ? "[" + proxy.host + "]" : proxy.host) + ":" + std::to_string(proxy.port);
        break;
    }
    }
    if (!proxy.source.empty()) text += " (from " + proxy.source + ")";
    return text;
}

bool noProxyMatches(std::string_view noProxy, std::string_view hostIn, int port)
{
    std::string host = lowered(hostIn);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    while (!host.empty() && host.back() == '.')
        host.pop_back();
    if (host.empty()) return false;
    QHostAddress address;
    const bool hostIsAddress = address.setAddress(QString::fromStdString(host));

    std::size_t at = 0;
    while (at < noProxy.size()) {
        const std::size_t end = std::min(noProxy.find_first_of(", \t", at), noProxy.size());
        std::string entry = lowered(noProxy.substr(at, end - at));
        at = end + 1;
        if (entry.empty()) continue;
        if (entry == "*") return true;

        if (entry.find('/') != std::string::npos) { // a network in CIDR notation
            const auto subnet = QHostAddress::parseSubnet(QString::fromStdString(entry));
            if (hostIsAddress && subnet.second >= 0 && address.isInSubnet(subnet)) return true;
            continue;
        }
        // A port: "host:443", "[::1]:443"; a bare IPv6 address has more than one colon.
        std::optional<int> entryPort;
        if (entry.front() == '[') {
            const std::size_t close = entry.find(']');
            if (close == std::string::npos) continue;
            if (close + 1 < entry.size()) {
                if (entry[close + 1] != ':' || !(entryPort = parsePort(entry.substr(close + 2)))) continue;
            }
            entry = entry.substr(1, close - 1);
        } else if (const std::size_t colon = entry.find(':');
                   colon != std::string::npos && entry.find(':', colon + 1) == std::string::npos) {
            if (!(entryPort = parsePort(entry.substr(colon + 1)))) continue;
            entry.resize(colon);
        }
        if (entryPort && *entryPort != port) continue;

        if (hostIsAddress) {
            // An address matches only itself (in any spelling), never as a "suffix".
            QHostAddress entryAddress;
            if (entryAddress.setAddress(QString::fromStdString(entry)) && entryAddress.isEqual(address)) return true;
            continue;
        }
        if (entry.starts_with("*.")) entry.erase(0, 1);
        if (entry.starts_with(".")) entry.erase(0, 1);
        while (!entry.empty() && entry.back() == '.')
            entry.pop_back();
        if (entry.empty()) continue;
        if (host == entry) return true;
        if (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.')
            return true;
    }
    return false;
}

Result<ProxySettings> proxyFromEnvironment(std::string_view scheme, std::string_view host, int port,
                                           const EnvironmentLookup& environment)
{
    const auto first =
        [&](std::initializer_list<const char*> names) -> std::optional<std::pair<const char*, std::string>> {
        for (const char* name : names) {
            if (auto value = environment(name); value && !trimmed(*value).empty()) return std::pair{name, *value};
        }
        return std::nullopt;
    };
    if (!first({"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}))
        return ProxySettings{.mode = ProxySettings::Mode::System};

    if (auto noProxy = first({"no_proxy", "NO_PROXY"}); noProxy && noProxyMatches(noProxy->second, host, port))
        return ProxySettings{.mode = ProxySettings::Mode::None, .source = noProxy->first};

    // As curl: http_proxy is for http:// only, never for https://.
    const std::string lower = lowered(scheme);
    const auto chosen = lower == "https"  ? first({"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
                        : lower == "http" ? first({"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"})
                                          : first({"all_proxy", "ALL_PROXY"});
    if (!chosen) return ProxySettings{.mode = ProxySettings::Mode::None};
    auto proxy = parseProxyUrl(chosen->second);
    if (!proxy) {
        return fail(SyncErrorCode::Config, "the environment variable " + std::string(chosen->first) +
                                               " does not name a usable proxy: " + proxy.error().message);
    }
    proxy->source = chosen->first;
    return proxy;
}

Result<void> applyProxySettings(const ProxySettings& settings)
{
    auto next = std::make_shared<Applied>();
    next->settings = settings;
    if (settings.mode == ProxySettings::Mode::System) {
        for (const char* name : kProxyVariables) {
            const char* value = std::getenv(name);
            if (!value || trimmed(value).empty()) continue;
            if (auto parsed = parseProxyUrl(value); !parsed) {
                return fail(SyncErrorCode::Config, "the environment variable " + std::string(name) +
                                                       " does not name a usable proxy: " + parsed.error().message);
            } else {
                OPENSSL_cleanse(parsed->password.data(), parsed->password.size());
            }
            next->environment[name] = value;
        }
        for (const char* name : {"no_proxy", "NO_PROXY"})
            if (const char* value = std::getenv(name)) next->environment[name] = value;
    }
    // Qt takes the factory and deletes the previous one; replacing it is thread-safe.
    QNetworkProxyFactory::setApplicationProxyFactory(new ProxyFactory(next));
    std::lock_guard lock(g_appliedMutex);
    g_applied = std::move(next);
    return {};
}

namespace {

// The proxy a request to `url` goes through, as Manual settings with their source; nullopt when
// it goes direct.
std::optional<ProxySettings> proxyUsedFor(const QUrl& url)
{
    // Qt's answer first: it knows its own exceptions (loopback is never proxied).
    const QList<QNetworkProxy> used = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(url));
    if (used.isEmpty() || used.first().type() == QNetworkProxy::NoProxy ||
        used.first().type() == QNetworkProxy::DefaultProxy)
        return std::nullopt;
    if (const auto current = applied()) {
        const std::string scheme = url.scheme().toLower().toStdString();
        ProxySettings chosen =
            current->forRequest(scheme, url.host().toLower().toStdString(), url.port(defaultPort(scheme)));
        OPENSSL_cleanse(chosen.password.data(), chosen.password.size());
        chosen.password.clear();
        if (chosen.mode == ProxySettings::Mode::Manual) return chosen;
    }
    const QNetworkProxy& proxy = used.first();
    return ProxySettings{.mode = ProxySettings::Mode::Manual,
                         .type = proxy.type() == QNetworkProxy::Socks5Proxy ? ProxySettings::Type::Socks5
                                                                            : ProxySettings::Type::Http,
                         .host = proxy.hostName().toStdString(),
                         .port = proxy.port(),
                         .user = proxy.user().toStdString(),
                         .source = "the system's proxy settings"};
}

// Where the user sets what `proxy` says.
std::string settingToCheck(const ProxySettings& proxy)
{
    if (proxy.source == "--proxy") return "--proxy";
    if (proxy.source.ends_with("_proxy") || proxy.source.ends_with("_PROXY"))
        return "the environment variable " + proxy.source;
    return "the system's proxy settings";
}

} // namespace

std::string describeProxyFor(const QUrl& url)
{
    const auto proxy = proxyUsedFor(url);
    return proxy ? "the proxy " + describeProxy(*proxy) : std::string();
}

std::optional<SyncError> proxyFailure(const QUrl& url, QNetworkReply::NetworkError error, int status,
                                      const QString& text)
{
    const bool askedForCredentials = status == 407 || error == QNetworkReply::ProxyAuthenticationRequiredError;
    // No connection at all. Qt 6.4 reports most failures at a proxy as UnknownNetworkError ("Proxy
    // connection refused", "Error communicating with HTTP proxy"), and a refused or unknown HTTP
    // proxy of an http:// request as the plain errors. A connection cut later is not the proxy's
    // to explain.
    bool noConnection = false;
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::UnknownProxyError: noConnection = status == 0; break;
    default: break;
    }
    if (!askedForCredentials && !noConnection) return std::nullopt;
    const auto proxy = proxyUsedFor(url);
    if (!proxy) return std::nullopt;
    const std::string shown = "the proxy " + describeProxy(*proxy);
    const std::string where = settingToCheck(*proxy);

    if (askedForCredentials) {
        std::string message;
        const std::string code = "(" + std::to_string(status == 0 ? 407 : status) + ")";
        if (proxy->user.empty()) {
            message = shown + " requires a user name and password " + code + "; give them in " + where +
                      (proxy->source == "--proxy" ? " (http://USER@HOST:PORT) and --proxy-password-file F"
                                                  : " (http://USER:PASSWORD@HOST:PORT)");
        } else {
            message = shown + " refused the credentials " + code + "; check " + where +
                      (proxy->source == "--proxy" ? " and --proxy-password-file" : "");
        }
        return SyncError{SyncErrorCode::Auth, std::move(message), status == 0 ? 407 : status};
    }

    std::string reason;
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::ProxyConnectionRefusedError: reason = "the connection was refused"; break;
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::ProxyNotFoundError: reason = "host not found"; break;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::ProxyTimeoutError: reason = "the connection timed out"; break;
    default: reason = text.toStdString(); break;
    }
    std::string server = url.host().toStdString();
    if (url.port() > 0) server += ":" + std::to_string(url.port());
    return SyncError{SyncErrorCode::Network, "cannot reach " + server + " through " + shown + ": " + reason +
                                                 " (is the proxy running, and " + where + " right?)"};
}

} // namespace nubo::sync
