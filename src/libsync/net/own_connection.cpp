// A request with a large streamed body (a chunk, a big file) on a connection of the sending
// thread's own: the body is read in 1 MiB blocks and written as such, where QNetworkAccessManager
// forwards it from this thread to its own in 16 KiB pieces with two thread wake-ups each. The reply
// is parsed by Boost.Beast. Requests, replies and errors are those of the QNetworkAccessManager path
// (http_client.cpp); a proxy on the way sends the request there instead.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http_internal.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QIODevice>
#include <QNetworkProxy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "network_proxy.h"

namespace nubo::sync::http_internal {

namespace {

namespace http = boost::beast::http;

constexpr qint64 kOwnConnectionMinBody = 1024 * 1024;
constexpr qint64 kBlock = 256 * 1024;         // read from the body and handed to the socket at once
constexpr qint64 kMaxQueued = 512 * 1024;     // handed to the socket but not yet sent
constexpr std::uint32_t kMaxReplyHeader = 64 * 1024;

// The connection kept for the next request of this thread, and what it may be used for: the same
// server, reached with the same certificate rules.
struct KeptConnection {
    QByteArray key;
    std::unique_ptr<QTcpSocket> socket;
};

thread_local KeptConnection t_kept;

QByteArray connectionKey(const QUrl& url, const HttpClientOptions& options)
{
    return url.scheme().toLower().toUtf8() + "://" + url.host().toLower().toUtf8() + ":" +
           QByteArray::number(url.port(url.scheme() == u"https" ? 443 : 80)) + " trust=" +
           (options.trustCertificates ? "all" : "verified") + " pin=" +
           QByteArray::fromStdString(normaliseFingerprint(options.pinnedCertificate));
}

// The kept connection when it is for `key` and still open with nothing unread; else none (and
// a kept one that does not fit is closed).
std::unique_ptr<QTcpSocket> takeKept(const QByteArray& key)
{
    std::unique_ptr<QTcpSocket> socket = std::move(t_kept.socket);
    if (!socket || t_kept.key != key) return nullptr;
    // A server that closed an idle connection has sent its FIN (or a TLS alert) by now: it shows
    // as something to read, or as the connection closing.
    if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0)
        socket->waitForReadyRead(0);
    if (socket->state() != QAbstractSocket::ConnectedState || socket->bytesAvailable() > 0) return nullptr;
    return socket;
}

std::atomic<std::int64_t> g_opened{0};

void keep(const QByteArray& key, std::unique_ptr<QTcpSocket> socket)
{
    t_kept.key = key;
    t_kept.socket = std::move(socket);
    static std::once_flag once;
    // The main thread's thread_local outlives QCoreApplication: close its connection while Qt is there.
    if (QCoreApplication::instance() && QThread::currentThread() == QCoreApplication::instance()->thread())
        std::call_once(once, [] { qAddPostRoutine(releaseOwnConnection); });
}

// The request line and headers (checked by HttpClient::send: nothing in them breaks a line).
QByteArray requestHead(const HttpRequest& request, const HttpHeaders& headers, qint64 bodySize)
{
    QByteArray target = request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (target.isEmpty()) target = "/";
    QByteArray head = request.method + ' ' + target + " HTTP/1.1\r\nHost: " +
                      request.url.adjusted(QUrl::RemoveUserInfo).authority(QUrl::FullyEncoded).toUtf8() +
                      "\r\nContent-Length: " + QByteArray::number(bodySize) + "\r\n";
    for (const auto& [name, value] : headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0 || name.compare("Host", Qt::CaseInsensitive) == 0)
            continue;
        head += name + ": " + value + "\r\n";
    }
    head += "\r\n";
    return head;
}

} // namespace

bool fitsOwnConnection(const HttpRequest& request)
{
    if (!request.bodyDevice || request.sink || request.bodyDevice->size() < kOwnConnectionMinBody) return false;
    const QString scheme = request.url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") return false;
    return describeProxyFor(request.url).empty();
}

std::int64_t ownConnectionsOpened()
{
    return g_opened.load();
}

void releaseOwnConnection()
{
    t_kept.socket.reset();
    t_kept.key.clear();
}

Result<HttpResponse> sendOnOwnConnection(const HttpRequest& request, const HttpHeaders& headers, HttpResponse response,
                                         const HttpClientOptions& options)
{
    QIODevice* body = request.bodyDevice;
    const qint64 bodySize = body->size();
    const QByteArray head = requestHead(request, headers, bodySize);
    const bool tls = request.url.scheme().toLower() == u"https";
    const QByteArray key = connectionKey(request.url, options);

    std::unique_ptr<QTcpSocket> socket = takeKept(key);
    const bool fresh = !socket;
    if (fresh) {
        socket = tls ? std::make_unique<QSslSocket>() : std::make_unique<QTcpSocket>();
        ++g_opened;
        socket->setProxy(QNetworkProxy::NoProxy);
    }

    QEventLoop loop; // every connection below ends with it
    QTimer idle;
    idle.setSingleShot(true);
    const std::chrono::milliseconds idleTime = request.timeout.value_or(options.timeout);
    idle.setInterval(idleTime);
    QTimer cancelPoll;
    cancelPoll.setInterval(100);

    std::optional<http::response_parser<http::string_body>> parser;
    const auto newParser = [&] {
        parser.emplace();
        parser->eager(true);
        parser->header_limit(kMaxReplyHeader);
        parser->body_limit(static_cast<std::uint64_t>(kMaxCollected));
    };
    newParser();

    std::vector<char> block(static_cast<std::size_t>(kBlock));
    qint64 queued = 0;       // of the body, handed to the socket
    qint64 written = 0;      // of head and body, gone into the connection
    std::int64_t received = 0;
    bool bodyDone = false;
    bool replied = false;    // a whole final reply was parsed
    bool timedOut = false, cancelled = false, closed = false;
    std::optional<QAbstractSocket::SocketError> socketError;
    QString socketErrorText;
    std::optional<std::string> bodyError, replyError, pinMismatch;
    QStringList tlsErrors;
    const qint64 headSize = head.size();

    const auto stop = [&] {
        idle.stop();
        cancelPoll.stop();
        loop.quit();
    };
    QByteArray unparsed; // received, but not taken by the parser yet (a header cut in two)
    const auto readReply = [&] {
        while (!replied && !replyError && socket->bytesAvailable() > 0) {
            const QByteArray data = socket->read(kBlock);
            received += data.size();
            unparsed += data;
            while (!unparsed.isEmpty() && !replied) {
                boost::beast::error_code ec;
                const std::size_t used =
                    parser->put(boost::asio::buffer(unparsed.constData(), static_cast<std::size_t>(unparsed.size())), ec);
                unparsed.remove(0, static_cast<qsizetype>(used));
                if (ec == http::error::need_more) break;
                if (ec) {
                    replyError = "the server's reply could not be read: " + ec.message();
                    break;
                }
                if (parser->is_done()) {
                    if (parser->get().result_int() >= 100 && parser->get().result_int() < 200) {
                        newParser(); // an interim reply (100 Continue): the final one follows
                        continue;
                    }
                    replied = true;
                }
            }
        }
        if (replied || replyError) stop();
    };
    const auto pump = [&] {
        while (!bodyDone && !replied && socket->bytesToWrite() < kMaxQueued) {
            if (queued >= bodySize) {
                bodyDone = true;
                break;
            }
            const qint64 got = body->read(block.data(), std::min(kBlock, bodySize - queued));
            if (got < 0) {
                bodyError = body->errorString().toStdString();
                stop();
                return;
            }
            if (got == 0) {
                if (body->atEnd()) {
                    bodyError = "the body ended after " + std::to_string(queued) + " of " + std::to_string(bodySize) +
                                " bytes";
                    stop();
                }
                return; // paced: the body says readyRead when it has more
            }
            socket->write(block.data(), got);
            queued += got;
        }
    };
    const auto start = [&] {
        idle.start();
        // Without it the body's last segment can wait for the server's delayed acknowledgement.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->write(head);
        pump();
    };

    QObject::connect(socket.get(), &QAbstractSocket::bytesWritten, &loop, [&](qint64 bytes) {
        idle.start();
        written += bytes;
        if (request.uploadProgress && written > headSize)
            request.uploadProgress(std::min<qint64>(written - headSize, bodySize));
        pump();
    });
    QObject::connect(body, &QIODevice::readyRead, &loop, [&] { pump(); });
    QObject::connect(socket.get(), &QIODevice::readyRead, &loop, [&] {
        idle.start();
        readReply();
    });
    // What arrived before the connection closed: a reply, or the end of one that ends with it.
    const auto readToTheEnd = [&] {
        readReply();
        if (!replied && !replyError && parser->is_header_done()) {
            boost::beast::error_code ec;
            parser->put_eof(ec);
            if (!ec) replied = true;
        }
    };
    QObject::connect(socket.get(), &QAbstractSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError) {
            closed = true;
            readToTheEnd();
        } else {
            readReply();
        }
        if (!replied && !socketError) {
            socketError = error;
            socketErrorText = socket->errorString();
        }
        stop();
    });
    QObject::connect(socket.get(), &QAbstractSocket::disconnected, &loop, [&] {
        closed = true;
        readToTheEnd();
        stop();
    });
    QObject::connect(&idle, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        stop();
    });
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (request.cancel && request.cancel->load()) {
            cancelled = true;
            stop();
        }
    });

    idle.start();
    if (request.cancel) cancelPoll.start();
    if (!fresh) {
        start();
    } else if (tls) {
        auto* ssl = static_cast<QSslSocket*>(socket.get());
        QObject::connect(ssl, &QSslSocket::sslErrors, &loop, [&, ssl](const QList<QSslError>& errors) {
            auto verdict = judgeCertificate(options, ssl->peerCertificate());
            if (verdict.accept) {
                ssl->ignoreSslErrors();
                return;
            }
            if (verdict.pinMismatch) pinMismatch = std::move(verdict.pinMismatch);
            for (const auto& error : errors)
                tlsErrors << error.errorString();
        });
        QObject::connect(ssl, &QSslSocket::encrypted, &loop, start);
        ssl->connectToHostEncrypted(request.url.host(), static_cast<quint16>(request.url.port(443)));
    } else {
        QObject::connect(socket.get(), &QAbstractSocket::connected, &loop, start);
        socket->connectToHost(request.url.host(), static_cast<quint16>(request.url.port(80)));
    }
    if (!replied && !cancelled && !timedOut && !socketError && !bodyError && !replyError) loop.exec();
    idle.stop();
    cancelPoll.stop();
    QObject::disconnect(body, nullptr, &loop, nullptr);
    QObject::disconnect(socket.get(), nullptr, &loop, nullptr);

    if (replied) {
        // Kept for the next request only when this exchange ended cleanly: the whole body sent,
        // the whole reply read, and the server not closing.
        if (queued >= bodySize && socket->bytesToWrite() == 0 && parser->get().keep_alive() && !closed &&
            unparsed.isEmpty() && socket->state() == QAbstractSocket::ConnectedState &&
            socket->bytesAvailable() == 0) {
            keep(key, std::move(socket));
        } else {
            socket->abort();
        }
        const auto& message = parser->get();
        response.status = message.result_int();
        response.reason = QByteArray(message.reason().data(), static_cast<qsizetype>(message.reason().size()));
        for (const auto& field : message) {
            response.headers.emplaceBack(
                QByteArray(field.name_string().data(), static_cast<qsizetype>(field.name_string().size())),
                QByteArray(field.value().data(), static_cast<qsizetype>(field.value().size())));
        }
        response.body = QByteArray(message.body().data(), static_cast<qsizetype>(message.body().size()));
        response.bodyBytes = response.body.size();
        return response;
    }
    socket->abort();
    if (cancelled) return fail(SyncErrorCode::Cancelled, describeRequest(request) + ": cancelled");
    if (bodyError) return fail(SyncErrorCode::Network, describeRequest(request) + ": " + *bodyError);
    if (pinMismatch) return std::unexpected(pinMismatchError(request, options, *pinMismatch));
    if (!tlsErrors.isEmpty()) return std::unexpected(untrustedError(request, tlsErrors.join("; ")));
    if (timedOut) return std::unexpected(timeoutError(request, idleTime));
    if (replyError) return fail(SyncErrorCode::Network, describeRequest(request) + ": " + *replyError);
    if (socketError) {
        switch (*socketError) {
        case QAbstractSocket::ConnectionRefusedError: return fail(SyncErrorCode::Network, refusedMessage(request.url));
        case QAbstractSocket::HostNotFoundError: return fail(SyncErrorCode::Network, hostNotFoundMessage(request.url));
        case QAbstractSocket::RemoteHostClosedError:
            return fail(SyncErrorCode::Network, closedMessage(request, received));
        case QAbstractSocket::SslHandshakeFailedError: return std::unexpected(untrustedError(request, socketErrorText));
        default: return fail(SyncErrorCode::Network, describeRequest(request) + ": " + socketErrorText.toStdString());
        }
    }
    return fail(SyncErrorCode::Network, closedMessage(request, received));
}

} // namespace nubo::sync::http_internal
