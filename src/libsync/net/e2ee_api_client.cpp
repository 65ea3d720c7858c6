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

Result<HttpResponse> E2eeApiClient::call(const QByteArray& method, const QString& endpoint,
                                         const std::vector<std::pair<QString, QString>>& form,
                                         const HttpHeaders& headers) const
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
    if (method == "GET" || method == "DELETE") {
        request.url.setQuery(QString::fromLatin1("format=json" + (encoded.isEmpty() ? QByteArray() : "&" + encoded)),
                             QUrl::StrictMode);
    } else {
        request.url.setQuery(QStringLiteral("format=json"));
        request.body = encoded;
        request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
    }
    request.ocs = true;
    request.headers.emplaceBack("Accept", "application/json");
    request.headers.append(headers);
    auto response = m_http->send(request);
    if (!response)
        return std::unexpected(response.error());
    if (!response->ok())
        return std::unexpected(HttpClient::statusError(request, *response));
    return std::move(*response);
}

Result<std::map<std::string, std::string>> E2eeApiClient::certificates(const std::vector<std::string>& users) const
{
    QJsonArray list;
    for (const std::string& user : users)
        list.append(QString::fromStdString(user));
    std::map<std::string, std::string> out;
    auto reply = call("GET", "public-key",
                      {{"users", QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact))}});
    if (!reply) {
        if (reply.error().code == SyncErrorCode::NotFound)
            return out; // no certificate for one of them
        return std::unexpected(reply.error());
    }
    auto data = ocsDataOf(reply->body, "GET public-key");
    if (!data)
        return std::unexpected(data.error());
    const QJsonObject keys = data->toObject().value("public-keys").toObject();
    for (auto it = keys.begin(); it != keys.end(); ++it)
        out[it.key().toStdString()] = text(it.value());
    return out;
}

Result<std::string> E2eeApiClient::signCsr(const std::string& csrPem) const
{
    auto reply = call("POST", "public-key", {{"csr", QString::fromStdString(csrPem)}});
    if (!reply)
        return std::unexpected(reply.error());
    auto data = ocsDataOf(reply->body, "POST public-key");
    if (!data)
        return std::unexpected(data.error());
    std::string certificate = text(data->toObject().value("public-key"));
    if (certificate.empty())
        return fail(SyncErrorCode::Protocol, "the server signed the key request but sent no certificate back");
    return certificate;
}

Result<std::optional<std::string>> E2eeApiClient::privateKeyEnvelope() const
{
    auto reply = call("GET", "private-key");
    if (!reply) {
        if (reply.error().code == SyncErrorCode::NotFound)
            return std::optional<std::string>();
        return std::unexpected(reply.error());
    }
    auto data = ocsDataOf(reply->body, "GET private-key");
    if (!data)
        return std::unexpected(data.error());
    std::string envelope = text(data->toObject().value("private-key"));
    if (envelope.empty())
        return fail(SyncErrorCode::Protocol, "the server's stored private key is empty");
    return std::optional<std::string>(std::move(envelope));
}

Result<void> E2eeApiClient::storePrivateKeyEnvelope(const std::string& envelope) const
{
    auto reply = call("POST", "private-key", {{"privateKey", QString::fromStdString(envelope)}});
    if (!reply)
        return std::unexpected(reply.error());
    return {};
}

Result<std::string> E2eeApiClient::serverKey() const
{
    auto reply = call("GET", "server-key");
    if (!reply)
        return std::unexpected(reply.error());
    auto data = ocsDataOf(reply->body, "GET server-key");
    if (!data)
        return std::unexpected(data.error());
    std::string key = text(data->toObject().value("public-key"));
    if (key.empty())
        return fail(SyncErrorCode::Protocol, "the server sent no server key");
    return key;
}

Result<void> E2eeApiClient::setEncrypted(const std::string& fileId) const
{
    auto reply = call("PUT", "encrypted/" + QString::fromStdString(fileId));
    if (!reply)
        return std::unexpected(reply.error());
    return {};
}

Result<void> E2eeApiClient::clearEncrypted(const std::string& fileId) const
{
    auto reply = call("DELETE", "encrypted/" + QString::fromStdString(fileId));
    if (!reply)
        return std::unexpected(reply.error());
    return {};
}

Result<std::string> E2eeApiClient::lock(const std::string& fileId, std::uint64_t counter,
                                        const std::optional<std::string>& retake) const
{
    HttpHeaders headers{{"X-NC-E2EE-COUNTER", QByteArray::number(static_cast<qulonglong>(counter))}};
    if (retake)
        headers.append({"e2e-token", QByteArray::fromStdString(*retake)});
    auto reply = call("POST", "lock/" + QString::fromStdString(fileId), {}, headers);
    if (!reply) {
        SyncError error = reply.error();
        // Real servers differ by version: 403 "already locked" is 423, 400 on a counter is 412.
        if (error.httpStatus == 403)
            error.code = SyncErrorCode::Locked;
        if (error.httpStatus == 400)
            error.code = SyncErrorCode::PreconditionFailed;
        return std::unexpected(std::move(error));
    }
    auto data = ocsDataOf(reply->body, "POST lock");
    if (!data)
        return std::unexpected(data.error());
    std::string token = text(data->toObject().value("e2e-token"));
    if (token.empty())
        return fail(SyncErrorCode::Protocol, "the server locked the folder but sent no token");
    return token;
}

Result<void> E2eeApiClient::unlock(const std::string& fileId, const std::string& token, bool abort) const
{
    QString endpoint = "lock/" + QString::fromStdString(fileId);
    HttpHeaders headers{{"e2e-token", QByteArray::fromStdString(token)}};
    auto reply = abort ? call("DELETE", endpoint, {{"abort", "true"}}, headers) : call("DELETE", endpoint, {}, headers);
    if (!reply)
        return std::unexpected(reply.error());
    return {};
}

Result<std::optional<E2eeApiClient::StoredMetadata>> E2eeApiClient::metadata(const std::string& fileId) const
{
    auto reply = call("GET", "meta-data/" + QString::fromStdString(fileId));
    if (!reply) {
        if (reply.error().code == SyncErrorCode::NotFound)
            return std::optional<StoredMetadata>();
        return std::unexpected(reply.error());
    }
    auto data = ocsDataOf(reply->body, "GET meta-data");
    if (!data)
        return std::unexpected(data.error());
    StoredMetadata stored{text(data->toObject().value("meta-data")),
                          reply->header("X-NC-E2EE-SIGNATURE").toStdString()};
    if (stored.document.empty())
        return fail(SyncErrorCode::Protocol, "the server sent empty metadata for folder " + fileId);
    return std::optional<StoredMetadata>(std::move(stored));
}

Result<void> E2eeApiClient::storeMetadata(const std::string& fileId, const StoredMetadata& metadata,
                                          const std::string& token, bool create) const
{
    HttpHeaders headers{{"e2e-token", QByteArray::fromStdString(token)}};
    if (!metadata.signature.empty())
        headers.append({"X-NC-E2EE-SIGNATURE", QByteArray::fromStdString(metadata.signature)});
    auto reply = call(create ? "POST" : "PUT", "meta-data/" + QString::fromStdString(fileId),
                      {{"metaData", QString::fromStdString(metadata.document)}}, headers);
    if (!reply)
        return std::unexpected(reply.error());
    return {};
}

} // namespace nubo::sync
