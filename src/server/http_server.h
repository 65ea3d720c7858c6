// The HTTP/1.1 layer of nubo-server on Boost.Beast: accepts connections, parses requests
// (PUT bodies are spooled to a file while they arrive, other bodies are capped), hands them
// to the router, streams responses back, keeps connections alive, writes the access log.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "faults.h"
#include "http_types.h"

namespace nubo::server {

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;                  // 0 picks a free port
    std::filesystem::path spoolDirectory;    // where PUT bodies go while they arrive
    std::filesystem::path accessLog;         // appended to; empty for none
    std::filesystem::path tlsCertificate;    // PEM chain; with tlsKey, serve HTTPS instead of HTTP
    std::filesystem::path tlsKey;
    std::size_t maxConnections = 256;
    std::size_t maxHeaderBytes = 32 * 1024;  // larger headers get 431
    std::size_t maxSmallBodyBytes = 16 * 1024 * 1024; // bodies of verbs other than PUT
    // Faults to inject (--faults); null or empty for none. Decided once a request's head is
    // read: status faults are answered after the body is drained without running the handler,
    // delays sleep first, cuts close the socket half-way through the request or reply body.
    std::shared_ptr<const FaultPlan> faults;
};

class HttpServer {
public:
    HttpServer(HttpServerOptions options, Handler handler);
    ~HttpServer();

    // Binds and listens; throws std::runtime_error with the reason when it cannot.
    void listen();
    std::uint16_t port() const;
    // Serves until stop() is called (from any thread or a signal-watching thread).
    void run();
    // Stops accepting, closes idle connections, and waits for requests in flight.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace nubo::server
