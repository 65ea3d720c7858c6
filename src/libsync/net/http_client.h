// Synchronous HTTP over QNetworkAccessManager, usable from any thread (several propagation
// workers at once): each thread gets its own QNetworkAccessManager and every request runs a local
// QEventLoop until its reply is complete. A QCoreApplication must exist in the process.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QList>
#include <QPair>
#include <QUrl>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "sync_error.h"

namespace nubo::sync {

class BandwidthLimiter;

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpRequest {
    QByteArray method = "GET";
    QUrl url;
    HttpHeaders headers; // added to the ones every request carries (User-Agent, X-Request-ID, ...)
    QByteArray body;     // a small body held in memory
    // A streamed body (overrides `body`): open for reading, positioned at its start; size() bytes
    // are sent as Content-Length. The caller owns it and keeps it alive until send() returns.
    QIODevice* bodyDevice = nullptr;
    bool ocs = false; // adds OCS-APIREQUEST: true
    // The body of a 2xx reply in blocks of at most 1 MiB instead of collecting it; an error stops
    // the transfer and is what send() returns. Error replies are always collected.
    std::function<Result<void>(const char* data, std::int64_t size)> sink;
    BandwidthLimiter* downloadLimiter = nullptr; // paces `sink`; uploads pace their bodyDevice
    std::function<void(std::int64_t bytesSent)> uploadProgress;
    std::function<void(std::int64_t bytesReceived)> downloadProgress;
    const std::atomic<bool>* cancel = nullptr;        // polled while the request runs
    std::optional<std::chrono::milliseconds> timeout; // idle time allowed; the client's when empty
};

struct HttpResponse {
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;            // collected (not with a sink on a 2xx reply); at most 16 MiB
    std::int64_t bodyBytes = 0; // everything received, sunk or collected
    QByteArray requestId;       // the X-Request-ID the request was sent with

    bool ok() const { return status >= 200 && status < 300; }
    // Case-insensitive; empty when absent.
    QByteArray header(QByteArrayView name) const;
};

struct HttpClientOptions {
    std::string user;
    std::string password;
    bool trustCertificates = false;            // ignore TLS errors (self-signed test servers)
    // SHA-256 of the one certificate (DER) to accept although it does not verify, as the user
    // accepted it (hex, colons and case ignored). A certificate that verifies is accepted as
    // well; another one that does not is refused as UntrustedKey ("the certificate changed").
    std::string pinnedCertificate;
    std::chrono::milliseconds timeout{60'000}; // a request that receives nothing for this long fails
    QByteArray userAgent;                      // defaultUserAgent() when empty
};

// What a server presents, for the user to accept or refuse (HttpClient::peerCertificate).
struct PeerCertificate {
    std::string sha256;    // "AB:CD:..." over the DER, as `openssl x509 -fingerprint -sha256` shows it
    std::string subject;   // common name (or the whole subject when there is none)
    std::string issuer;
    std::string notBefore; // ISO 8601, UTC
    std::string notAfter;
    std::vector<std::string> errors; // why it does not verify; empty when it does
};

// "ab cd:EF" -> "ABCDEF"; "" when it is not 32 bytes of hex.
std::string normaliseFingerprint(const std::string& text);

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options);
    ~HttpClient(); // wipes the password

    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Fails only when no complete reply arrived: Network (refused, reset, cut, timed out), Tls,
    // Cancelled, or the sink's error. Any HTTP status is a success at this level.
    Result<HttpResponse> send(const HttpRequest& request) const;
    // send(), and an error (statusError) for any status not in `expected`.
    Result<HttpResponse> send(const HttpRequest& request, std::initializer_list<int> expected) const;

    // The error for a reply with an unexpected status: the code that status means and a message
    // like "PUT /remote.php/dav/files/alice/a.txt: 507 Insufficient Storage (the server is out of
    // space or your quota is used up): the server says: ...".
    static SyncError statusError(const HttpRequest& request, const HttpResponse& response);
    static SyncErrorCode codeForStatus(int status);
    // The error text of a Sabre XML (<s:message>), OCS JSON (ocs.meta.message) or short plain text
    // body; empty when there is none.
    static std::string serverMessage(const HttpResponse& response);
    // "Mozilla/5.0 (Linux) Nubo/<version> (Nubo desktop client)"
    static QByteArray defaultUserAgent();
    // Connects to `url` (https) and returns the certificate it presents, whether or not it verifies,
    // on a connection of its own that is closed afterwards. No request is sent. Network or Tls
    // errors when no certificate arrives.
    static Result<PeerCertificate> peerCertificate(const QUrl& url,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Deletes the calling thread's QNetworkAccessManager (and its connections and TLS state) now
    // rather than when the thread ends; the next request on this thread makes a new one.
    static void releaseThreadResources();

    const HttpClientOptions& options() const { return m_options; }

private:
    HttpClientOptions m_options;
    QByteArray m_authorization;
};

} // namespace nubo::sync
