#include "login_flow.h"

#include "account.h"
#include "http_client.h"

#include <QUrlQuery>
#include <nlohmann/json.hpp>

namespace nubo::sync {

using nlohmann::json;

LoginFlow::LoginFlow(LoginFlow&&) noexcept = default;
LoginFlow& LoginFlow::operator=(LoginFlow&&) noexcept = default;
LoginFlow::~LoginFlow() = default;

namespace {
// The same origin as `server`, or a same-host upgrade to HTTPS: a poll endpoint elsewhere would
// hand the token (and so the app password) to another host.
bool sameServer(const QUrl& endpoint, const QUrl& server)
{
    return endpoint.host() == server.host() && endpoint.port(endpoint.scheme() == u"https" ? 443 : 80) ==
                                                   server.port(server.scheme() == u"https" ? 443 : 80) &&
           (endpoint.scheme() == server.scheme() || endpoint.scheme() == u"https");
}
} // namespace

Result<LoginFlow> LoginFlow::start(const std::string& serverUrl, bool trustCertificates,
                                   const std::string& pinnedCertificate)
{
    auto root = Account::normaliseServerUrl(serverUrl);
    if (!root)
        return std::unexpected(root.error());
    LoginFlow flow;
    HttpClientOptions options;
    options.trustCertificates = trustCertificates;
    options.pinnedCertificate = pinnedCertificate;
    flow.m_http = std::make_unique<HttpClient>(std::move(options));
    HttpRequest request;
    request.method = "POST";
    request.url = QUrl(root->toString() + QStringLiteral("/index.php/login/v2"));
    auto reply = flow.m_http->send(request);
    if (!reply)
        return std::unexpected(reply.error());
    if (reply->status == 404 || reply->status == 405)
        return fail(SyncErrorCode::Config, root->toString().toStdString() +
                                               " does not offer Login Flow v2 (Nextcloud 16 or later does): use an "
                                               "app password made in its web interface instead");
    if (!reply->ok())
        return std::unexpected(HttpClient::statusError(request, *reply));
    const json body = json::parse(reply->body.toStdString(), nullptr, false);
    if (!body.is_object() || !body.contains("login") || !body["login"].is_string() || !body.contains("poll") ||
        !body["poll"].is_object() || !body["poll"].value("token", json()).is_string() ||
        !body["poll"].value("endpoint", json()).is_string())
        return fail(SyncErrorCode::Protocol, "the server's answer to the login request is not a Login Flow v2 answer");
    flow.m_loginUrl = body["login"].get<std::string>();
    flow.m_pollEndpoint = body["poll"]["endpoint"].get<std::string>();
    flow.m_token = body["poll"]["token"].get<std::string>();
    const QUrl login(QString::fromStdString(flow.m_loginUrl));
    const QUrl endpoint(QString::fromStdString(flow.m_pollEndpoint));
    if (!login.isValid() || (login.scheme() != u"https" && login.scheme() != u"http"))
        return fail(SyncErrorCode::Protocol, "the server gave no usable login address");
    if (!endpoint.isValid() || !sameServer(endpoint, *root))
        return fail(SyncErrorCode::Protocol, "the server asked to be polled at another address (" +
                                                 flow.m_pollEndpoint + "); refused, the login would go there");
    return flow;
}

Result<std::optional<LoginCredentials>> LoginFlow::poll()
{
    HttpRequest request;
    request.method = "POST";
    request.url = QUrl(QString::fromStdString(m_pollEndpoint));
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("token"), QString::fromStdString(m_token));
    request.body = form.toString(QUrl::FullyEncoded).toUtf8();
    auto reply = m_http->send(request);
    if (!reply)
        return std::unexpected(reply.error());
    if (reply->status == 404)
        return std::optional<LoginCredentials>(); // not logged in yet
    if (!reply->ok())
        return std::unexpected(HttpClient::statusError(request, *reply));
    const json body = json::parse(reply->body.toStdString(), nullptr, false);
    if (!body.is_object() || !body.value("server", json()).is_string() ||
        !body.value("loginName", json()).is_string() || !body.value("appPassword", json()).is_string() ||
        body["appPassword"].get<std::string>().empty())
        return fail(SyncErrorCode::Protocol, "the server's login answer has no app password");
    return std::optional<LoginCredentials>(LoginCredentials{body["server"].get<std::string>(),
                                                            body["loginName"].get<std::string>(),
                                                            body["appPassword"].get<std::string>()});
}

} // namespace nubo::sync
