// nubo-server: a Nextcloud-compatible reference server for tests, benchmarks and the demo.
#include <csignal>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstdlib>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

#include "faults.h"
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
  --e2ee-api-version V    the end-to-end-encryption api-version the capabilities advertise:
                          2.0 (default) or 2.1, what current Nextcloud servers say; the API
                          served is the same (v1 and v2 endpoints)
  --bulk-upload           advertise dav.bulkupload "1.0" and serve POST /remote.php/dav/bulk,
                          as Nextcloud does unless bulkupload.enabled is false. Off by
                          default: nextcloudcmd 3.7 (Debian 12) then sends every new small
                          file in bulk, and fails client-side on any batch that holds an
                          empty file (fixed in desktop 3.9, nextcloud/desktop#5871)
  --no-bulk-upload        neither advertise nor serve it (the default)
  --faults SPEC           inject faults into matching requests, for reliability tests (below);
                          repeatable, the rules add up in order
  --seed N                seed (unsigned 64-bit, default 0) of the --faults probabilities
  --tls-cert F, --tls-key F  serve HTTPS with this PEM certificate (chain) and key; the
                          first line then reads "listening on https://HOST:PORT"
  --help                  this text

The access log (time, method, target, status, bytes, duration, X-Request-ID, user) is
appended to DIR/access.log. SIGTERM or SIGINT stop the server after requests in flight.

Fault injection (--faults SPEC). SPEC is a list of rules separated by ';', each rule
whitespace-separated words:

  VERB PATH ACTION [p=FRACTION] [count=N] [after=N]

  VERB    GET, PUT, PROPFIND, ... (any case), several joined by '|' (GET|HEAD), or * for any
  PATH    glob matched against the whole percent-decoded path, without the query; '*' matches
          any run of characters, '/' included. It starts with / or *. It is itself
          percent-decoded: %20 is a space, %3B a ';', %2A a literal '*', %25 a '%'.
  ACTION  status=CODE   answer CODE (400..599) instead of running the request; the state is
                        unchanged (a request body is read and thrown away first)
          refuse=CODE   answer CODE (400..599) as soon as the request's headers are in,
                        without reading its body, and close the connection, as a web server
                        with a body size limit does: a client still sending the body gets the
                        reply or a reset connection
          delay=MS      wait MS milliseconds (up to 3600000), then serve normally
          cut[=BYTES|PCT%]
                        lose the connection half-way through a body. A request that carries
                        a body (an upload) is read up to that point, then the socket is closed
                        without a reply (for a chunked body: BYTES as given, 0 for PCT%).
                        Otherwise the request is served and the reply cut: the headers (with
                        the full Content-Length) and that much of the body, then the socket is
                        closed; a reply without a body (HEAD, DELETE, ...) is not sent at all,
                        although the request did take effect. Never the whole body: at most
                        length - 1 bytes. Plain `cut` is cut=50%.
  p=      probability (0..1, default 1) that a matching request gets the fault
  count=  only the first N matching requests (after the skipped ones) can get it
  after=  the first N matching requests are let through untouched

The first rule whose VERB and PATH match a request decides it; later rules are not consulted,
even when that rule lets the request through (its draw missed, or its count is used up).
Each rule numbers the requests it decides k = 0, 1, 2, ... and whether the k-th gets the fault
depends only on (--seed, rule, k), never on timing: a client that sends the same requests in
the same order sees the same faults. Injected replies carry an X-Nubo-Fault header (e.g.
"status=503;rule=1;match=0"), and the access log ends such lines with fault=...

Examples:
  --faults 'PUT /remote.php/dav/files/* status=503 count=2'   the first two uploads fail
  --faults 'GET /remote.php/dav/files/*.bin cut=1000; PROPFIND * delay=2000 p=0.1' --seed 7
  --faults '* /remote.php/dav/files/alice/locked/* status=423; MOVE|COPY * status=507 after=3'
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
#ifdef __GLIBC__
    // Each connection's thread frees what its request allocated; without this, glibc hands the
    // pages of each thread's heap back at once (madvise, a TLB flush on every core) and takes
    // them again on the next request: a tenth of the server's time in a bulk upload.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
#endif
    std::string data, listen;
    std::vector<std::pair<std::string, std::string>> users;
    std::vector<std::pair<std::string, std::uint64_t>> quotas;
    std::chrono::seconds lockTimeout = std::chrono::minutes(30);
    std::string e2eeApiVersion = "2.0";
    std::string faultSpec;
    bool bulkUpload = false;
    std::uint64_t seed = 0;
    std::string tlsCertificate, tlsKey;
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
        if (arg == "--bulk-upload" || arg == "--no-bulk-upload") {
            bulkUpload = arg == "--bulk-upload";
            continue;
        }
        if (arg == "--data" || arg == "--listen" || arg == "--add-user" || arg == "--quota" || arg == "--lock-timeout" ||
            arg == "--e2ee-api-version" || arg == "--faults" || arg == "--seed" || arg == "--tls-cert" ||
            arg == "--tls-key") {
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
            if (arg == "--e2ee-api-version") {
                if (*v != "2.0" && *v != "2.1")
                    return usage("--e2ee-api-version takes 2.0 or 2.1, not \"" + *v + "\"");
                e2eeApiVersion = *v;
            }
            if (arg == "--quota") {
                const auto pair = splitPair(*v);
                char* end = nullptr;
                const unsigned long long bytes = pair ? std::strtoull(pair->second.c_str(), &end, 10) : 0;
                if (!pair || end == nullptr || *end != '\0') return usage("--quota takes NAME:BYTES");
                quotas.emplace_back(pair->first, bytes);
            }
            if (arg == "--faults") faultSpec += *v + ";";
            if (arg == "--tls-cert") tlsCertificate = *v;
            if (arg == "--tls-key") tlsKey = *v;
            if (arg == "--seed") {
                const auto parsed = parseFaultSeed(*v);
                if (!parsed) return usage("--seed takes an unsigned 64-bit decimal number, not \"" + *v + "\"");
                seed = *parsed;
            }
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
    std::shared_ptr<const FaultPlan> faults;
    try {
        auto plan = FaultPlan::parse(faultSpec, seed);
        if (!plan.empty()) {
            std::cerr << "nubo-server: injecting faults (seed " << seed << "):\n";
            for (std::size_t r = 0; r < plan.rules().size(); ++r)
                std::cerr << "  rule " << r + 1 << ": " << plan.rules()[r].text << "\n";
            faults = std::make_shared<const FaultPlan>(std::move(plan));
        }
    } catch (const FaultSpecError& e) {
        return usage(std::string("--faults: ") + e.what());
    }

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

        Router router(storage, e2eeApiVersion, bulkUpload);
        HttpServerOptions options;
        options.host = hostPort->first;
        options.port = static_cast<std::uint16_t>(port);
        options.spoolDirectory = storage.spoolDirectory();
        options.accessLog = std::filesystem::path(data) / "access.log";
        options.faults = faults;
        options.tlsCertificate = tlsCertificate;
        options.tlsKey = tlsKey;
        HttpServer server(options, [&router](Request& request) { return router(request); });
        server.listen();
        std::cout << "listening on " << (tlsCertificate.empty() ? "http" : "https") << "://" << hostPort->first << ":"
                  << server.port() << std::endl;

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
