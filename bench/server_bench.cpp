// Load figures for nubo-server on loopback: small PUTs, GETs and depth-1 PROPFINDs of a
// 1 000-entry folder with 1 and 6 connections, and the server's peak memory during a large
// streamed upload. Started by bench/run_server_bench.sh, which runs the server.
//
//   nubo-bench-server --port N --pid PID [--user NAME:PASSWORD] [--seconds S] [--upload-mib M]
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
    unsigned short port = 0;
    long pid = 0;
    std::string user = "alice";
    std::string password = "secret";
    double seconds = 3.0;
    std::uint64_t uploadMib = 2048;
};

std::string basicAuth(const Options& options)
{
    const std::string plain = options.user + ":" + options.password;
    std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

class Connection {
public:
    explicit Connection(const Options& options) : m_options(options), m_auth(basicAuth(options))
    {
        tcp::resolver resolver(m_io);
        asio::connect(m_socket, resolver.resolve("127.0.0.1", std::to_string(options.port)));
        m_socket.set_option(tcp::no_delay(true));
    }

    unsigned request(http::verb verb, const std::string& target, std::string body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {})
    {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, m_auth);
        for (const auto& [name, value] : headers) req.set(name, value);
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(m_socket, req);
        http::response<http::string_body> res;
        http::read(m_socket, m_buffer, res);
        return res.result_int();
    }

    tcp::socket& socket() { return m_socket; }
    beast::flat_buffer& buffer() { return m_buffer; }
    const std::string& auth() const { return m_auth; }

private:
    const Options& m_options;
    std::string m_auth;
    asio::io_context m_io;
    tcp::socket m_socket{m_io};
    beast::flat_buffer m_buffer;
};

struct Figures {
    double perSecond = 0;
    double p50ms = 0;
    double p99ms = 0;
    std::size_t failures = 0;
};

template <typename Work>
Figures measure(const Options& options, int connections, Work work)
{
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
    std::atomic<std::size_t> failures{0};
    const auto deadline = Clock::now() + std::chrono::duration<double>(options.seconds);
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            Connection connection(options);
            for (std::size_t i = 0; Clock::now() < deadline; ++i) {
                const auto t0 = Clock::now();
                const unsigned status = work(connection, c, i);
                latencies[static_cast<std::size_t>(c)].push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                if (status >= 300 && status != 207) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    Figures f;
    f.perSecond = static_cast<double>(all.size()) / elapsed;
    f.p50ms = all.empty() ? 0 : all[all.size() / 2];
    f.p99ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
    f.failures = failures;
    return f;
}

void print(const char* label, int connections, const Figures& f)
{
    std::printf("%-28s %d conn  %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms%s\n", label, connections, f.perSecond, f.p50ms,
                f.p99ms, f.failures ? "   (some requests failed!)" : "");
}

long rssKib(long pid, const char* field)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
    }
    return -1;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i], value = argv[i + 1];
        if (name == "--port") options.port = static_cast<unsigned short>(std::stoi(value));
        else if (name == "--pid") options.pid = std::stol(value);
        else if (name == "--seconds") options.seconds = std::stod(value);
        else if (name == "--upload-mib") options.uploadMib = std::stoull(value);
        else if (name == "--user") {
            options.user = value.substr(0, value.find(':'));
            options.password = value.substr(value.find(':') + 1);
        } else {
            std::fprintf(stderr, "unknown option %s\n", name.c_str());
            return 2;
        }
    }
    if (options.port == 0) {
        std::fprintf(stderr, "usage: %s --port N --pid PID [--seconds S] [--upload-mib M]\n", argv[0]);
        return 2;
    }
    const std::string dav = "/remote.php/dav/files/" + options.user + "/";
    {
        Connection setup(options);
        setup.request(http::verb::mkcol, dav + "bench");
        setup.request(http::verb::mkcol, dav + "listing");
        for (int i = 0; i < 1000; ++i) setup.request(http::verb::put, dav + "listing/file-" + std::to_string(i), "x");
        setup.request(http::verb::put, dav + "bench/read-me", std::string(4096, 'r'));
    }
    const std::string small(4096, 's');
    const std::string propfindBody = R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">)"
                                     R"(<d:prop><d:getetag/><oc:fileid/><oc:permissions/><oc:size/><d:getlastmodified/>)"
                                     R"(<d:getcontentlength/><d:resourcetype/><oc:checksums/></d:prop></d:propfind>)";
    std::printf("nubo-server on loopback, %.0f s per figure\n", options.seconds);
    for (const int connections : {1, 6}) {
        print("PUT 4 KiB", connections, measure(options, connections, [&](Connection& c, int who, std::size_t i) {
                  return c.request(http::verb::put,
                                   dav + "bench/put-" + std::to_string(who) + "-" + std::to_string(i % 200), small,
                                   {{"X-OC-Mtime", "1700000000"}});
              }));
    }
    for (const int connections : {1, 6}) {
        print("GET 4 KiB", connections, measure(options, connections, [&](Connection& c, int, std::size_t) {
                  return c.request(http::verb::get, dav + "bench/read-me");
              }));
    }
    for (const int connections : {1, 6}) {
        print("PROPFIND depth 1, 1000", connections, measure(options, connections, [&](Connection& c, int, std::size_t) {
                  return c.request(http::verb::propfind, dav + "listing/", propfindBody, {{"Depth", "1"}});
              }));
    }

    // A large upload streamed from a fixed buffer; the server's peak RSS is read from /proc.
    if (options.uploadMib > 0 && options.pid > 0) {
        const long before = rssKib(options.pid, "VmHWM:");
        Connection upload(options);
        http::request<http::empty_body> head{http::verb::put, dav + "bench/large.bin", 11};
        head.set(http::field::host, "127.0.0.1");
        head.set(http::field::authorization, upload.auth());
        const std::uint64_t total = options.uploadMib * 1024 * 1024;
        head.content_length(total);
        http::request_serializer<http::empty_body> serializer{head};
        http::write_header(upload.socket(), serializer);
        const std::vector<char> chunk(1 << 20, 'L');
        const auto start = Clock::now();
        for (std::uint64_t sent = 0; sent < total; sent += chunk.size()) {
            asio::write(upload.socket(), asio::buffer(chunk.data(), std::min<std::uint64_t>(chunk.size(), total - sent)));
        }
        http::response<http::string_body> res;
        http::read(upload.socket(), upload.buffer(), res);
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        const long after = rssKib(options.pid, "VmHWM:");
        std::printf("PUT %llu MiB                 status %u, %.1f s (%.0f MiB/s); server peak RSS %.1f MiB (before %.1f MiB)\n",
                    static_cast<unsigned long long>(options.uploadMib), res.result_int(), seconds,
                    static_cast<double>(options.uploadMib) / seconds, static_cast<double>(after) / 1024.0,
                    static_cast<double>(before) / 1024.0);
    }
    return 0;
}
