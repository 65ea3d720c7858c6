#include "account.h"

#include <openssl/crypto.h>

#include <future>

namespace nubo::sync {

namespace {

// Adds the hint a user needs to the errors of the first request, which decide whether the URL
// is right at all.
SyncError explainProbeError(SyncError error, const std::string& shownUrl)
{
    if (error.code == SyncErrorCode::Tls) {
        error.message += "; pass --trust to accept it";
    } else if (error.code == SyncErrorCode::Network && error.message.rfind("cannot reach", 0) != 0) {
        error.message = "cannot reach " + shownUrl + ": " + error.message;
    }
    return error;
}

// status.php, for a server that can take a login now.
Result<ServerStatus> readyStatus(const OcsClient& ocs, const std::string& shown)
{
    auto status = ocs.status();
    if (!status) return std::unexpected(explainProbeError(status.error(), shown));
    if (!status->installed) {
        return fail(SyncErrorCode::Maintenance, shown + " is not set up yet (status.php says installed: false)");
    }
    if (status->maintenance) {
        return fail(SyncErrorCode::Maintenance, shown + " is in maintenance mode: try again later");
    }
    if (status->needsDbUpgrade) {
        return fail(SyncErrorCode::Maintenance,
                    shown + " needs a database upgrade by its administrator: try again later");
    }
    return status;
}

} // namespace

Result<QUrl> Account::normaliseServerUrl(const std::string& text)
{
    QString input = QString::fromStdString(text).trimmed();
    if (input.isEmpty()) return fail(SyncErrorCode::Config, "no server URL given");
    if (!input.contains("://")) input.prepend("https://");
    QUrl url(input, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        return fail(SyncErrorCode::Config,
                    "'" + text + "' is not a valid server URL: " + url.errorString().toStdString());
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != "http" && scheme != "https") {
        return fail(SyncErrorCode::Config, "'" + text + "' is not an http:// or https:// URL");
    }
    url.setScheme(scheme);
    url.setQuery(QString());
    url.setFragment(QString());
    url.setUserInfo(QString());
    QString path = url.path();
    for (const QString& marker : {QStringLiteral("/index.php"), QStringLiteral("/remote.php"), QStringLiteral("/ocs/"),
                                  QStringLiteral("/status.php")}) {
        if (const qsizetype at = path.indexOf(marker); at >= 0) path.truncate(at);
    }
    while (path.endsWith('/'))
        path.chop(1);
    url.setPath(path);
    return url;
}

Result<ServerProbe> Account::probe(const std::string& serverUrl, bool trustCertificates,
                                   const std::string& pinnedCertificate)
{
    auto url = normaliseServerUrl(serverUrl);
    if (!url) return std::unexpected(url.error());
    HttpClientOptions options;
    options.trustCertificates = trustCertificates;
    options.pinnedCertificate = pinnedCertificate;
    const OcsClient ocs(std::make_shared<HttpClient>(std::move(options)), *url);
    const std::string shown = url->toDisplayString().toStdString();
    auto status = readyStatus(ocs, shown);
    if (!status) return std::unexpected(status.error());
    return ServerProbe{*url, std::move(*status)};
}

Result<std::shared_ptr<Account>> Account::connect(AccountConfig config, const AlongCapabilities& alongCapabilities)
{
    auto url = normaliseServerUrl(config.serverUrl);
    if (!url) return std::unexpected(url.error());
    if (config.user.empty()) return fail(SyncErrorCode::Config, "no user name given");

    std::shared_ptr<Account> account(new Account());
    account->m_serverUrl = *url;
    HttpClientOptions options;
    options.user = config.user;
    options.password = config.password;
    options.trustCertificates = config.trustCertificates;
    options.pinnedCertificate = config.pinnedCertificate;
    options.timeout = config.timeout;
    account->m_http = std::make_shared<HttpClient>(std::move(options));
    OPENSSL_cleanse(config.password.data(), config.password.size());
    config.password.clear();
    config.remoteRoot = [&] {
        std::string root = config.remoteRoot;
        while (!root.empty() && root.front() == '/')
            root.erase(0, 1);
        while (!root.empty() && root.back() == '/')
            root.pop_back();
        return root;
    }();
    account->m_config = std::move(config);
    account->m_ocs = std::make_unique<OcsClient>(account->m_http, account->m_serverUrl);
    account->m_uploadLimiter = account->m_config.uploadLimiter
                                   ? account->m_config.uploadLimiter
                                   : std::make_shared<BandwidthLimiter>(account->m_config.uploadLimitKiB);
    account->m_downloadLimiter = account->m_config.downloadLimiter
                                     ? account->m_config.downloadLimiter
                                     : std::make_shared<BandwidthLimiter>(account->m_config.downloadLimitKiB);

    // status.php and the user's record at once: one round trip, not two. The answers are read in
    // the order a user needs them (a server in maintenance says so before any login error). The
    // password is still tried once: status.php carries none.
    const std::string shown = url->toDisplayString().toStdString();
    auto asked = std::async(std::launch::async, [ocs = account->m_ocs.get()] { return ocs->user(); });
    auto status = readyStatus(*account->m_ocs, shown);
    auto user = asked.get();
    if (!status) return std::unexpected(status.error());
    account->m_status = std::move(*status);

    if (!user) {
        SyncError error = user.error();
        if (error.code == SyncErrorCode::Auth) {
            error.message = "the server refused user '" + account->m_config.user +
                            "' and this password: check them, or create an app password";
        }
        return std::unexpected(explainProbeError(std::move(error), shown));
    }
    account->m_user = std::move(*user);

    // The caller's first requests as the user, and the capabilities, at once (the future's
    // destructor waits for them on every path out of here).
    std::future<void> along;
    if (alongCapabilities)
        along = std::async(std::launch::async, [&alongCapabilities, loggedIn = std::shared_ptr<const Account>(account)] {
            alongCapabilities(loggedIn);
        });
    auto capabilities = account->m_ocs->capabilities();
    if (along.valid()) along.get();
    if (!capabilities) return std::unexpected(explainProbeError(capabilities.error(), shown));
    account->m_capabilities = std::move(*capabilities);
    return account;
}

QUrl Account::davUrl(const char* kind) const
{
    QUrl url = m_serverUrl;
    const QByteArray user = QUrl::toPercentEncoding(QString::fromStdString(m_user.id));
    const QByteArray path = url.path(QUrl::FullyEncoded).toUtf8() + "/remote.php/dav/" + kind + "/" + user;
    url.setPath(QString::fromUtf8(path), QUrl::StrictMode);
    return url;
}

QUrl Account::davFilesUrl() const
{
    return davUrl("files");
}

QUrl Account::davUploadsUrl() const
{
    return davUrl("uploads");
}

} // namespace nubo::sync
