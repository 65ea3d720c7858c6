#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <cstdlib>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "network_proxy.h"

namespace nubo::sync {
namespace {

using Mode = ProxySettings::Mode;
using Type = ProxySettings::Type;

// ---- parseProxyUrl ----------------------------------------------------------------------------------

struct ParseRow {
    std::string text;
    Mode mode;
    Type type = Type::Http;
    std::string host = {};
    int port = 0;
    std::string user = {};
    std::string password = {};
};

void PrintTo(const ParseRow& row, std::ostream* out)
{
    *out << '"' << row.text << '"';
}

class ParseProxyUrl : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseProxyUrl, Row)
{
    const ParseRow& row = GetParam();
    auto parsed = parseProxyUrl(row.text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->mode, row.mode);
    if (row.mode != Mode::Manual) return;
    EXPECT_EQ(parsed->type, row.type);
    EXPECT_EQ(parsed->host, row.host);
    EXPECT_EQ(parsed->port, row.port);
    EXPECT_EQ(parsed->user, row.user);
    EXPECT_EQ(parsed->password, row.password);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseProxyUrl,
    ::testing::Values(ParseRow{"none", Mode::None}, ParseRow{"NONE", Mode::None}, ParseRow{"direct", Mode::None},
                      ParseRow{" none\n", Mode::None},
                      ParseRow{"http://proxy.example.org:3128", Mode::Manual, Type::Http, "proxy.example.org", 3128},
                      ParseRow{"http://proxy.example.org:3128/", Mode::Manual, Type::Http, "proxy.example.org", 3128},
                      ParseRow{"HTTP://Proxy.Example.org:3128", Mode::Manual, Type::Http, "proxy.example.org", 3128},
                      // curl's reading of a value without a scheme
                      ParseRow{"proxy.example.org:8080", Mode::Manual, Type::Http, "proxy.example.org", 8080},
                      ParseRow{"http://alice:s3cret@10.0.0.1:3128", Mode::Manual, Type::Http, "10.0.0.1", 3128, "alice",
                               "s3cret"},
                      // percent-encoded user and password: '@', ':' and '%' in them
                      ParseRow{"http://dom%5Calice:p%40ss%3Aw%25rd@proxy:1", Mode::Manual, Type::Http, "proxy", 1,
                               "dom\\alice", "p@ss:w%rd"},
                      ParseRow{"http://alice@proxy:3128", Mode::Manual, Type::Http, "proxy", 3128, "alice"},
                      ParseRow{"http://[::1]:3128", Mode::Manual, Type::Http, "::1", 3128},
                      ParseRow{"socks5://127.0.0.1:1080", Mode::Manual, Type::Socks5, "127.0.0.1", 1080},
                      ParseRow{"socks5h://bob:pw@socks.example.org:1080", Mode::Manual, Type::Socks5h,
                               "socks.example.org", 1080, "bob", "pw"},
                      ParseRow{"http://proxy:65535", Mode::Manual, Type::Http, "proxy", 65535}));

struct BadRow {
    std::string text;
    std::string says; // a part of the message
};

void PrintTo(const BadRow& row, std::ostream* out)
{
    *out << '"' << row.text << '"';
}

class ParseProxyUrlRefuses : public ::testing::TestWithParam<BadRow> {};

TEST_P(ParseProxyUrlRefuses, Row)
{
    auto parsed = parseProxyUrl(GetParam().text);
    ASSERT_FALSE(parsed) << "accepted " << GetParam().text;
    EXPECT_EQ(parsed.error().code, SyncErrorCode::Config);
    EXPECT_NE(parsed.error().message.find(GetParam().says), std::string::npos) << parsed.error().message;
    // Every refusal says what would be accepted.
    EXPECT_NE(parsed.error().message.find("expected http://[USER[:PASSWORD]@]HOST:PORT"), std::string::npos)
        << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseProxyUrlRefuses,
    ::testing::Values(BadRow{"", "empty"}, BadRow{"   ", "empty"}, BadRow{"http://proxy.example.org", "has no port"},
                      BadRow{"proxy.example.org", "has no port"}, BadRow{"http://proxy:0", "has port 0"},
                      BadRow{"http://proxy:65536", "not a valid URL"}, BadRow{"http://proxy:port", "not a valid URL"},
                      BadRow{"http://:3128", "not a valid URL"}, BadRow{"https://proxy:3128", "TLS to the proxy"},
                      BadRow{"socks4://proxy:1080", "unsupported scheme socks4://"},
                      BadRow{"ftp://proxy:21", "unsupported scheme ftp://"},
                      BadRow{"http://proxy:3128/path", "path, query or fragment"},
                      BadRow{"http://proxy:3128?x=1", "path, query or fragment"},
                      BadRow{"http://:pw@proxy:3128", "a password but no user"}));

TEST(ParseProxyUrlMessages, NeverRepeatThePassword)
{
    for (const std::string text : {"http://alice:hunter2@proxy", "http://alice:hunter2@proxy:3128/x",
                                   "https://alice:hunter2@proxy:3128", "gopher://alice:hunter2@proxy:1"}) {
        auto parsed = parseProxyUrl(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.error().message.find("hunter2"), std::string::npos) << parsed.error().message;
        EXPECT_NE(parsed.error().message.find("alice:***@proxy"), std::string::npos) << parsed.error().message;
    }
}

TEST(DescribeProxy, NamesTheProxyWithoutItsPassword)
{
    auto parsed = parseProxyUrl("http://alice:hunter2@proxy.example.org:3128");
    ASSERT_TRUE(parsed);
    parsed->source = "--proxy";
    EXPECT_EQ(describeProxy(*parsed), "http://alice@proxy.example.org:3128 (from --proxy)");
    EXPECT_EQ(describeProxy(*parseProxyUrl("socks5h://[::1]:1080")), "socks5h://[::1]:1080");
    EXPECT_EQ(describeProxy(*parseProxyUrl("none")), "no proxy");
}

// ---- noProxyMatches -------------------------------------------------------------------------------

struct NoProxyRow {
    std::string noProxy;
    std::string host;
    int port;
    bool exempt;
};

void PrintTo(const NoProxyRow& row, std::ostream* out)
{
    *out << "no_proxy=\"" << row.noProxy << "\" " << row.host << ":" << row.port << " -> "
         << (row.exempt ? "direct" : "proxy");
}

class NoProxy : public ::testing::TestWithParam<NoProxyRow> {};

TEST_P(NoProxy, Row)
{
    const NoProxyRow& row = GetParam();
    EXPECT_EQ(noProxyMatches(row.noProxy, row.host, row.port), row.exempt);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NoProxy,
    ::testing::Values(NoProxyRow{"", "cloud.example.org", 443, false},
                      // "*" alone: everything (libproxy skips one-character entries)
                      NoProxyRow{"*", "cloud.example.org", 443, true}, NoProxyRow{"*", "10.1.2.3", 80, true},
                      NoProxyRow{"other.org,*", "cloud.example.org", 443, true},
                      // a name covers itself and everything below it, with or without a leading "." or "*."
                      NoProxyRow{"example.org", "example.org", 443, true},
                      NoProxyRow{"example.org", "cloud.example.org", 443, true},
                      NoProxyRow{"example.org", "a.b.example.org", 443, true},
                      NoProxyRow{".example.org", "example.org", 443, true},
                      NoProxyRow{".example.org", "cloud.example.org", 443, true},
                      NoProxyRow{"*.example.org", "cloud.example.org", 443, true},
                      // ... but not a name that merely ends with the same letters
                      NoProxyRow{"example.org", "badexample.org", 443, false},
                      NoProxyRow{".example.org", "badexample.org", 443, false},
                      NoProxyRow{"cloud.example.org", "example.org", 443, false},
                      NoProxyRow{"example.org", "example.org.evil.com", 443, false},
                      // case and trailing dots do not matter
                      NoProxyRow{"CLOUD.Example.ORG", "cloud.example.org", 443, true},
                      NoProxyRow{"example.org.", "cloud.example.org", 443, true},
                      NoProxyRow{"example.org", "cloud.example.org.", 443, true},
                      // separated by commas and/or spaces, empty entries skipped
                      NoProxyRow{"a.com, b.com ,example.org", "cloud.example.org", 443, true},
                      NoProxyRow{"a.com b.com\texample.org", "cloud.example.org", 443, true},
                      NoProxyRow{",,a.com,,", "a.com", 443, true}, NoProxyRow{"a.com,b.com", "c.com", 443, false},
                      // host:port covers that port only
                      NoProxyRow{"cloud.example.org:443", "cloud.example.org", 443, true},
                      NoProxyRow{"cloud.example.org:8443", "cloud.example.org", 443, false},
                      NoProxyRow{".example.org:80", "cloud.example.org", 80, true},
                      NoProxyRow{"cloud.example.org:x", "cloud.example.org", 443, false},
                      // addresses: only the same address (any spelling), or a network in CIDR notation
                      NoProxyRow{"10.1.2.3", "10.1.2.3", 443, true}, NoProxyRow{"2.3", "10.1.2.3", 443, false},
                      NoProxyRow{"10.0.0.0/8", "10.1.2.3", 443, true}, NoProxyRow{"10.0.0.0/8", "11.1.2.3", 443, false},
                      NoProxyRow{"10.0.0.0/8", "ten.example.org", 443, false},
                      NoProxyRow{"192.168.1.7:8080", "192.168.1.7", 8080, true},
                      NoProxyRow{"192.168.1.7:8080", "192.168.1.7", 80, false}, NoProxyRow{"::1", "::1", 443, true},
                      NoProxyRow{"::1", "[::1]", 443, true}, NoProxyRow{"[::1]:443", "::1", 443, true},
                      NoProxyRow{"[::1]:443", "::1", 80, false}, NoProxyRow{"fd00::/8", "fd12::5", 443, true},
                      NoProxyRow{"0:0:0:0:0:0:0:1", "::1", 443, true}));

// ---- proxyFromEnvironment -------------------------------------------------------------------------

ProxySettings fromEnvironment(const std::map<std::string, std::string>& variables, const std::string& url)
{
    const QUrl parsed(QString::fromStdString(url));
    const std::string scheme = parsed.scheme().toStdString();
    auto result = proxyFromEnvironment(scheme, parsed.host().toStdString(), parsed.port(scheme == "https" ? 443 : 80),
                                       [&](const char* name) -> std::optional<std::string> {
                                           const auto it = variables.find(name);
                                           return it == variables.end() ? std::nullopt : std::optional(it->second);
                                       });
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : ProxySettings{};
}

// "host:port (from VARIABLE)", "direct (from VARIABLE)", "direct" or "system".
std::string decision(const std::map<std::string, std::string>& variables, const std::string& url)
{
    const ProxySettings chosen = fromEnvironment(variables, url);
    const std::string from = chosen.source.empty() ? "" : " (from " + chosen.source + ")";
    switch (chosen.mode) {
    case Mode::System: return "system";
    case Mode::None: return "direct" + from;
    case Mode::Manual: return chosen.host + ":" + std::to_string(chosen.port) + from;
    }
    return {};
}

TEST(ProxyFromEnvironment, WithoutProxyVariablesTheSystemDecides)
{
    EXPECT_EQ(decision({}, "https://cloud.example.org"), "system");
    EXPECT_EQ(decision({{"no_proxy", "*"}}, "https://cloud.example.org"), "system");
    EXPECT_EQ(decision({{"https_proxy", ""}, {"http_proxy", "  "}}, "https://cloud.example.org"), "system");
}

TEST(ProxyFromEnvironment, EachSchemeItsVariableThenAllProxy)
{
    const std::map<std::string, std::string> both = {{"https_proxy", "http://s:1"}, {"http_proxy", "http://h:2"}};
    EXPECT_EQ(decision(both, "https://cloud.example.org"), "s:1 (from https_proxy)");
    EXPECT_EQ(decision(both, "http://cloud.example.org"), "h:2 (from http_proxy)");
    // As curl, and unlike Qt with libproxy: http_proxy is not used for https.
    EXPECT_EQ(decision({{"http_proxy", "http://h:2"}}, "https://cloud.example.org"), "direct");
    EXPECT_EQ(decision({{"https_proxy", "http://s:1"}}, "http://cloud.example.org"), "direct");
    EXPECT_EQ(decision({{"all_proxy", "socks5h://a:3"}}, "https://cloud.example.org"), "a:3 (from all_proxy)");
    EXPECT_EQ(decision({{"ALL_PROXY", "socks5h://a:3"}}, "http://cloud.example.org"), "a:3 (from ALL_PROXY)");
    EXPECT_EQ(decision({{"all_proxy", "http://a:3"}, {"https_proxy", "http://s:1"}}, "https://cloud.example.org"),
              "s:1 (from https_proxy)");
}

TEST(ProxyFromEnvironment, LowerCaseComesFirst)
{
    EXPECT_EQ(decision({{"HTTPS_PROXY", "http://upper:1"}}, "https://c.example.org"), "upper:1 (from HTTPS_PROXY)");
    EXPECT_EQ(decision({{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:2"}}, "https://c.example.org"),
              "lower:2 (from https_proxy)");
    EXPECT_EQ(decision({{"HTTP_PROXY", "http://upper:1"}}, "http://c.example.org"), "upper:1 (from HTTP_PROXY)");
    EXPECT_EQ(decision({{"https_proxy", "http://s:1"}, {"NO_PROXY", "example.org"}}, "https://c.example.org"),
              "direct (from NO_PROXY)");
    EXPECT_EQ(decision({{"https_proxy", "http://s:1"}, {"NO_PROXY", "example.org"}, {"no_proxy", "other.org"}},
                       "https://c.example.org"),
              "s:1 (from https_proxy)");
}

TEST(ProxyFromEnvironment, NoProxyExemptsMatchingHostsOnly)
{
    const std::map<std::string, std::string> variables = {{"https_proxy", "http://alice:pw@s:1"},
                                                          {"no_proxy", "intranet.example.org,10.0.0.0/8"}};
    EXPECT_EQ(decision(variables, "https://intranet.example.org/nextcloud"), "direct (from no_proxy)");
    EXPECT_EQ(decision(variables, "https://files.intranet.example.org"), "direct (from no_proxy)");
    EXPECT_EQ(decision(variables, "https://10.2.3.4:8443"), "direct (from no_proxy)");
    EXPECT_EQ(decision(variables, "https://cloud.example.org"), "s:1 (from https_proxy)");
    const ProxySettings proxied = fromEnvironment(variables, "https://cloud.example.org");
    EXPECT_EQ(proxied.user, "alice");
    EXPECT_EQ(proxied.password, "pw");
    EXPECT_EQ(decision({{"https_proxy", "http://s:1"}, {"no_proxy", "*"}}, "https://cloud.example.org"),
              "direct (from no_proxy)");
}

TEST(ProxyFromEnvironment, AnUnusableValueIsAnErrorNamingTheVariable)
{
    const std::map<std::string, std::string> variables = {{"https_proxy", "https://alice:hunter2@proxy:3128"}};
    auto result = proxyFromEnvironment("https", "cloud.example.org", 443, [&](const char* name) {
        const auto it = variables.find(name);
        return it == variables.end() ? std::nullopt : std::optional(it->second);
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, SyncErrorCode::Config);
    EXPECT_NE(result.error().message.find("environment variable https_proxy"), std::string::npos)
        << result.error().message;
    EXPECT_EQ(result.error().message.find("hunter2"), std::string::npos) << result.error().message;
}

// ---- applyProxySettings: what Qt's network stack is then told ----------------------------------

QNetworkProxy proxyFor(const QString& url)
{
    const QList<QNetworkProxy> list = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(QUrl(url)));
    EXPECT_FALSE(list.isEmpty());
    return list.isEmpty() ? QNetworkProxy() : list.first();
}

using Variables = std::map<std::string, std::string>;

// Sets the proxy variables for one test and puts the previous values back.
class ProxyEnvironment {
public:
    explicit ProxyEnvironment(const Variables& variables)
    {
        for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                                 "no_proxy", "NO_PROXY"}) {
            if (const char* value = std::getenv(name)) m_saved[name] = value;
            unsetenv(name);
        }
        for (const auto& [name, value] : variables)
            setenv(name.c_str(), value.c_str(), 1);
    }
    ~ProxyEnvironment()
    {
        for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                                 "no_proxy", "NO_PROXY"})
            unsetenv(name);
        for (const auto& [name, value] : m_saved)
            setenv(name.c_str(), value.c_str(), 1);
        (void)applyProxySettings(ProxySettings{.mode = Mode::None});
    }

private:
    std::map<std::string, std::string> m_saved;
};

ProxySettings manual(const std::string& url, const std::string& password = {})
{
    auto parsed = parseProxyUrl(url);
    EXPECT_TRUE(parsed) << parsed.error().message;
    ProxySettings settings = parsed ? *parsed : ProxySettings{};
    settings.password = password;
    settings.source = "--proxy";
    return settings;
}

TEST(ApplyProxySettings, AManualProxyCarriesEveryRequestButLoopbackWithItsCredentials)
{
    ProxyEnvironment environment(Variables{{"https_proxy", "http://elsewhere:1"}, {"no_proxy", "*"}}); // not read
    ASSERT_TRUE(applyProxySettings(manual("http://alice@proxy.example.org:3128", "pw")));
    for (const QString url : {"https://cloud.example.org/remote.php/dav", "http://cloud.example.org:8080/"}) {
        const QNetworkProxy proxy = proxyFor(url);
        EXPECT_EQ(proxy.type(), QNetworkProxy::HttpProxy) << url.toStdString();
        EXPECT_EQ(proxy.hostName(), "proxy.example.org");
        EXPECT_EQ(proxy.port(), 3128);
        EXPECT_EQ(proxy.user(), "alice");
        EXPECT_EQ(proxy.password(), "pw");
    }
    // Qt's own rule, whatever is set: loopback goes direct.
    for (const QString url : {"http://localhost:8080/", "http://127.0.0.1:8080/", "http://127.1.2.3/", "http://[::1]/"})
        EXPECT_EQ(proxyFor(url).type(), QNetworkProxy::NoProxy) << url.toStdString();
    // Listening sockets never go through a proxy (an HTTP proxy cannot listen).
    const QList<QNetworkProxy> server =
        QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(0, QString(), QNetworkProxyQuery::TcpServer));
    ASSERT_FALSE(server.isEmpty());
    EXPECT_EQ(server.first().type(), QNetworkProxy::NoProxy);
}

TEST(ApplyProxySettings, Socks5ResolvesHereSocks5hAtTheProxy)
{
    ProxyEnvironment environment(Variables{});
    ASSERT_TRUE(applyProxySettings(manual("socks5://127.0.0.2:1080")));
    QNetworkProxy proxy = proxyFor("https://cloud.example.org/");
    EXPECT_EQ(proxy.type(), QNetworkProxy::Socks5Proxy);
    EXPECT_FALSE(proxy.capabilities() & QNetworkProxy::HostNameLookupCapability);
    ASSERT_TRUE(applyProxySettings(manual("socks5h://127.0.0.2:1080")));
    proxy = proxyFor("https://cloud.example.org/");
    EXPECT_EQ(proxy.type(), QNetworkProxy::Socks5Proxy);
    EXPECT_TRUE(proxy.capabilities() & QNetworkProxy::HostNameLookupCapability);
}

TEST(ApplyProxySettings, NoneGoesDirect)
{
    ProxyEnvironment environment(Variables{{"https_proxy", "http://elsewhere:1"}});
    ASSERT_TRUE(applyProxySettings(*parseProxyUrl("none")));
    EXPECT_EQ(proxyFor("https://cloud.example.org/").type(), QNetworkProxy::NoProxy);
}

TEST(ApplyProxySettings, SystemReadsTheEnvironmentWhenApplied)
{
    ProxyEnvironment environment(
        {{"https_proxy", "http://bob:pw@envproxy.example.org:8080"}, {"no_proxy", "intranet.example.org"}});
    ASSERT_TRUE(applyProxySettings(ProxySettings{}));
    QNetworkProxy proxy = proxyFor("https://cloud.example.org/");
    EXPECT_EQ(proxy.type(), QNetworkProxy::HttpProxy);
    EXPECT_EQ(proxy.hostName(), "envproxy.example.org");
    EXPECT_EQ(proxy.port(), 8080);
    EXPECT_EQ(proxy.user(), "bob");
    EXPECT_EQ(proxy.password(), "pw");
    EXPECT_EQ(proxyFor("https://files.intranet.example.org/").type(), QNetworkProxy::NoProxy);
    EXPECT_EQ(proxyFor("http://cloud.example.org/").type(), QNetworkProxy::NoProxy); // no http_proxy
    // What was read when applying stays, whatever the environment does later.
    unsetenv("https_proxy");
    EXPECT_EQ(proxyFor("https://cloud.example.org/").hostName(), "envproxy.example.org");
}

TEST(ApplyProxySettings, AnUnusableVariableIsRefusedAndChangesNothing)
{
    ProxyEnvironment environment(Variables{{"https_proxy", "https://secure-proxy:443"}});
    ASSERT_TRUE(applyProxySettings(manual("http://proxy.example.org:3128")));
    auto applied = applyProxySettings(ProxySettings{});
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error().code, SyncErrorCode::Config);
    EXPECT_NE(applied.error().message.find("environment variable https_proxy"), std::string::npos)
        << applied.error().message;
    EXPECT_EQ(proxyFor("https://cloud.example.org/").hostName(), "proxy.example.org");
}

// ---- proxyFailure: the errors that name the proxy -------------------------------------------------

TEST(ProxyFailure, NoReplyNamesTheProxyAndItsSetting)
{
    ProxyEnvironment environment(Variables{});
    ASSERT_TRUE(applyProxySettings(manual("http://127.0.0.2:9")));
    const QUrl url("https://cloud.example.org:8443/status.php");
    auto refused = proxyFailure(url, QNetworkReply::ConnectionRefusedError, 0, "Connection refused");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, SyncErrorCode::Network);
    EXPECT_EQ(refused->message, "cannot reach cloud.example.org:8443 through the proxy http://127.0.0.2:9 (from "
                                "--proxy): the connection was refused (is the proxy running, and --proxy right?)");
    auto other = proxyFailure(url, QNetworkReply::UnknownNetworkError, 0, "Error communicating with HTTP proxy");
    ASSERT_TRUE(other);
    EXPECT_NE(other->message.find("through the proxy http://127.0.0.2:9 (from --proxy): Error communicating with "
                                  "HTTP proxy"),
              std::string::npos)
        << other->message;
    // A reply came: it is the server's (through the proxy), not the proxy's failure.
    EXPECT_FALSE(proxyFailure(url, QNetworkReply::InternalServerError, 500, "Internal server error"));
    EXPECT_FALSE(proxyFailure(url, QNetworkReply::OperationCanceledError, 0, "Operation canceled"));
    // A connection cut after it was made (mid-upload) is not explained as the proxy's.
    EXPECT_FALSE(proxyFailure(url, QNetworkReply::RemoteHostClosedError, 0, "Remote host closed"));
    // Loopback went direct: nothing about a proxy.
    EXPECT_FALSE(proxyFailure(QUrl("http://127.0.0.1:8080/status.php"), QNetworkReply::ConnectionRefusedError, 0,
                              "Connection refused"));
}

TEST(ProxyFailure, A407IsAnAuthErrorSayingWhatToCheck)
{
    ProxyEnvironment environment(Variables{});
    const QUrl url("http://cloud.example.org/status.php");
    ASSERT_TRUE(applyProxySettings(manual("http://proxy.example.org:3128")));
    auto anonymous = proxyFailure(url, QNetworkReply::ProxyAuthenticationRequiredError, 407, "");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->code, SyncErrorCode::Auth);
    EXPECT_EQ(anonymous->httpStatus, 407);
    EXPECT_EQ(anonymous->message, "the proxy http://proxy.example.org:3128 (from --proxy) requires a user name and "
                                  "password (407); give them in --proxy (http://USER@HOST:PORT) and "
                                  "--proxy-password-file F");

    ASSERT_TRUE(applyProxySettings(manual("http://alice@proxy.example.org:3128", "wrong")));
    auto refused = proxyFailure(url, QNetworkReply::ProxyAuthenticationRequiredError, 0, "");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, SyncErrorCode::Auth);
    EXPECT_EQ(refused->message, "the proxy http://alice@proxy.example.org:3128 (from --proxy) refused the "
                                "credentials (407); check --proxy and --proxy-password-file");
    EXPECT_EQ(refused->message.find("wrong"), std::string::npos);
}

TEST(ProxyFailure, FromTheEnvironmentItNamesTheVariable)
{
    ProxyEnvironment environment(Variables{{"HTTP_PROXY", "http://carol:secret@proxy.example.org:3128"}});
    ASSERT_TRUE(applyProxySettings(ProxySettings{}));
    auto refused = proxyFailure(QUrl("http://cloud.example.org/"), QNetworkReply::NoError, 407, "");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->message, "the proxy http://carol@proxy.example.org:3128 (from HTTP_PROXY) refused the "
                                "credentials (407); check the environment variable HTTP_PROXY");
    // A 401 the caller knows is the proxy's (status.php needs no login; tinyproxy 1.11 answers 401).
    auto proxy401 = proxyFailure(QUrl("http://cloud.example.org/status.php"),
                                 QNetworkReply::ProxyAuthenticationRequiredError, 401, "");
    ASSERT_TRUE(proxy401);
    EXPECT_EQ(proxy401->httpStatus, 401);
    EXPECT_NE(proxy401->message.find("refused the credentials (401)"), std::string::npos) << proxy401->message;
    EXPECT_FALSE(proxyFailure(QUrl("https://cloud.example.org/"), QNetworkReply::ConnectionRefusedError, 0, ""))
        << "https has no variable here: direct";
}

} // namespace
} // namespace nubo::sync
