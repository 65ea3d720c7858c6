#include "http_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bulk_upload.h"
#include "server_util.h"
#include "webdav.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/rand.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

namespace nubo::server {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {




bool fillTarget(Request& request)
{
    const std::string_view target = request.target;
    const std::size_t question = target.find('?');
    auto path = percentDecode(target.substr(0, question));
    if (!path || path->empty() || path->front() != '/' || path->find('\0') != std::string::npos) return false;
    request.path = std::move(*path);
    if (question != std::string_view::npos) {
        std::string_view query = target.substr(question + 1);
        while (!query.empty()) {
            const std::size_t amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            const std::size_t eq = pair.find('=');
            request.query[formDecode(pair.substr(0, eq)).value_or(std::string())] =
                eq == std::string_view::npos ? std::string() : formDecode(pair.substr(eq + 1)).value_or(std::string());
            if (amp == std::string_view::npos) break;
            query.remove_prefix(amp + 1);
        }
    }
    return true;
}

std::string httpDateNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buffer;
}

std::string timestamp()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

} // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    Handler handler;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::atomic<bool> stopping{false};

    std::mutex mutex;
    std::condition_variable idle;
    std::condition_variable stopSignal; // wakes injected delays when the server stops
    std::set<int> sockets; // descriptors of open connections, to unblock them on stop()
    std::unique_ptr<asio::ssl::context> tls;
    std::size_t active = 0;

    std::mutex logMutex;
    std::ofstream log;

    // status 0: no reply was sent. `fault`: what was injected, logged as a trailing fault=...
    void logRequest(const Request& request, unsigned status, std::uint64_t bytes,
                    std::chrono::steady_clock::duration duration, std::string_view fault = {})
    {
        if (!log.is_open()) return;
        const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(duration).count() / 1000.0;
        std::lock_guard lock(logMutex);
        log << timestamp() << ' ' << request.methodName << ' ' << request.target << ' ';
        if (status == 0) {
            log << '-';
        } else {
            log << status;
        }
        log << ' ' << bytes << ' ' << ms << "ms " << request.requestId << ' '
            << (request.user.empty() ? "-" : request.user);
        if (!fault.empty()) log << " fault=" << fault;
        log << '\n';
        log.flush();
    }

    template <class Message>
    void fillHead(Message& message, const Request& request, const Response& response, bool keepAlive)
    {
        message.result(response.status);
        message.version(11);
        message.set(http::field::server, "nubo-server");
        message.set(http::field::date, httpDateNow());
        message.set("X-Request-ID", request.requestId);
        for (const auto& [name, value] : response.headers) message.insert(name, value);
        message.keep_alive(keepAlive);
    }

    // Sends a response; returns the number of body bytes written, or nullopt when the
    // connection failed.
    template <class Stream>
    std::optional<std::uint64_t> send(Stream& socket, const Request& request, Response& response, bool keepAlive)
    {
        beast::error_code ec;
        const auto fill = [&](auto& message) { fillHead(message, request, response, keepAlive); };
        const bool head = request.method == http::verb::head;
        if (response.file && !head) {
            FILE* file = std::fopen(response.file->c_str(), "rb");
            if (file == nullptr || std::fseek(file, static_cast<long>(response.fileOffset), SEEK_SET) != 0) {
                if (file != nullptr) std::fclose(file);
                Response failure = textResponse(500, "cannot read the stored content\n");
                return send(socket, request, failure, false);
            }
            http::response<http::buffer_body> message;
            fill(message);
            message.content_length(response.fileLength);
            message.body().data = nullptr;
            message.body().more = true;
            http::response_serializer<http::buffer_body> serializer{message};
            http::write_header(socket, serializer, ec);
            std::vector<char> buffer(256 * 1024);
            std::uint64_t remaining = response.fileLength;
            while (!ec && !serializer.is_done()) {
                const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, buffer.size()));
                const std::size_t got = want > 0 ? std::fread(buffer.data(), 1, want, file) : 0;
                if (want > 0 && got == 0) { // the content shrank under us: cut rather than lie
                    ec = asio::error::broken_pipe;
                    break;
                }
                remaining -= got;
                message.body().data = got > 0 ? buffer.data() : nullptr;
                message.body().size = got;
                message.body().more = remaining > 0;
                http::write(socket, serializer, ec);
                if (ec == http::error::need_buffer) ec = {};
            }
            std::fclose(file);
            if (ec) return std::nullopt;
            return response.fileLength;
        }
        http::response<http::string_body> message;
        fill(message);
        if (response.file) {
            message.content_length(response.fileLength); // HEAD: the length GET would send
            http::response_serializer<http::string_body> serializer{message};
            http::write_header(socket, serializer, ec);
        } else {
            message.body() = std::move(response.body);
            message.prepare_payload();
            if (head) {
                http::response_serializer<http::string_body> serializer{message};
                http::write_header(socket, serializer, ec);
            } else {
                http::write(socket, message, ec);
            }
        }
        if (ec) return std::nullopt;
        return head ? 0 : message.body().size();
    }

    // An injected cut of a reply: the head as it would be (full Content-Length, keep-alive),
    // then only fault.cutPoint(length) bytes of the body; the caller closes the connection.
    // A reply without a body is not sent at all. Returns the body bytes written.
    template <class Stream>
    std::uint64_t sendCut(Stream& socket, const Request& request, const Response& response, const Fault& fault)
    {
        const bool head = request.method == http::verb::head;
        const std::uint64_t length = head ? 0 : response.file ? response.fileLength : response.body.size();
        if (length == 0) return 0;
        const std::uint64_t limit = fault.cutPoint(length);
        FILE* file = nullptr;
        if (response.file) {
            file = std::fopen(response.file->c_str(), "rb");
            if (file == nullptr || std::fseek(file, static_cast<long>(response.fileOffset), SEEK_SET) != 0) {
                if (file != nullptr) std::fclose(file);
                return 0;
            }
        }
        http::response<http::empty_body> message;
        fillHead(message, request, response, true);
        message.content_length(length);
        http::response_serializer<http::empty_body> serializer{message};
        beast::error_code ec;
        http::write_header(socket, serializer, ec);
        std::vector<char> chunk(file != nullptr ? 256 * 1024 : 0);
        std::uint64_t sent = 0;
        while (!ec && sent < limit) {
            const char* data = response.body.data() + sent;
            std::size_t got = static_cast<std::size_t>(limit - sent);
            if (file != nullptr) {
                got = std::fread(chunk.data(), 1, std::min(got, chunk.size()), file);
                if (got == 0) break;
                data = chunk.data();
            }
            sent += asio::write(socket, asio::buffer(data, got), ec);
        }
        if (file != nullptr) std::fclose(file);
        return sent;
    }

    // Reads a body of `length` bytes (what read_header left in `buffer` first) into a new file,
    // a MiB per read and write. Beast's parser reads at most 64 KiB per call and writes each piece
    // on its own: 16 384 of each per GiB, more of the server's time than the upload's own work.
    // Reads exactly `length` bytes, so a next request on the connection stays unread.
    template <class Stream>
    static beast::error_code readBodyToFile(Stream& socket, beast::flat_buffer& buffer, std::uint64_t length,
                                            const std::filesystem::path& path)
    {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) return beast::error_code(errno, boost::system::system_category());
        const auto writeAll = [fd](const char* data, std::size_t size) {
            return server::writeAll(fd, data, size) == size;
        };
        beast::error_code ec;
        std::uint64_t remaining = length;
        const auto buffered = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining));
        if (buffered > 0) {
            if (!writeAll(static_cast<const char*>(buffer.data().data()), buffered))
                ec = beast::error_code(errno, boost::system::system_category());
            buffer.consume(buffered);
            remaining -= buffered;
        }
        std::vector<char> block(static_cast<std::size_t>(std::min<std::uint64_t>(remaining, 1 << 20)));
        while (!ec && remaining > 0) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, block.size()));
            const std::size_t got = asio::read(socket, asio::buffer(block.data(), want), ec);
            if (got > 0 && !writeAll(block.data(), got) && !ec)
                ec = beast::error_code(errno, boost::system::system_category());
            remaining -= got;
        }
        if (::close(fd) != 0 && !ec) ec = beast::error_code(errno, boost::system::system_category());
        return ec;
    }

    // An injected cut of an upload: reads fault.cutPoint(declared length) bytes of the body
    // (for a chunked body, BYTES as given and 0 for a percentage) and returns how many it read;
    // the caller closes the connection without a reply.
    template <class Stream>
    std::uint64_t readPartOfBody(Stream& socket, beast::flat_buffer& buffer,
                                 http::request_parser<http::empty_body>& headerParser, const Fault& fault)
    {
        const auto declared = headerParser.content_length();
        const std::uint64_t limit = declared ? fault.cutPoint(*declared) : fault.cutBytes.value_or(0);
        http::request_parser<http::buffer_body> parser{std::move(headerParser)};
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        std::vector<char> chunk(64 * 1024);
        std::uint64_t got = 0;
        beast::error_code ec;
        while (got < limit && !parser.is_done()) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(limit - got, chunk.size()));
            parser.get().body().data = chunk.data();
            parser.get().body().size = want;
            http::read_some(socket, buffer, parser, ec);
            if (ec == http::error::need_buffer) ec = {};
            got += want - parser.get().body().size;
            if (ec) break;
        }
        return got;
    }

    // An injected status: the request is not run. WebDAV paths get a Sabre-style error body.
    // What a web server does after answering before the body was read (Apache's and nginx's
    // lingering close): it stops sending, then reads and throws away what the client still sends,
    // for up to 2 s, so that closing does not reset the connection and lose the reply on the way.
    template <class Stream>
    static void lingeringClose(Stream& stream)
    {
        auto& lowest = beast::get_lowest_layer(stream);
        beast::error_code ignored;
        lowest.shutdown(tcp::socket::shutdown_send, ignored);
        const int fd = lowest.native_handle();
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        std::vector<char> discard(64 * 1024);
        while (std::chrono::steady_clock::now() < until) {
            pollfd ready{.fd = fd, .events = POLLIN, .revents = 0};
            const int polled = ::poll(&ready, 1, 200);
            if (polled < 0 && errno != EINTR) return;
            if (polled <= 0) continue;
            const ssize_t got = ::recv(fd, discard.data(), discard.size(), MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return;
        }
    }

    static Response faultResponse(const Fault& fault, const Request& request)
    {
        const std::string message = "injected fault " + fault.describe();
        if (request.path.starts_with("/remote.php/")) {
            return textResponse(fault.status,
                                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                "<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">\n"
                                "  <s:exception>Nubo\\InjectedFault</s:exception>\n"
                                "  <s:message>" + message + "</s:message>\n"
                                "</d:error>\n",
                                "application/xml; charset=utf-8");
        }
        return textResponse(fault.status, message + "\n");
    }

    // An injected delay, cut short when the server stops.
    void pause(std::chrono::milliseconds delay)
    {
        std::unique_lock lock(mutex);
        stopSignal.wait_for(lock, delay, [&] { return stopping.load(); });
    }

    void session(tcp::socket socket)
    {
        const int fd = socket.native_handle();
        {
            std::lock_guard lock(mutex);
            sockets.insert(fd);
        }
        beast::flat_buffer buffer;
        beast::error_code ignored;
        if (tls) {
            beast::ssl_stream<tcp::socket> stream(std::move(socket), *tls);
            stream.handshake(asio::ssl::stream_base::server, ignored);
            if (!ignored) {
                for (bool keepAlive = true; keepAlive && !stopping;) keepAlive = serveOne(stream, buffer);
                stream.shutdown(ignored);
            }
            beast::get_lowest_layer(stream).shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(stream).close(ignored);
        } else {
            for (bool keepAlive = true; keepAlive && !stopping;) keepAlive = serveOne(socket, buffer);
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        }
        std::lock_guard lock(mutex);
        sockets.erase(fd);
        --active;
        idle.notify_all();
    }

    // Acknowledge what arrives right away instead of after the kernel's delayed-ACK timer.
    // A client that sends its headers and a small body in two writes without TCP_NODELAY
    // (nextcloudcmd's Qt 5 does) otherwise waits ~40 ms per request for that ACK (Nagle), which
    // would measure the kernel, not the client. Linux resets the flag by itself, so it is set
    // again before every read.
    template <class Stream>
    static void quickAck(Stream& socket)
    {
        const int on = 1;
        ::setsockopt(beast::get_lowest_layer(socket).native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
    }

    // Reads and answers one request; false when the connection should close.
    template <class Stream>
    bool serveOne(Stream& socket, beast::flat_buffer& buffer)
    {
        beast::error_code ec;
        quickAck(socket);
        http::request_parser<http::empty_body> headerParser;
        headerParser.header_limit(static_cast<std::uint32_t>(options.maxHeaderBytes));
        headerParser.body_limit(std::numeric_limits<std::uint64_t>::max()); // Beast 1.74 mis-compares boost::none
        http::read_header(socket, buffer, headerParser, ec);
        quickAck(socket);
        const auto started = std::chrono::steady_clock::now();
        Request request;
        if (ec) {
            if (ec == http::error::header_limit) {
                request.methodName = "-";
                request.requestId = randomHex(16);
                Response tooLarge = textResponse(431, "request headers are larger than " +
                                                          std::to_string(options.maxHeaderBytes) + " bytes\n");
                send(socket, request, tooLarge, false);
                logRequest(request, 431, 0, std::chrono::steady_clock::now() - started);
            } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
                       ec != asio::error::connection_reset && ec != asio::error::operation_aborted &&
                       ec != asio::error::bad_descriptor) {
                request.methodName = "-";
                request.requestId = randomHex(16);
                Response bad = textResponse(400, "malformed request: " + ec.message() + "\n");
                send(socket, request, bad, false);
            }
            return false;
        }
        const auto& head = headerParser.get();
        request.method = head.method();
        request.methodName = std::string(head.method_string());
        request.target = std::string(head.target());
        request.headers = head.base();
        request.requestId = request.header("X-Request-ID");
        if (request.requestId.empty() || request.requestId.size() > 128) request.requestId = randomHex(16);
        request.secure = tls != nullptr;
        const bool keepAlive = head.keep_alive();
        const bool targetOk = fillTarget(request);

        std::optional<Fault> fault;
        if (targetOk && options.faults) fault = options.faults->decide(request.methodName, request.path);
        if (fault && fault->kind == FaultKind::Delay) pause(fault->delay);

        if (fault && fault->kind == FaultKind::Refuse && targetOk) {
            // Answered before the body is read, then closed as web servers close.
            Response refused = faultResponse(*fault, request);
            refused.set("X-Nubo-Fault", fault->describe());
            const auto bytes = send(socket, request, refused, false);
            logRequest(request, refused.status, bytes.value_or(0), std::chrono::steady_clock::now() - started,
                       fault->describe());
            lingeringClose(socket);
            return false;
        }

        if (request.header("Expect") == "100-continue") {
            http::response<http::empty_body> proceed{http::status::continue_, 11};
            http::write(socket, proceed, ec);
            if (ec) return false;
        }

        const bool hasBody = headerParser.chunked() || headerParser.content_length().value_or(0) > 0;
        if (fault && fault->kind == FaultKind::Cut && hasBody) {
            const std::uint64_t received = readPartOfBody(socket, buffer, headerParser, *fault);
            logRequest(request, 0, 0, std::chrono::steady_clock::now() - started,
                       fault->describe() + ";received=" + std::to_string(received));
            return false;
        }

        std::optional<std::filesystem::path> spooled;
        // File uploads (WebDAV PUT, bulk POST) are spooled to disk as they arrive; OCS PUTs carry
        // small forms.
        if ((request.method == http::verb::put && request.target.starts_with("/remote.php/")) ||
            (request.method == http::verb::post && targetOk && request.path == kBulkUploadPath)) {
            spooled = options.spoolDirectory / ("put-" + randomHex(12));
            if (!headerParser.chunked()) {
                ec = readBodyToFile(socket, buffer, headerParser.content_length().value_or(0), *spooled);
            } else {
                http::request_parser<http::file_body> parser{std::move(headerParser)};
                parser.body_limit(std::numeric_limits<std::uint64_t>::max());
                parser.get().body().open(spooled->c_str(), beast::file_mode::write, ec);
                if (!ec) http::read(socket, buffer, parser, ec);
                if (!ec) parser.get().body().close();
            }
            if (ec) { // cut off mid-body: nothing of it is kept
                std::error_code ignored;
                std::filesystem::remove(*spooled, ignored);
                return false;
            }
            request.bodyFile = spooled;
            std::error_code sizeError;
            request.bodySize = std::filesystem::file_size(*spooled, sizeError);
        } else {
            http::request_parser<http::string_body> parser{std::move(headerParser)};
            parser.body_limit(options.maxSmallBodyBytes);
            http::read(socket, buffer, parser, ec);
            if (ec == http::error::body_limit) {
                Response tooLarge = textResponse(413, "request body too large\n");
                send(socket, request, tooLarge, false);
                return false;
            }
            if (ec) return false;
            request.body = std::move(parser.get().body());
            request.bodySize = request.body.size();
        }

        Response response;
        if (!targetOk) {
            response = textResponse(400, "malformed request target\n");
        } else if (fault && fault->kind == FaultKind::Status) {
            response = faultResponse(*fault, request); // the handler never sees it: state unchanged
        } else {
            try {
                response = handler(request);
            } catch (const std::exception& e) {
                response = textResponse(500, std::string("internal error: ") + e.what() + "\n");
            }
        }
        if (request.bodyFile) {
            std::error_code ignored;
            std::filesystem::remove(*request.bodyFile, ignored); // the handler did not take it
        }
        if (fault) response.set("X-Nubo-Fault", fault->describe());
        if (fault && fault->kind == FaultKind::Cut) {
            const bool dropped = request.method == http::verb::head ||
                                 (response.file ? response.fileLength : response.body.size()) == 0;
            const std::uint64_t sent = sendCut(socket, request, response, *fault);
            logRequest(request, dropped ? 0 : response.status, sent, std::chrono::steady_clock::now() - started,
                       fault->describe() + (dropped ? ";reply=dropped" : ";sent=" + std::to_string(sent)));
            return false;
        }
        const unsigned status = response.status;
        const auto bytes = send(socket, request, response, keepAlive && !stopping);
        logRequest(request, status, bytes.value_or(0), std::chrono::steady_clock::now() - started,
                   fault ? fault->describe() : std::string());
        return bytes.has_value() && keepAlive;
    }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler) : m_impl(std::make_unique<Impl>())
{
    m_impl->options = std::move(options);
    m_impl->handler = std::move(handler);
    const auto& certificate = m_impl->options.tlsCertificate;
    const auto& key = m_impl->options.tlsKey;
    if (certificate.empty() != key.empty()) throw std::runtime_error("TLS needs both a certificate and a key");
    if (!certificate.empty()) {
        auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                             asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                             asio::ssl::context::no_tlsv1_1);
        beast::error_code ec;
        context->use_certificate_chain_file(certificate.string(), ec);
        if (ec) throw std::runtime_error("cannot use the TLS certificate " + certificate.string() + ": " + ec.message());
        context->use_private_key_file(key.string(), asio::ssl::context::pem, ec);
        if (ec) throw std::runtime_error("cannot use the TLS key " + key.string() + ": " + ec.message());
        m_impl->tls = std::move(context);
    }
    if (!m_impl->options.accessLog.empty()) {
        m_impl->log.open(m_impl->options.accessLog, std::ios::app);
        if (!m_impl->log) throw std::runtime_error("cannot open the access log " + m_impl->options.accessLog.string());
    }
}

HttpServer::~HttpServer() = default;

void HttpServer::listen()
{
    beast::error_code ec;
    const auto address = asio::ip::make_address(m_impl->options.host, ec);
    if (ec) throw std::runtime_error("not an IP address: " + m_impl->options.host);
    const tcp::endpoint endpoint{address, m_impl->options.port};
    m_impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) m_impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) m_impl->acceptor.bind(endpoint, ec);
    if (!ec) m_impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + m_impl->options.host + ":" +
                                 std::to_string(m_impl->options.port) + ": " + ec.message());
    }
}

std::uint16_t HttpServer::port() const
{
    return m_impl->acceptor.local_endpoint().port();
}

void HttpServer::run()
{
    // One thread per connection, each handling its requests in turn (keep-alive); the
    // storage serialises what must be serialised.
    while (!m_impl->stopping) {
        tcp::socket socket{m_impl->io};
        beast::error_code ec;
        m_impl->acceptor.accept(socket, ec);
        if (ec) {
            if (m_impl->stopping) break;
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        {
            std::lock_guard lock(m_impl->mutex);
            if (m_impl->active >= m_impl->options.maxConnections) {
                socket.close(ec);
                continue;
            }
            ++m_impl->active;
        }
        std::thread([impl = m_impl.get(), s = std::move(socket)]() mutable { impl->session(std::move(s)); }).detach();
    }
    // Wait for sessions to finish their current request; idle ones were shut down by stop().
    std::unique_lock lock(m_impl->mutex);
    m_impl->idle.wait_for(lock, std::chrono::seconds(10), [&] { return m_impl->active == 0; });
}

void HttpServer::stop()
{
    m_impl->stopping = true;
    beast::error_code ec;
    // Unblock accept() and every read waiting for a next request.
    ::shutdown(m_impl->acceptor.native_handle(), SHUT_RDWR);
    std::lock_guard lock(m_impl->mutex);
    m_impl->stopSignal.notify_all();
    for (const int fd : m_impl->sockets) ::shutdown(fd, SHUT_RD);
}

} // namespace nubo::server
