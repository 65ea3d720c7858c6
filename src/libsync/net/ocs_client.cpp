#include "ocs_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include "network_proxy.h"

namespace nubo::sync {

namespace {

QUrl withPath(QUrl base, const QString& suffix)
{
    QString path = base.path();
    while (path.endsWith('/'))
        path.chop(1);
    base.setPath(path + suffix);
    return base;
}

Result<QJsonObject> parseObject(const QByteArray& json, const std::string& what)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return fail(
            SyncErrorCode::Protocol,
            what + " is not a JSON object" +
                (error.error != QJsonParseError::NoError ? ": " + error.errorString().toStdString() : std::string()));
    }
    return document.object();
}

// A JSON value that servers send sometimes as a boolean, sometimes as "1"/"true" or a number.
bool truthy(const QJsonValue& value)
{
    if (value.isBool()) return value.toBool();
    if (value.isDouble()) return value.toDouble() != 0;
    if (value.isString()) {
        const QString text = value.toString().trimmed().toLower();
        return text == "1" || text == "true" || text == "yes";
    }
    return false;
}

// OCS data: the ocs.data object, after checking ocs.meta.statuscode (100 on v1, 200 on v2).
Result<QJsonObject> ocsData(const QByteArray& json, const std::string& what)
{
    auto root = parseObject(json, what);
    if (!root) return std::unexpected(root.error());
    const QJsonObject ocs = root->value("ocs").toObject();
    if (ocs.isEmpty()) return fail(SyncErrorCode::Protocol, what + " has no \"ocs\" envelope");
    const QJsonObject meta = ocs.value("meta").toObject();
    const int code = meta.value("statuscode").toInt();
    if (code != 100 && code != 200) {
        const std::string message = meta.value("message").toString().toStdString();
        const std::string text =
            what + ": OCS status " + std::to_string(code) + (message.empty() ? std::string() : " (" + message + ")");
        if (code == 997 || code == 401) return fail(SyncErrorCode::Auth, text, 401);
        if (code == 998 || code == 404) return fail(SyncErrorCode::NotFound, text, 404);
        if (code == 403) return fail(SyncErrorCode::Forbidden, text, 403);
        return fail(SyncErrorCode::Protocol, text);
    }
    return ocs.value("data").toObject();
}

} // namespace

OcsClient::OcsClient(std::shared_ptr<const HttpClient> http, QUrl serverUrl)
    : m_http(std::move(http)), m_serverUrl(std::move(serverUrl))
{
}

Result<ServerStatus> OcsClient::parseStatus(const QByteArray& json)
{
    auto root = parseObject(json, "status.php");
    if (!root) return std::unexpected(root.error());
    if (!root->contains("installed") || !root->contains("version")) {
        return fail(SyncErrorCode::Protocol, "status.php has no \"installed\" or \"version\"");
    }
    ServerStatus status;
    status.installed = truthy(root->value("installed"));
    status.maintenance = truthy(root->value("maintenance"));
    status.needsDbUpgrade = truthy(root->value("needsDbUpgrade"));
    status.version = root->value("version").toString().toStdString();
    status.versionString = root->value("versionstring").toString().toStdString();
    status.productName = root->value("productname").toString().toStdString();
    status.edition = root->value("edition").toString().toStdString();
    return status;
}

Result<Capabilities> OcsClient::parseCapabilities(const QByteArray& json)
{
    auto data = ocsData(json, "the capabilities");
    if (!data) return std::unexpected(data.error());
    const QJsonObject all = data->value("capabilities").toObject();
    Capabilities caps;
    const QJsonObject dav = all.value("dav").toObject();
    caps.chunkingVersion = dav.value("chunking").toString().toStdString();
    caps.chunkingV2 = !caps.chunkingVersion.empty() && dav.value("chunking").toString().toDouble() >= 1.0;
    caps.bulkUploadVersion = dav.value("bulkupload").toString().toStdString();
    caps.bulkUpload = !caps.bulkUploadVersion.empty() && dav.value("bulkupload").toString().toDouble() >= 1.0;
    const QJsonObject files = all.value("files").toObject();
    caps.bigFileChunking = truthy(files.value("bigfilechunking"));
    const QJsonObject checksums = all.value("checksums").toObject();
    for (const auto& type : checksums.value("supportedTypes").toArray()) {
        caps.checksumTypes.push_back(type.toString().toUpper().toStdString());
    }
    caps.preferredChecksum = checksums.value("preferredUploadType").toString().toUpper().toStdString();
    const QJsonObject e2ee = all.value("end-to-end-encryption").toObject();
    caps.e2eeEnabled = truthy(e2ee.value("enabled"));
    caps.e2eeApiVersion = e2ee.value("api-version").toVariant().toString().toStdString();
    caps.e2eeKeysExist = truthy(e2ee.value("keys-exist"));
    caps.pollIntervalSeconds = all.value("core").toObject().value("pollinterval").toInt();
    return caps;
}

Result<UserInfo> OcsClient::parseUser(const QByteArray& json)
{
    auto data = ocsData(json, "the user information");
    if (!data) return std::unexpected(data.error());
    UserInfo user;
    user.id = data->value("id").toString().toStdString();
    if (user.id.empty()) return fail(SyncErrorCode::Protocol, "the user information has no \"id\"");
    user.displayName = data->value("display-name").toString().toStdString();
    if (user.displayName.empty()) user.displayName = data->value("displayname").toString().toStdString();
    user.email = data->value("email").toString().toStdString();
    return user;
}

Result<ServerStatus> OcsClient::status() const
{
    HttpRequest request;
    request.url = withPath(m_serverUrl, "/status.php");
    auto response = m_http->send(request);
    if (!response) return std::unexpected(response.error());
    const std::string where = m_serverUrl.toDisplayString().toStdString();
    if (response->status == 503) {
        return fail(SyncErrorCode::Maintenance, where + " is in maintenance mode (status.php answered 503)", 503);
    }
    if (response->status == 401 || response->status == 407) {
        // status.php needs no login: a refusal comes from a proxy in between (some answer 401).
        if (auto proxy =
                proxyFailure(request.url, QNetworkReply::ProxyAuthenticationRequiredError, response->status, {}))
            return std::unexpected(*proxy);
    }
    if (response->status != 200) {
        return fail(SyncErrorCode::Config,
                    where + " does not look like a Nextcloud server (no status.php: " +
                        std::to_string(response->status) + "): check the URL",
                    response->status);
    }
    auto status = parseStatus(response->body);
    if (!status) {
        return fail(SyncErrorCode::Config, where + " does not look like a Nextcloud server (no status.php: " +
                                               status.error().message + "): check the URL");
    }
    return status;
}

Result<QByteArray> OcsClient::ocsGet(const QString& endpoint) const
{
    HttpRequest request;
    request.url = withPath(m_serverUrl, "/ocs/v1.php" + endpoint);
    request.url.setQuery("format=json");
    request.ocs = true;
    request.headers.emplaceBack("Accept", "application/json");
    auto response = m_http->send(request, {200});
    if (!response) return std::unexpected(response.error());
    return response->body;
}

Result<void> OcsClient::revokeAppPassword() const
{
    HttpRequest request;
    request.method = "DELETE";
    request.url = withPath(m_serverUrl, "/ocs/v2.php/core/apppassword");
    request.url.setQuery("format=json");
    request.ocs = true;
    request.headers.emplaceBack("Accept", "application/json");
    auto response = m_http->send(request, {200});
    if (!response) return std::unexpected(response.error());
    return {};
}

Result<Capabilities> OcsClient::capabilities() const
{
    auto body = ocsGet("/cloud/capabilities");
    if (!body) return std::unexpected(body.error());
    return parseCapabilities(*body);
}

Result<UserInfo> OcsClient::user() const
{
    auto body = ocsGet("/cloud/user");
    if (!body) return std::unexpected(body.error());
    return parseUser(*body);
}

} // namespace nubo::sync
