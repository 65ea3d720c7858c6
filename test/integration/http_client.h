// A small synchronous HTTP/1.1 client for integration tests (Boost.Beast underneath): one
// keep-alive connection reused across requests, any method string (PROPFIND, MKCOL, MOVE, ...),
// Basic auth, per-operation timeouts, and raw bytes on a fresh socket for malformed requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nubo::itest {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Reply {
    unsigned status = 0;
    std::string reason;
    HeaderList headers; // in the order received
    std::string body;
    bool keepAlive = true; // what the reply said about the connection

    // The first value of a header (case-insensitive name), or "" when absent.
    std::string header(std::string_view name) const;
    bool hasHeader(std::string_view name) const;
    std::vector<std::string> headerValues(std::string_view name) const;
    // "HTTP 404 Not Found; headers...; body (first 2 KiB)", for assertion messages.
    std::string describe() const;
};

struct RawResult {
    std::string received;    // every byte the server sent
    bool peerClosed = false; // the server closed (or reset) the connection
    bool timedOut = false;   // it stayed silent for the idle timeout without closing
    std::string writeError;  // set when sending failed (e.g. the server closed early)

    // Status codes of the responses in `received`, in order (walks status line, headers and a
    // Content-Length or chunked body each; stops at anything it cannot parse).
    std::vector<unsigned> statuses() const;
};

struct RawOptions {
    std::chrono::milliseconds idleTimeout{2000}; // stop reading after this long without data
    std::chrono::milliseconds totalTimeout{20000};
    bool shutdownWrite = false; // half-close after sending
};

class HttpClient {
public:
    HttpClient(std::string host, std::uint16_t port);
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    void setBasicAuth(std::string_view user, std::string_view password);
    void clearAuth();
    void setTimeout(std::chrono::milliseconds timeout); // per connect/write/read, default 20 s

    // Sends one request on the kept-alive connection (opening one when needed; a request on a
    // reused connection that the server had closed meanwhile is retried once on a new one).
    // Adds Host, User-Agent, Authorization (when set and not given) and Content-Length (when
    // there is a body, or the method is PUT/POST). Throws std::runtime_error on transport
    // errors (refused, reset, timeout, malformed reply).
    Reply request(std::string_view method, std::string_view target, const HeaderList& headers = {},
                  std::string_view body = {});

    Reply get(std::string_view target, const HeaderList& headers = {}) { return request("GET", target, headers); }
    Reply head(std::string_view target, const HeaderList& headers = {}) { return request("HEAD", target, headers); }
    Reply put(std::string_view target, std::string_view body, const HeaderList& headers = {})
    {
        return request("PUT", target, headers, body);
    }
    Reply mkcol(std::string_view target) { return request("MKCOL", target); }
    Reply del(std::string_view target) { return request("DELETE", target); }
    Reply propfind(std::string_view target, std::string_view depth, std::string_view body,
                   const HeaderList& headers = {});
    // MOVE/COPY with Destination = url(destinationTarget); overwrite: 'T', 'F' or nullopt (no header).
    Reply move(std::string_view target, std::string_view destinationTarget, std::optional<char> overwrite = {});
    Reply copy(std::string_view target, std::string_view destinationTarget, std::optional<char> overwrite = {});

    std::string url(std::string_view target) const; // http://host:port + target
    const std::string& host() const;
    std::uint16_t port() const;

    // How many TCP connections this client opened so far (keep-alive checks).
    std::size_t connectionsOpened() const;
    bool connected() const;
    void disconnect();

    // Connects a fresh socket, sends `bytes` as they are, reads until the server closes or is
    // idle. Never throws for server behaviour; throws only when it cannot connect at all.
    RawResult sendRaw(std::string_view bytes, const RawOptions& options = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

std::string base64Encode(std::string_view data);
// "Basic base64(user:password)"
std::string basicAuthValue(std::string_view user, std::string_view password);
// Percent-encodes every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~), and '/' when keepSlash.
std::string percentEncode(std::string_view text, bool keepSlash);
inline std::string percentEncodePath(std::string_view path)
{
    return percentEncode(path, true);
}
inline std::string percentEncodeSegment(std::string_view segment)
{
    return percentEncode(segment, false);
}
// Decodes %XX (invalid escapes are kept as they are); '+' stays '+'.
std::string percentDecode(std::string_view text);

} // namespace nubo::itest
