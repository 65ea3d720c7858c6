#include "http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <csignal>
#include <stdexcept>

namespace nubo::itest {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto la = static_cast<unsigned char>(a[i]);
        const auto lb = static_cast<unsigned char>(b[i]);
        if (std::tolower(la) != std::tolower(lb)) return false;
    }
    return true;
}

void ignoreSigpipeOnce()
{
    static const bool done = [] {
        std::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)done;
}

// Runs one asynchronous operation to completion on `ioc` (tcp_stream timeouts apply to async
// operations only, hence async + run rather than the blocking calls).
template <class Start>
beast::error_code runOp(net::io_context& ioc, Start&& start)
{
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

tcp::endpoint resolveOne(net::io_context& ioc, const std::string& host, std::uint16_t port)
{
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) return tcp::endpoint(address, port);
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve " + host + ": " + ec.message());
    return *results.begin();
}

} // namespace

// ---- Reply / RawResult ----------------------------------------------------------------------

std::string Reply::header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

bool Reply::hasHeader(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return true;
    return false;
}

std::vector<std::string> Reply::headerValues(std::string_view name) const
{
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

std::string Reply::describe() const
{
    std::string out = "HTTP " + std::to_string(status) + " " + reason + "\n";
    for (const auto& [k, v] : headers)
        out += "  " + k + ": " + v + "\n";
    if (!body.empty()) {
        std::string shown = body.size() > 2048 ? body.substr(0, 2048) + "[...]" : body;
        for (char& c : shown)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) c = '.';
        out += "  body (" + std::to_string(body.size()) + " bytes): " + shown + "\n";
    }
    return out;
}

std::vector<unsigned> RawResult::statuses() const
{
    // Walks the responses one after the other (status line, headers, a Content-Length or chunked
    // body), so bodies are skipped rather than searched. Replies to HEAD are not expected here.
    std::vector<unsigned> out;
    const std::string& r = received;
    std::size_t pos = 0;
    while (pos + 12 <= r.size()) {
        if (r.compare(pos, 7, "HTTP/1.") != 0 || r[pos + 8] != ' ') break;
        const std::string code = r.substr(pos + 9, 3);
        if (code.find_first_not_of("0123456789") != std::string::npos) break;
        const unsigned status = static_cast<unsigned>(std::stoul(code));
        out.push_back(status);
        const auto headerEnd = r.find("\r\n\r\n", pos);
        if (headerEnd == std::string::npos) break;
        std::size_t bodyStart = headerEnd + 4;
        std::optional<std::size_t> contentLength;
        bool chunked = false;
        std::size_t line = r.find("\r\n", pos) + 2;
        while (line < headerEnd) {
            const auto eol = r.find("\r\n", line);
            const std::string field = r.substr(line, eol - line);
            const auto colon = field.find(':');
            if (colon != std::string::npos) {
                const std::string name = field.substr(0, colon);
                std::string value = field.substr(colon + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                if (iequals(name, "Content-Length")) {
                    try {
                        contentLength = static_cast<std::size_t>(std::stoull(value));
                    } catch (const std::exception&) {
                    }
                }
                if (iequals(name, "Transfer-Encoding") && value.find("chunked") != std::string::npos) chunked = true;
            }
            line = eol + 2;
        }
        if (status / 100 == 1 || status == 204 || status == 304) {
            pos = bodyStart;
        } else if (chunked) {
            std::size_t at = bodyStart;
            for (;;) {
                const auto eol = r.find("\r\n", at);
                if (eol == std::string::npos) return out;
                std::size_t size = 0;
                try {
                    size = static_cast<std::size_t>(std::stoull(r.substr(at, eol - at), nullptr, 16));
                } catch (const std::exception&) {
                    return out;
                }
                at = eol + 2 + size + 2;
                if (size == 0) break; // (trailers are not expected)
            }
            pos = at;
        } else if (contentLength) {
            pos = bodyStart + *contentLength;
        } else {
            break; // body until close: the last response
        }
    }
    return out;
}

// ---- HttpClient -------------------------------------------------------------------------------

struct HttpClient::Impl {
    std::string host;
    std::uint16_t port = 0;
    net::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::chrono::milliseconds timeout{20000};
    std::size_t connects = 0;
    std::string authorization;

    void connect()
    {
        stream.reset();
        buffer.clear();
        const tcp::endpoint endpoint = resolveOne(ioc, host, port);
        stream.emplace(ioc);
        stream->expires_after(timeout);
        const auto ec = runOp(ioc, [&](auto handler) { stream->async_connect(endpoint, handler); });
        if (ec) {
            stream.reset();
            throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
        }
        ++connects;
    }

    void close()
    {
        if (!stream) return;
        beast::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream->socket().close(ignored);
        stream.reset();
        buffer.clear();
    }
};

HttpClient::HttpClient(std::string host, std::uint16_t port) : m_impl(std::make_unique<Impl>())
{
    ignoreSigpipeOnce();
    m_impl->host = std::move(host);
    m_impl->port = port;
}

HttpClient::~HttpClient()
{
    if (m_impl) m_impl->close();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::setBasicAuth(std::string_view user, std::string_view password)
{
    m_impl->authorization = basicAuthValue(user, password);
}

void HttpClient::clearAuth()
{
    m_impl->authorization.clear();
}

void HttpClient::setTimeout(std::chrono::milliseconds timeout)
{
    m_impl->timeout = timeout;
}

const std::string& HttpClient::host() const
{
    return m_impl->host;
}

std::uint16_t HttpClient::port() const
{
    return m_impl->port;
}

std::size_t HttpClient::connectionsOpened() const
{
    return m_impl->connects;
}

bool HttpClient::connected() const
{
    return m_impl->stream.has_value();
}

void HttpClient::disconnect()
{
    m_impl->close();
}

std::string HttpClient::url(std::string_view target) const
{
    return "http://" + m_impl->host + ":" + std::to_string(m_impl->port) + std::string(target);
}

Reply HttpClient::request(std::string_view method, std::string_view target, const HeaderList& headers,
                          std::string_view body)
{
    Impl& d = *m_impl;
    http::request<http::string_body> req;
    req.version(11);
    req.method_string(beast::string_view(method.data(), method.size()));
    req.target(beast::string_view(target.data(), target.size()));
    bool hasHost = false, hasAuth = false, hasAgent = false, hasLength = false;
    for (const auto& [k, v] : headers) {
        hasHost |= iequals(k, "Host");
        hasAuth |= iequals(k, "Authorization");
        hasAgent |= iequals(k, "User-Agent");
        hasLength |= iequals(k, "Content-Length") || iequals(k, "Transfer-Encoding");
        req.insert(beast::string_view(k.data(), k.size()), beast::string_view(v.data(), v.size()));
    }
    if (!hasHost) req.set(http::field::host, d.host + ":" + std::to_string(d.port));
    if (!hasAgent) req.set(http::field::user_agent, "nubo-itest/1.0");
    if (!hasAuth && !d.authorization.empty()) req.set(http::field::authorization, d.authorization);
    req.body().assign(body.data(), body.size());
    if (!hasLength) {
        if (!body.empty() || iequals(method, "PUT") || iequals(method, "POST")) req.content_length(body.size());
    }
    const bool isHead = iequals(method, "HEAD");

    for (int attempt = 0;; ++attempt) {
        const bool reused = d.stream.has_value();
        if (!reused) d.connect();

        d.stream->expires_after(d.timeout);
        auto ec = runOp(d.ioc, [&](auto handler) { http::async_write(*d.stream, req, handler); });
        if (ec) {
            d.close();
            if (reused && attempt == 0) continue; // the server had closed the idle connection
            throw std::runtime_error("sending " + std::string(method) + " " + std::string(target) +
                                     " failed: " + ec.message());
        }

        http::response_parser<http::string_body> parser;
        parser.header_limit(1024 * 1024);
        parser.body_limit(1024ull * 1024 * 1024);
        if (isHead) parser.skip(true);
        d.stream->expires_after(d.timeout);
        ec = runOp(d.ioc, [&](auto handler) { http::async_read(*d.stream, d.buffer, parser, handler); });
        if (ec) {
            const bool nothingReceived = !parser.got_some();
            d.close();
            if (reused && attempt == 0 && nothingReceived &&
                (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset))
                continue;
            throw std::runtime_error("reading the reply to " + std::string(method) + " " + std::string(target) +
                                     " failed: " + ec.message());
        }

        auto res = parser.release();
        Reply reply;
        reply.status = res.result_int();
        reply.reason = std::string(res.reason());
        for (const auto& field : res.base())
            reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        reply.body = std::move(res.body());
        reply.keepAlive = res.keep_alive();
        if (!reply.keepAlive) d.close();
        return reply;
    }
}

Reply HttpClient::propfind(std::string_view target, std::string_view depth, std::string_view body,
                           const HeaderList& headers)
{
    HeaderList all = headers;
    all.emplace_back("Depth", std::string(depth));
    if (!body.empty()) all.emplace_back("Content-Type", "application/xml; charset=utf-8");
    return request("PROPFIND", target, all, body);
}

Reply HttpClient::move(std::string_view target, std::string_view destinationTarget, std::optional<char> overwrite)
{
    HeaderList headers{{"Destination", url(destinationTarget)}};
    if (overwrite) headers.emplace_back("Overwrite", std::string(1, *overwrite));
    return request("MOVE", target, headers);
}

Reply HttpClient::copy(std::string_view target, std::string_view destinationTarget, std::optional<char> overwrite)
{
    HeaderList headers{{"Destination", url(destinationTarget)}};
    if (overwrite) headers.emplace_back("Overwrite", std::string(1, *overwrite));
    return request("COPY", target, headers);
}

RawResult HttpClient::sendRaw(std::string_view bytes, const RawOptions& options) const
{
    RawResult result;
    net::io_context ioc;
    const tcp::endpoint endpoint = resolveOne(ioc, m_impl->host, m_impl->port);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    auto ec = runOp(ioc, [&](auto handler) { stream.async_connect(endpoint, handler); });
    if (ec) throw std::runtime_error("cannot connect for a raw request: " + ec.message());

    const auto deadline = std::chrono::steady_clock::now() + options.totalTimeout;
    stream.expires_after(options.totalTimeout);
    ec = runOp(ioc, [&](auto handler) { net::async_write(stream, net::buffer(bytes.data(), bytes.size()), handler); });
    if (ec) result.writeError = ec.message();
    if (!ec && options.shutdownWrite) {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    char chunk[16384];
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            result.timedOut = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        stream.expires_after(std::min(options.idleTimeout, left));
        std::size_t got = 0;
        ec = runOp(ioc, [&](auto handler) {
            stream.async_read_some(net::buffer(chunk), [handler, &got](beast::error_code e, std::size_t n) mutable {
                got = n;
                handler(e);
            });
        });
        result.received.append(chunk, got);
        if (!ec) continue;
        if (ec == beast::error::timeout)
            result.timedOut = true;
        else
            result.peerClosed = true; // eof, reset, or another error: the connection is gone
        break;
    }
    beast::error_code ignored;
    stream.socket().close(ignored);
    return result;
}

// ---- helpers ------------------------------------------------------------------------------------

std::string base64Encode(std::string_view data)
{
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                           (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == data.size()) {
        const unsigned v = static_cast<unsigned char>(data[i]) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == data.size()) {
        const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string basicAuthValue(std::string_view user, std::string_view password)
{
    std::string credentials(user);
    credentials += ':';
    credentials += password;
    return "Basic " + base64Encode(credentials);
}

std::string percentEncode(std::string_view text, bool keepSlash)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (keepSlash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string percentDecode(std::string_view text)
{
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = value(text[i + 1]);
            const int lo = value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

} // namespace nubo::itest
