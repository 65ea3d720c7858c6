// What a request handler sees and returns. The HTTP layer (http_server.cpp) fills a Request
// from the wire, spooling PUT bodies to a file, and streams a Response's file body back.
#pragma once

#include <boost/beast/http.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nubo::server {

namespace http = boost::beast::http;

struct Request {
    http::verb method = http::verb::unknown;
    std::string methodName;                   // as sent, e.g. "PROPFIND"
    std::string target;                       // raw request target
    std::string path;                         // percent-decoded path, no query
    std::map<std::string, std::string> query; // percent-decoded
    http::fields headers;
    std::string body;                         // every body but a WebDAV PUT or bulk POST (at most 16 MiB)
    std::optional<std::filesystem::path> bodyFile; // WebDAV PUT, bulk POST: the spooled body; a handler may rename it away
    std::uint64_t bodySize = 0;
    std::string user;      // authenticated user, empty when the request carried no valid credentials
    std::string requestId; // X-Request-ID, or one made up
    bool secure = false;   // arrived over TLS: addresses the server hands out are https://

    std::string header(std::string_view name) const
    {
        const auto it = headers.find(boost::beast::string_view(name.data(), name.size()));
        return it == headers.end() ? std::string() : std::string(it->value());
    }
};

struct Response {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // A file streamed as the body (GET), from offset, length bytes; body is ignored then.
    std::optional<std::filesystem::path> file;
    std::uint64_t fileOffset = 0;
    std::uint64_t fileLength = 0;

    Response& set(std::string name, std::string value)
    {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

inline Response textResponse(unsigned status, std::string body, std::string contentType = "text/plain; charset=utf-8")
{
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.set("Content-Type", std::move(contentType));
    return r;
}

using Handler = std::function<Response(Request&)>;

} // namespace nubo::server
