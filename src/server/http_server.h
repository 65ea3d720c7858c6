// The HTTP/1.1 layer of nubo-server on Boost.Beast: accepts connections, parses requests
// (PUT bodies are spooled to a file while they arrive, other bodies are capped), hands them
// to the router, streams responses back, keeps connections alive, writes the access log.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "http_types.h"

namespace nubo::server {

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;                  // 0 picks a free port
    std::filesystem::path spoolDirectory;    // where PUT bodies go while they arrive
    std::filesystem::path accessLog;         // appended to; empty for none
    std::size_t maxConnections = 256;
    std::size_t maxHeaderBytes = 32 * 1024;  // larger headers get 431
    std::size_t maxSmallBodyBytes = 16 * 1024 * 1024; // bodies of verbs other than PUT
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
