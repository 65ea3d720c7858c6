#include "http_client.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QCryptographicHash>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QXmlStreamReader>
#include <cctype>
#include <memory>
#include <mutex>

#include <openssl/crypto.h>

#include "bandwidth_limiter.h"
#include "http_internal.h"
#include "network_proxy.h"

#ifndef NUBO_VERSION
#define NUBO_VERSION "0.1.0"
#endif

namespace nubo::sync {

namespace {

using http_internal::describeRequest;
using http_internal::hostOf;
using http_internal::kMaxCollected;

constexpr qint64 kReadBufferSize = 1024 * 1024;

// One QNetworkAccessManager per thread: a QObject lives in the thread that created it, and the
// propagation workers run requests in parallel.
struct ThreadNam {
    std::unique_ptr<QNetworkAccessManager> nam;
    ~ThreadNam() { reset(); }
    void reset()
    {
        if (!nam) return;
        nam.reset();
        // Part of the manager's teardown is deleteLater(); this thread's event loop may never run
        // again, so run those deletions now rather than leak them.
        if (QCoreApplication::instance()) QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
};

thread_local ThreadNam t_nam;

// Upper-case hex of the SHA-256 over the certificate's DER; "" for a null certificate.
std::string sha256Hex(const QSslCertificate& certificate)
{
    if (certificate.isNull()) return {};
    return certificate.digest(QCryptographicHash::Sha256).toHex().toUpper().toStdString();
}

// "ABCD..." -> "AB:CD:..."
std::string withColons(const std::string& hex)
{
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (!out.empty()) out += ':';
        out += hex.substr(i, 2);
    }
    return out;
}

// The main thread's thread_local outlives QCoreApplication; release its manager while Qt is
// still there.
void releaseMainThreadNam()
{
    t_nam.reset();
    http_internal::releaseOwnConnection();
}

QNetworkAccessManager& threadNam()
{
    if (!t_nam.nam) {
        t_nam.nam = std::make_unique<QNetworkAccessManager>();
        t_nam.nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        t_nam.nam->setAutoDeleteReplies(false);
        if (QCoreApplication::instance() && QThread::currentThread() == QCoreApplication::instance()->thread()) {
            static std::once_flag once;
            std::call_once(once, [] { qAddPostRoutine(releaseMainThreadNam); });
        }
    }
    return *t_nam.nam;
}

struct ReplyDeleter {
    void operator()(QNetworkReply* reply) const
    {
        if (!reply) return;
        if (reply->isRunning()) reply->abort();
        delete reply;
    }
};

std::string statusHint(int status)
{
    switch (status) {
    case 400: return "the server could not understand the request";
    case 401: return "the server refused the user name or password";
    case 403: return "the server does not allow this";
    case 404: return "not found on the server";
    case 405: return "the server does not allow this here; it may already exist";
    case 409: return "the parent folder is missing on the server";
    case 412: return "the item changed on the server since it was last seen";
    case 423: return "the item is locked on the server";
    case 503: return "the server is in maintenance mode or temporarily unavailable";
    case 507: return "the server is out of space or your quota is used up";
    default: return status >= 500 ? "the server failed" : "";
    }
}

std::string transportError(const HttpRequest& request, QNetworkReply::NetworkError error, const QString& text,
                           std::int64_t received)
{
    const std::string where = describeRequest(request);
    const std::string host = hostOf(request.url);
    switch (error) {
    case QNetworkReply::ConnectionRefusedError: return http_internal::refusedMessage(request.url);
    case QNetworkReply::HostNotFoundError: return http_internal::hostNotFoundMessage(request.url);
    case QNetworkReply::RemoteHostClosedError: return http_internal::closedMessage(request, received);
    case QNetworkReply::TimeoutError: return "cannot reach " + host + ": the connection timed out";
    default: return where + ": " + text.toStdString();
    }
}

} // namespace

namespace http_internal {

std::string hostOf(const QUrl& url)
{
    std::string host = url.host().toStdString();
    if (url.port() > 0) host += ":" + std::to_string(url.port());
    return host;
}

std::string describeRequest(const HttpRequest& request)
{
    return request.method.toStdString() + " " + request.url.path().toStdString();
}

std::string refusedMessage(const QUrl& url)
{
    return "cannot reach " + hostOf(url) + ": the connection was refused (is the server running, and the port right?)";
}

std::string hostNotFoundMessage(const QUrl& url)
{
    return "cannot reach " + hostOf(url) + ": host not found (check the URL)";
}

std::string closedMessage(const HttpRequest& request, std::int64_t received)
{
    return describeRequest(request) + ": the server closed the connection" +
           (received > 0 ? " after " + std::to_string(received) + " bytes of the reply" : std::string());
}

HttpHeaders requestHeaders(const HttpRequest& request, const HttpClientOptions& options,
                           const QByteArray& authorization, const QByteArray& requestId)
{
    HttpHeaders headers{{"User-Agent", options.userAgent},
                        {"X-Request-ID", requestId},
                        // Real servers refuse the E2EE API and writes into encrypted folders to
                        // clients without it.
                        {"X-E2EE-SUPPORTED", "true"},
                        {"Authorization", authorization}};
    if (request.ocs) headers.emplaceBack("OCS-APIREQUEST", "true");
    for (const auto& [name, value] : request.headers) {
        headers.removeIf([&](const auto& common) { return common.first.compare(name, Qt::CaseInsensitive) == 0; });
        headers.emplaceBack(name, value);
    }
    return headers;
}

TlsVerdict judgeCertificate(const HttpClientOptions& options, const QSslCertificate& presented)
{
    if (options.trustCertificates) return {.accept = true, .pinMismatch = std::nullopt};
    if (options.pinnedCertificate.empty()) return {};
    const std::string seen = sha256Hex(presented);
    if (!seen.empty() && seen == normaliseFingerprint(options.pinnedCertificate))
        return {.accept = true, .pinMismatch = std::nullopt};
    return {.accept = false, .pinMismatch = withColons(seen)};
}

SyncError pinMismatchError(const HttpRequest& request, const HttpClientOptions& options, const std::string& seen)
{
    return SyncError{SyncErrorCode::UntrustedKey,
                     "the certificate of " + hostOf(request.url) + " is not the one you accepted: it changed from SHA-256 " +
                         withColons(normaliseFingerprint(options.pinnedCertificate)) + " to " + seen +
                         ". If its administrator replaced the certificate, accept the new one; otherwise someone "
                         "may be intercepting the connection, and nothing is sent until this is settled",
                     0};
}

std::optional<std::string> unsendable(const HttpRequest& request, const HttpHeaders& headers)
{
    const auto breaksALine = [](const QByteArray& text) {
        return text.contains('\r') || text.contains('\n') || text.contains('\0');
    };
    if (request.method.isEmpty() || breaksALine(request.method) || request.method.contains(' '))
        return "the method is not a word";
    for (const auto& [name, value] : headers) {
        if (name.isEmpty() || breaksALine(name) || name.contains(':') || name.contains(' '))
            return "a header name holds a space, a colon or a line break";
        if (breaksALine(value)) return "the header " + name.toStdString() + " holds a line break";
    }
    return std::nullopt;
}

SyncError untrustedError(const HttpRequest& request, const QString& reason)
{
    return SyncError{SyncErrorCode::Tls,
                     "the certificate of " + hostOf(request.url) + " is not trusted: " + reason.toStdString(), 0};
}

SyncError timeoutError(const HttpRequest& request, std::chrono::milliseconds idle)
{
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(idle).count();
    const std::string proxy = describeProxyFor(request.url);
    return SyncError{SyncErrorCode::Network,
                     describeRequest(request) + " on " + hostOf(request.url) +
                         (proxy.empty() ? "" : " through " + proxy) + ": no answer from the server for " +
                         std::to_string(seconds) + " s",
                     0};
}

} // namespace http_internal

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) return value;
    }
    return {};
}

HttpClient::HttpClient(HttpClientOptions options) : m_options(std::move(options))
{
    if (m_options.userAgent.isEmpty()) m_options.userAgent = defaultUserAgent();
    QByteArray credentials = QByteArray::fromStdString(m_options.user + ":" + m_options.password);
    m_authorization = "Basic " + credentials.toBase64();
    OPENSSL_cleanse(credentials.data(), static_cast<std::size_t>(credentials.size()));
}

HttpClient::~HttpClient()
{
    OPENSSL_cleanse(m_options.password.data(), m_options.password.size());
    OPENSSL_cleanse(m_authorization.data(), static_cast<std::size_t>(m_authorization.size()));
}

std::string normaliseFingerprint(const std::string& text)
{
    std::string hex;
    for (const char c : text) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
        hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return hex.size() == 64 ? hex : std::string();
}

Result<PeerCertificate> HttpClient::peerCertificate(const QUrl& url, std::chrono::milliseconds timeout)
{
    if (url.scheme() != u"https")
        return fail(SyncErrorCode::Config, url.toDisplayString().toStdString() + " is not an https:// address");
    // A manager of its own: a connection whose errors were ignored here must never be reused by
    // a request that did not accept this certificate.
    QNetworkAccessManager nam;
    QNetworkRequest q(url);
    q.setRawHeader("User-Agent", defaultUserAgent());
    std::unique_ptr<QNetworkReply, ReplyDeleter> reply(nam.head(q));
    QNetworkReply* r = reply.get();
    QEventLoop loop;
    PeerCertificate result;
    bool seen = false;
    const auto take = [&](const QList<QSslError>& errors) {
        const QSslCertificate certificate = r->sslConfiguration().peerCertificate();
        if (certificate.isNull()) return;
        seen = true;
        result.sha256 = withColons(sha256Hex(certificate));
        const auto first = [](const QStringList& values) { return values.isEmpty() ? QString() : values.first(); };
        QString subject = first(certificate.subjectInfo(QSslCertificate::CommonName));
        if (subject.isEmpty()) subject = certificate.subjectDisplayName();
        QString issuer = first(certificate.issuerInfo(QSslCertificate::CommonName));
        if (issuer.isEmpty()) issuer = certificate.issuerDisplayName();
        result.subject = subject.toStdString();
        result.issuer = issuer.toStdString();
        result.notBefore = certificate.effectiveDate().toUTC().toString(Qt::ISODate).toStdString();
        result.notAfter = certificate.expiryDate().toUTC().toString(Qt::ISODate).toStdString();
        result.errors.clear();
        for (const auto& error : errors)
            result.errors.push_back(error.errorString().toStdString());
        r->abort();
    };
    QObject::connect(r, &QNetworkReply::sslErrors, &loop, [&](const QList<QSslError>& errors) { take(errors); });
    QObject::connect(r, &QNetworkReply::encrypted, &loop, [&] { take({}); });
    QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeout, &loop, [&] { r->abort(); });
    if (!r->isFinished()) loop.exec();
    if (seen) return result;
    const QString why = r->errorString();
    if (r->error() == QNetworkReply::SslHandshakeFailedError)
        return fail(SyncErrorCode::Tls, "the TLS handshake with " + hostOf(url) + " failed: " + why.toStdString());
    return fail(SyncErrorCode::Network, "cannot reach " + hostOf(url) + ": " + why.toStdString());
}

void HttpClient::releaseThreadResources()
{
    t_nam.reset();
    http_internal::releaseOwnConnection();
}

QByteArray HttpClient::defaultUserAgent()
{
    return QByteArray("Mozilla/5.0 (Linux) Nubo/") + NUBO_VERSION + " (Nubo desktop client)";
}

SyncErrorCode HttpClient::codeForStatus(int status)
{
    switch (status) {
    case 401: return SyncErrorCode::Auth;
    case 403: return SyncErrorCode::Forbidden;
    case 404: return SyncErrorCode::NotFound;
    case 405:
    case 409: return SyncErrorCode::Conflict;
    case 412: return SyncErrorCode::PreconditionFailed;
    case 423: return SyncErrorCode::Locked;
    case 503: return SyncErrorCode::Maintenance;
    case 507: return SyncErrorCode::InsufficientStorage;
    default: return status >= 500 ? SyncErrorCode::ServerError : SyncErrorCode::Protocol;
    }
}

std::string HttpClient::serverMessage(const HttpResponse& response)
{
    const QByteArray type = response.header("Content-Type").toLower();
    const QByteArray body = response.body.trimmed();
    if (body.isEmpty()) return {};
    if (body.startsWith('<') && !type.contains("html")) {
        QXmlStreamReader xml(body);
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == u"message" && xml.namespaceUri() == u"http://sabredav.org/ns") {
                return xml.readElementText().trimmed().toStdString();
            }
        }
        return {};
    }
    if (body.startsWith('{')) {
        const QJsonObject object = QJsonDocument::fromJson(body).object();
        const QString ocs = object.value("ocs").toObject().value("meta").toObject().value("message").toString();
        if (!ocs.isEmpty()) return ocs.toStdString();
        return object.value("message").toString().toStdString();
    }
    if (type.startsWith("text/plain") && body.size() <= 300) return QString::fromUtf8(body).toStdString();
    return {};
}

SyncError HttpClient::statusError(const HttpRequest& request, const HttpResponse& response)
{
    std::string message = describeRequest(request) + ": " + std::to_string(response.status);
    if (!response.reason.isEmpty()) message += " " + response.reason.toStdString();
    if (const std::string hint = statusHint(response.status); !hint.empty()) message += " (" + hint + ")";
    if (const std::string said = serverMessage(response); !said.empty()) message += ": the server says: " + said;
    return SyncError{codeForStatus(response.status), std::move(message), response.status};
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request, std::initializer_list<int> expected) const
{
    auto response = send(request);
    if (!response) return response;
    for (const int status : expected) {
        if (status == response->status) return response;
    }
    return std::unexpected(statusError(request, *response));
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) const
{
    if (request.cancel && request.cancel->load()) {
        return fail(SyncErrorCode::Cancelled, describeRequest(request) + ": cancelled");
    }
    HttpResponse response;
    response.requestId = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);

    QNetworkRequest q(request.url);
    q.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
    q.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    q.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    q.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // The manager is shared by every account used on this thread: cookies must not leak between them.
    q.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    q.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    const HttpHeaders headers = http_internal::requestHeaders(request, m_options, m_authorization, response.requestId);
    if (const auto why = http_internal::unsendable(request, headers))
        return fail(SyncErrorCode::Protocol, describeRequest(request) + ": " + *why + "; nothing was sent");
    // Large streamed bodies go on a connection of this thread's own, written in large blocks:
    // QNetworkAccessManager pulls a body from this thread in 16 KiB pieces, with a wake-up of each
    // thread for every piece, which cost more CPU than the rest of a large upload.
    if (http_internal::fitsOwnConnection(request))
        return http_internal::sendOnOwnConnection(request, headers, std::move(response), m_options);
    for (const auto& [name, value] : headers)
        q.setRawHeader(name, value);
    if (request.bodyDevice) q.setHeader(QNetworkRequest::ContentLengthHeader, request.bodyDevice->size());

    QNetworkAccessManager& nam = threadNam();
    std::unique_ptr<QNetworkReply, ReplyDeleter> reply;
    if (request.bodyDevice) {
        reply.reset(nam.sendCustomRequest(q, request.method, request.bodyDevice));
    } else if (!request.body.isEmpty()) {
        reply.reset(nam.sendCustomRequest(q, request.method, request.body));
    } else if (request.method == "GET") {
        reply.reset(nam.get(q));
    } else {
        reply.reset(nam.sendCustomRequest(q, request.method));
    }
    // Bounds memory: QNAM stops reading the socket when this much is unread, which is also what
    // lets a paused (rate-limited) download push back on the server.
    reply->setReadBufferSize(kReadBufferSize);

    QEventLoop loop;
    QTimer idle;
    idle.setSingleShot(true);
    idle.setInterval(request.timeout.value_or(m_options.timeout));
    QTimer cancelPoll;
    cancelPoll.setInterval(100);

    bool finished = false;
    bool paused = false;
    bool timedOut = false;
    bool cancelled = false;
    std::optional<SyncError> sinkError;
    QStringList tlsErrors;
    std::optional<std::string> pinMismatch; // the fingerprint seen instead of the pinned one
    int status = 0;
    QNetworkReply* r = reply.get();

    const auto statusNow = [&] {
        if (status == 0) status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        return status;
    };
    const auto maybeQuit = [&] {
        if (finished && (paused == false) && r->bytesAvailable() == 0) loop.quit();
    };
    std::function<void()> drain = [&] {
        if (paused || sinkError) return;
        const int code = statusNow();
        const bool toSink = request.sink && code >= 200 && code < 300;
        BandwidthLimiter* limiter = toSink ? request.downloadLimiter : nullptr;
        while (r->bytesAvailable() > 0) {
            qint64 block = kReadBufferSize;
            if (limiter && !limiter->unlimited()) {
                if (const auto wait = limiter->waitTime(); wait.count() > 0) {
                    paused = true;
                    idle.stop();
                    QTimer::singleShot(wait, r, [&] {
                        paused = false;
                        idle.start();
                        drain();
                    });
                    return;
                }
                block = limiter->blockSize(kReadBufferSize);
            }
            const QByteArray chunk = r->read(block);
            if (chunk.isEmpty()) break;
            response.bodyBytes += chunk.size();
            if (toSink) {
                if (limiter) limiter->consume(chunk.size());
                if (auto written = request.sink(chunk.constData(), chunk.size()); !written) {
                    sinkError = written.error();
                    r->abort();
                    return;
                }
                if (request.downloadProgress) request.downloadProgress(response.bodyBytes);
            } else if (response.body.size() < kMaxCollected) {
                response.body += chunk;
            }
        }
        maybeQuit();
    };

    QObject::connect(r, &QNetworkReply::metaDataChanged, &loop, [&] {
        idle.start();
        statusNow();
    });
    QObject::connect(r, &QNetworkReply::readyRead, &loop, [&] {
        idle.start();
        drain();
    });
    QObject::connect(r, &QNetworkReply::uploadProgress, &loop, [&](qint64 sent, qint64) {
        idle.start();
        if (request.uploadProgress) request.uploadProgress(sent);
    });
    QObject::connect(r, &QNetworkReply::downloadProgress, &loop, [&](qint64, qint64) { idle.start(); });
    QObject::connect(r, &QNetworkReply::sslErrors, &loop, [&](const QList<QSslError>& errors) {
        auto verdict = http_internal::judgeCertificate(m_options, r->sslConfiguration().peerCertificate());
        if (verdict.accept) {
            r->ignoreSslErrors();
            return;
        }
        if (verdict.pinMismatch) pinMismatch = std::move(verdict.pinMismatch);
        for (const auto& error : errors)
            tlsErrors << error.errorString();
    });
    QObject::connect(r, &QNetworkReply::finished, &loop, [&] {
        finished = true;
        drain();
        maybeQuit();
    });
    QObject::connect(&idle, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        r->abort();
    });
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (request.cancel && request.cancel->load()) {
            cancelled = true;
            r->abort();
        }
    });
    idle.start();
    if (request.cancel) cancelPoll.start();
    if (r->isFinished()) {
        finished = true;
        drain();
    }
    // abort() from a handler finishes the reply synchronously: the loop must not wait then.
    if (!(finished && r->bytesAvailable() == 0 && !paused)) loop.exec();
    idle.stop();
    cancelPoll.stop();

    if (sinkError) return std::unexpected(*sinkError);
    if (cancelled) return fail(SyncErrorCode::Cancelled, describeRequest(request) + ": cancelled");
    if (timedOut) return std::unexpected(http_internal::timeoutError(request, idle.intervalAsDuration()));

    const QNetworkReply::NetworkError error = r->error();
    if (pinMismatch) return std::unexpected(http_internal::pinMismatchError(request, m_options, *pinMismatch));
    if (error == QNetworkReply::SslHandshakeFailedError || !tlsErrors.isEmpty())
        return std::unexpected(http_internal::untrustedError(request, tlsErrors.isEmpty() ? r->errorString()
                                                                                         : tlsErrors.join("; ")));
    response.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // A proxy that cannot be reached or wants credentials (407) is named, with the setting to check,
    // instead of the server being blamed.
    if (auto proxy = proxyFailure(request.url, error, response.status, r->errorString()))
        return std::unexpected(*proxy);
    // Errors below 100 are transport failures (refused, reset, cut mid-body); the others only
    // restate the HTTP status, which the caller interprets.
    const bool transport = error != QNetworkReply::NoError && static_cast<int>(error) < 100;
    if (response.status == 0 || transport) {
        return fail(SyncErrorCode::Network, transportError(request, error, r->errorString(), response.bodyBytes));
    }
    response.reason = r->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    for (const auto& pair : r->rawHeaderPairs())
        response.headers.emplaceBack(pair.first, pair.second);
    if (const QByteArray length = response.header("Content-Length"); !length.isEmpty() && request.method != "HEAD") {
        bool ok = false;
        const qint64 expectedLength = length.toLongLong(&ok);
        if (ok && response.bodyBytes < expectedLength) {
            return fail(SyncErrorCode::Network, describeRequest(request) + ": the connection was cut after " +
                                                    std::to_string(response.bodyBytes) + " of " +
                                                    std::to_string(expectedLength) + " bytes");
        }
    }
    return response;
}

} // namespace nubo::sync
