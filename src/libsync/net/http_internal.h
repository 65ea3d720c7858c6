// What the two ways HttpClient sends a request share: QNetworkAccessManager (http_client.cpp) and
// a connection of the sending thread's own for large streamed bodies (own_connection.cpp). Not
// part of the library's interface.
#pragma once

#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "http_client.h"

namespace nubo::sync::http_internal {

inline constexpr qsizetype kMaxCollected = 16 * 1024 * 1024; // of a reply's body

std::string hostOf(const QUrl& url);
std::string describeRequest(const HttpRequest& request);

// The headers every request carries (User-Agent, X-Request-ID, Authorization, ...), then the
// request's own; one of the request's replaces a common one of the same name.
HttpHeaders requestHeaders(const HttpRequest& request, const HttpClientOptions& options,
                           const QByteArray& authorization, const QByteArray& requestId);

// A certificate that does not verify: accepted (every one when the options trust all, or the
// pinned one), or refused, with the fingerprint seen when one was pinned.
struct TlsVerdict {
    bool accept = false;
    std::optional<std::string> pinMismatch; // "AB:CD:..." of the certificate presented instead
};
TlsVerdict judgeCertificate(const HttpClientOptions& options, const QSslCertificate& presented);

SyncError pinMismatchError(const HttpRequest& request, const HttpClientOptions& options, const std::string& seen);
SyncError untrustedError(const HttpRequest& request, const QString& reason);
SyncError timeoutError(const HttpRequest& request, std::chrono::milliseconds idle);
std::string refusedMessage(const QUrl& url);
std::string hostNotFoundMessage(const QUrl& url);
std::string closedMessage(const HttpRequest& request, std::int64_t received);

// Whether `request` goes on the thread's own connection: a streamed body of at least 1 MiB, no
// sink, http or https, and no proxy on the way (QNetworkAccessManager knows proxies).
bool fitsOwnConnection(const HttpRequest& request);
// Sends `request` with `headers` and its body device on this thread's own connection (kept open
// for the next one when the server allows), with the same results and errors as the other path.
// `response` carries the request id.
Result<HttpResponse> sendOnOwnConnection(const HttpRequest& request, const HttpHeaders& headers,
                                         HttpResponse response, const HttpClientOptions& options);
// Closes the calling thread's own connection, if it has one.
void releaseOwnConnection();
// How many own connections were opened in this process (by every thread), for tests.
std::int64_t ownConnectionsOpened();

// Why `request` cannot be sent as it is: a method, target or header that would break the
// request's framing (a line break in a value, which a hostile server could put in an ETag that
// goes back as If-Match); nullopt when it can.
std::optional<std::string> unsendable(const HttpRequest& request, const HttpHeaders& headers);

} // namespace nubo::sync::http_internal
