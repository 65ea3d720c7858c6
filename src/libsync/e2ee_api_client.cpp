#include "e2ee_api_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace nubo::sync {

namespace {

Result<QJsonValue> ocsDataOf(const QByteArray& body, const std::string& what)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return fail(SyncErrorCode::Protocol, "the server's answer to " + what + " is not OCS JSON");
    return document.object().value("ocs").toObject().value("data");
}

std::string text(const QJsonValue& value) { return value.toString().toStdString(); }

} // namespace

Result<E2eeApiClient> E2eeApiClient::forAccount(const Account& account)
{
    const Capabilities& capabilities = account.capabilities();
    if (!capabilities.e2eeEnabled)
        return fail(SyncErrorCode::Config, "end-to-end encryption is not enabled on this server");
    // api-version "2.0" and "2.1" are served under .../api/v2; older servers only under v1.
    const std::string version = capabilities.e2eeApiVersion.empty() ? "1.0" : capabilities.e2eeApiVersion;
    const bool v2 = !version.empty() && version[0] >= '2';
    QUrl base = account.serverUrl();
    QString path = base.path();
    while (path.endsWith('/'))
        path.chop(1);
    base.setPath(path + (v2 ? "/ocs/v2.php/apps/end_to_end_encryption/api/v2"
                            : "/ocs/v2.php/apps/end_to_end_encryption/api/v1"));
    return E2eeApiClient(account.http(), base, version);
}

E2eeApiClient::E2eeApiClient(std::shared_ptr<const HttpClient> http, QUrl base, std::string apiVersion)
    : m_http(std::move(http)), m_base(std::move(base)), m_apiVersion(std::move(apiVersion))
{
}

Result<QByteArray> E2eeApiClient::call(const QByteArray& method, const QString& endpoint,
                                       const std::vector<std::pair<QString, QString>>& form) const
{
    HttpRequest request;
    request.method = method;
    request.url = m_base;
    request.url.setPath(m_base.path() + '/' + endpoint);
    // application/x-www-form-urlencoded by hand: every value percent-encoded, so '+', '&', '='
    // and the newlines of a PEM arrive as they are.
    QByteArray encoded;
    for (const auto& [name, value] : form)
        encoded += (encoded.isEmpty() ? "" : "&") + name.toUtf8() + '=' + QUrl::toPercentEncoding(value);
    if (method == "GET") {
        request.url.setQuery(QString::fromLatin1("format=json" + (encoded.isEmpty() ? QByteArray() : "&" + encoded)),
                             QUrl::StrictMode);
    } else {
        request.url.setQuery(QStringLiteral("format=json"));
        request.body = encoded;
        request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
    }
    request.ocs = true;
    request.headers.emplaceBack("Accept", "application/json");
    auto response = m_http->send(request);
    if (!response)
        return std::unexpected(response.error());
    if (!response->ok())
        return std::unexpected(HttpClient::statusError(request, *response));
    return response->body;
}

Result<std::map<std::string, std::string>> E2eeApiClient::certificates(const std::vector<std::string>& users) const
{
    QJsonArray list;
    for (const std::string& user : users)
        list.append(QString::fromStdString(user));
    std::map<std::string, std::string> out;
    auto body = call("GET", "public-key",
                     {{"users", QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact))}});
    if (!body) {
        if (body.error().code == SyncErrorCode::NotFound)
            return out; // no certificate for one of them
        return std::unexpected(body.error());
    }
    auto data = ocsDataOf(*body, "GET public-key");
    if (!data)
        return std::unexpected(data.error());
    const QJsonObject keys = data->toObject().value("public-keys").toObject();
    for (auto it = keys.begin(); it != keys.end(); ++it)
        out[it.key().toStdString()] = text(it.value());
    return out;
}

Result<std::string> E2eeApiClient::signCsr(const std::string& csrPem) const
{
    auto body = call("POST", "public-key", {{"csr", QString::fromStdString(csrPem)}});
    if (!body)
        return std::unexpected(body.error());
    auto data = ocsDataOf(*body, "POST public-key");
    if (!data)
        return std::unexpected(data.error());
    std::string certificate = text(data->toObject().value("public-key"));
    if (certificate.empty())
        return fail(SyncErrorCode::Protocol, "the server signed the key request but sent no certificate back");
    return certificate;
}

Result<std::optional<std::string>> E2eeApiClient::privateKeyEnvelope() const
{
    auto body = call("GET", "private-key");
    if (!body) {
        if (body.error().code == SyncErrorCode::NotFound)
            return std::optional<std::string>();
        return std::unexpected(body.error());
    }
    auto data = ocsDataOf(*body, "GET private-key");
    if (!data)
        return std::unexpected(data.error());
    std::string envelope = text(data->toObject().value("private-key"));
    if (envelope.empty())
        return fail(SyncErrorCode::Protocol, "the server's stored private key is empty");
    return std::optional<std::string>(std::move(envelope));
}

Result<void> E2eeApiClient::storePrivateKeyEnvelope(const std::string& envelope) const
{
    auto body = call("POST", "private-key", {{"privateKey", QString::fromStdString(envelope)}});
    if (!body)
        return std::unexpected(body.error());
    return {};
}

Result<std::string> E2eeApiClient::serverKey() const
{
    auto body = call("GET", "server-key");
    if (!body)
        return std::unexpected(body.error());
    auto data = ocsDataOf(*body, "GET server-key");
    if (!data)
        return std::unexpected(data.error());
    std::string key = text(data->toObject().value("public-key"));
    if (key.empty())
        return fail(SyncErrorCode::Protocol, "the server sent no server key");
    return key;
}

Result<void> E2eeApiClient::setEncrypted(const std::string& fileId) const
{
    auto body = call("PUT", "encrypted/" + QString::fromStdString(fileId));
    if (!body)
        return std::unexpected(body.error());
    return {};
}

} // namespace nubo::sync
