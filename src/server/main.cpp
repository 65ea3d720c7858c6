// nubo-server: a Nextcloud-compatible reference server for tests, benchmarks and the demo.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

#include "http_server.h"
#include "router.h"
#include "storage.h"

namespace {

constexpr const char* kUsage = R"(Usage: nubo-server --data DIR --listen HOST:PORT [options]

A Nextcloud-compatible server for tests, benchmarks and demos. Never a production server.

  --data DIR              where the database, content and logs live (created if missing)
  --listen HOST:PORT      address to serve on; port 0 picks a free one. The first line printed
                          is "listening on http://HOST:PORT".
  --add-user NAME:PASS    create the user (or reset the password); repeatable
  --quota NAME:BYTES      limit what the user may store; uploads beyond it get 507
  --lock-timeout SECONDS  an E2EE lock not renewed for this long is rolled back (default 1800)
  --help                  this text

Not yet available (they arrive with the rest of the reference-server issue):
  --faults SPEC, --seed N, --tls-cert F, --tls-key F

The access log (time, method, target, status, bytes, duration, X-Request-ID, user) is
appended to DIR/access.log. SIGTERM or SIGINT stop the server after requests in flight.
)";

int usage(const std::string& message)
{
    std::cerr << "nubo-server: " << message << " (see nubo-server --help)\n";
    return 2;
}

// Splits at the first colon (user names have none, passwords may), or the last with `last`
// (HOST:PORT, where the host may be an IPv6 address).
std::optional<std::pair<std::string, std::string>> splitPair(const std::string& text, bool last = false)
{
    const std::size_t colon = last ? text.rfind(':') : text.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
    return std::pair(text.substr(0, colon), text.substr(colon + 1));
}

} // namespace

int main(int argc, char** argv)
{
    using namespace nubo::server;
    std::string data, listen;
    std::vector<std::pair<std::string, std::string>> users;
    std::vector<std::pair<std::string, std::uint64_t>> quotas;
    std::chrono::seconds lockTimeout = std::chrono::minutes(30);
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        const auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (arg == "--data" || arg == "--listen" || arg == "--add-user" || arg == "--quota" || arg == "--lock-timeout") {
            const auto v = value();
            if (!v) return usage(arg + " needs a value");
            if (arg == "--data") data = *v;
            if (arg == "--listen") listen = *v;
            if (arg == "--add-user") {
                const auto pair = splitPair(*v);
                if (!pair) return usage("--add-user takes NAME:PASSWORD");
                users.push_back(*pair);
            }
            if (arg == "--lock-timeout") {
                char* end = nullptr;
                const long seconds = std::strtol(v->c_str(), &end, 10);
                if (end == nullptr || *end != '\0' || seconds <= 0) return usage("--lock-timeout takes seconds");
                lockTimeout = std::chrono::seconds(seconds);
            }
            if (arg == "--quota") {
                const auto pair = splitPair(*v);
                char* end = nullptr;
                const unsigned long long bytes = pair ? std::strtoull(pair->second.c_str(), &end, 10) : 0;
                if (!pair || end == nullptr || *end != '\0') return usage("--quota takes NAME:BYTES");
                quotas.emplace_back(pair->first, bytes);
            }
        } else if (arg == "--faults" || arg == "--seed" || arg == "--tls-cert" ||
                   arg == "--tls-key") {
            std::cerr << "nubo-server: " << arg << " is not available yet\n";
            return 2;
        } else {
            return usage("unknown option " + arg);
        }
    }
    if (data.empty() || listen.empty()) return usage("--data and --listen are required");
    const auto hostPort = splitPair(listen, true);
    if (!hostPort) return usage("--listen takes HOST:PORT, e.g. 127.0.0.1:0");
    char* end = nullptr;
    const unsigned long port = std::strtoul(hostPort->second.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || port > 65535) return usage("not a port: " + hostPort->second);

    // Signals go to one watcher thread, so every other thread runs undisturbed.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        std::filesystem::create_directories(data);
        Storage storage(data, lockTimeout);
        for (const auto& [name, password] : users) storage.addUser(name, password);
        for (const auto& [name, bytes] : quotas) storage.setQuota(name, bytes);

        Router router(storage);
        HttpServerOptions options;
        options.host = hostPort->first;
        options.port = static_cast<std::uint16_t>(port);
        options.spoolDirectory = storage.spoolDirectory();
        options.accessLog = std::filesystem::path(data) / "access.log";
        HttpServer server(options, [&router](Request& request) { return router(request); });
        server.listen();
        std::cout << "listening on http://" << hostPort->first << ":" << server.port() << std::endl;

        std::thread watcher([&server, signals] {
            int received = 0;
            sigwait(&signals, &received);
            server.stop();
        });
        server.run();
        // run() returns only after stop(), which the watcher called.
        watcher.join();
        std::cerr << "nubo-server: stopped\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "nubo-server: " << e.what() << "\n";
        return 1;
    }
}
