// nubo-server's fault injection (--faults SPEC, --seed N) over real HTTP: injected statuses
// leave the state alone and keep the connection usable, cuts lose the connection half-way
// through a download or an upload, delays delay, and the same seed gives the same faults.
#include "http_client.h"
#include "server_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#ifndef NUBO_SERVER_BINARY
#define NUBO_SERVER_BINARY "nubo-server"
#endif

namespace nubo::itest {
namespace {

const std::string kUser = "alice";
const std::string kPassword = "secret";

std::filesystem::path serverBinary()
{
    if (const char* env = std::getenv("NUBO_SERVER_BINARY"); env && *env) return env;
    return NUBO_SERVER_BINARY;
}

std::string dav(std::string_view rel)
{
    return "/remote.php/dav/files/" + kUser + "/" + percentEncodePath(rel);
}

std::unique_ptr<ServerProcess> startServer(const std::vector<std::string>& arguments)
{
    auto server = std::make_unique<ServerProcess>(serverBinary());
    server->addUser(kUser, kPassword).addArguments(arguments);
    server->start();
    return server;
}

HttpClient clientOf(const ServerProcess& server)
{
    HttpClient client(server.host(), server.port());
    client.setBasicAuth(kUser, kPassword);
    client.setTimeout(std::chrono::seconds(10));
    return client;
}

std::string accessLog(const ServerProcess& server)
{
    std::ifstream in(server.dataDir() / "access.log");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::size_t occurrences(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// Spooled upload bodies left anywhere under the data folder.
std::vector<std::string> leftoverSpoolFiles(const ServerProcess& server)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(server.dataDir(), ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename().string().starts_with("put-")) out.push_back(it->path().string());
    }
    return out;
}

std::string pattern(std::size_t size)
{
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return out;
}

std::string rawPut(const std::string& target, const std::string& body)
{
    return "PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + basicAuthValue(kUser, kPassword) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string rawGet(const std::string& target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + basicAuthValue(kUser, kPassword) +
           "\r\n\r\n";
}

TEST(ServerFaultTest, FirstTwoPutsFailWith503ThenSucceed)
{
    const auto server = startServer({"--faults", "PUT /remote.php/dav/files/* status=503 count=2"});
    HttpClient client = clientOf(*server);
    const std::string body = pattern(300 * 1000);

    for (int attempt = 0; attempt < 2; ++attempt) {
        const Reply r = client.put(dav("retried.bin"), body);
        EXPECT_EQ(r.status, 503u) << "attempt " << attempt << ":\n" << r.describe();
        EXPECT_EQ(r.header("X-Nubo-Fault"), "status=503;rule=1;match=" + std::to_string(attempt)) << r.describe();
        EXPECT_TRUE(r.keepAlive) << r.describe();
        // State unchanged: the file does not exist, and the spooled body is gone.
        EXPECT_EQ(client.get(dav("retried.bin")).status, 404u);
        EXPECT_TRUE(leftoverSpoolFiles(*server).empty());
    }
    const Reply third = client.put(dav("retried.bin"), body);
    EXPECT_EQ(third.status, 201u) << third.describe();
    EXPECT_FALSE(third.hasHeader("X-Nubo-Fault")) << third.describe();
    const Reply get = client.get(dav("retried.bin"));
    ASSERT_EQ(get.status, 200u) << get.describe();
    EXPECT_TRUE(get.body == body) << "the content differs after the retry";
    // The injected replies left the connection usable: the bodies were drained.
    EXPECT_EQ(client.connectionsOpened(), 1u);

    const Reply fourth = client.put(dav("other.bin"), "x");
    EXPECT_EQ(fourth.status, 201u) << fourth.describe();

    const std::string log = accessLog(*server);
    EXPECT_EQ(occurrences(log, " fault=status=503;rule=1;match="), 2u) << log;
    EXPECT_EQ(occurrences(log, " fault="), 2u) << log;
}

TEST(ServerFaultTest, InjectedStatusesReachNoHandler)
{
    const auto server = startServer(
        {"--faults", "MKCOL * status=507; DELETE /remote.php/dav/files/*/keep.txt status=423", "--faults",
         "GET /status.php status=500"});
    HttpClient client = clientOf(*server);
    ASSERT_EQ(client.put(dav("keep.txt"), "kept").status, 201u);

    const Reply mkcol = client.mkcol(dav("dir"));
    EXPECT_EQ(mkcol.status, 507u) << mkcol.describe();
    EXPECT_NE(mkcol.body.find("InjectedFault"), std::string::npos) << mkcol.describe();
    EXPECT_EQ(client.propfind(dav("dir"), "0", "").status, 404u);

    const Reply del = client.del(dav("keep.txt"));
    EXPECT_EQ(del.status, 423u) << del.describe();
    EXPECT_EQ(client.get(dav("keep.txt")).body, "kept");

    // Rules of a repeated --faults add up in order.
    const Reply status = client.get("/status.php");
    EXPECT_EQ(status.status, 500u) << status.describe();
    EXPECT_EQ(status.header("X-Nubo-Fault"), "status=500;rule=3;match=0");
}

TEST(ServerFaultTest, GetIsCutMidBody)
{
    const auto server = startServer({"--faults", "GET /remote.php/dav/files/*/cut/* cut=1000"});
    HttpClient client = clientOf(*server);
    ASSERT_EQ(client.mkcol(dav("cut")).status, 201u);
    const std::string body = pattern(100 * 1000);
    ASSERT_EQ(client.put(dav("cut/big.bin"), body).status, 201u);

    // The client library sees a short read.
    HttpClient fresh = clientOf(*server);
    EXPECT_THROW(fresh.get(dav("cut/big.bin")), std::runtime_error);

    // On the wire: the full head, 1000 bytes of the body, then the connection closes.
    const RawResult raw = client.sendRaw(rawGet(dav("cut/big.bin")));
    EXPECT_TRUE(raw.peerClosed);
    EXPECT_FALSE(raw.timedOut);
    ASSERT_EQ(raw.statuses(), std::vector<unsigned>{200}) << raw.received.substr(0, 2000);
    const std::size_t headEnd = raw.received.find("\r\n\r\n");
    ASSERT_NE(headEnd, std::string::npos);
    const std::string head = raw.received.substr(0, headEnd);
    EXPECT_NE(head.find("Content-Length: 100000"), std::string::npos) << head;
    EXPECT_NE(head.find("X-Nubo-Fault: cut=1000;rule=1;match=1"), std::string::npos) << head;
    EXPECT_EQ(raw.received.substr(headEnd + 4), body.substr(0, 1000));

    // Outside the pattern the server serves as usual.
    ASSERT_EQ(client.put(dav("whole.bin"), body).status, 201u);
    const Reply whole = client.get(dav("whole.bin"));
    EXPECT_EQ(whole.status, 200u);
    EXPECT_TRUE(whole.body == body);
    EXPECT_NE(accessLog(*server).find("fault=cut=1000;rule=1;match=1;sent=1000"), std::string::npos)
        << accessLog(*server);
}

TEST(ServerFaultTest, PutIsCutMidUploadWithoutReplyOrTrace)
{
    const auto server = startServer({"--faults", "PUT /remote.php/dav/files/*/up/* cut=50% count=1"});
    HttpClient client = clientOf(*server);
    ASSERT_EQ(client.mkcol(dav("up")).status, 201u);
    const std::string body = pattern(20000);

    const RawResult raw = client.sendRaw(rawPut(dav("up/file.bin"), body));
    EXPECT_TRUE(raw.statuses().empty()) << raw.received;
    EXPECT_TRUE(raw.peerClosed || !raw.writeError.empty());
    EXPECT_FALSE(raw.timedOut);
    EXPECT_EQ(client.get(dav("up/file.bin")).status, 404u);
    EXPECT_TRUE(leftoverSpoolFiles(*server).empty());
    EXPECT_NE(accessLog(*server).find(" - 0 "), std::string::npos) << accessLog(*server); // no status
    EXPECT_NE(accessLog(*server).find("fault=cut=50%;rule=1;match=0;received=10000"), std::string::npos)
        << accessLog(*server);

    // count=1: the retry goes through.
    const Reply retry = client.put(dav("up/file.bin"), body);
    EXPECT_EQ(retry.status, 201u) << retry.describe();
    EXPECT_TRUE(client.get(dav("up/file.bin")).body == body);
}

TEST(ServerFaultTest, DelayThenServeNormally)
{
    const auto server = startServer({"--faults", "PROPFIND * delay=400 count=1"});
    HttpClient client = clientOf(*server);
    const auto timed = [&] {
        const auto start = std::chrono::steady_clock::now();
        const Reply r = client.propfind(dav(""), "0", "");
        return std::pair(r, std::chrono::steady_clock::now() - start);
    };
    const auto [slow, slowTime] = timed();
    EXPECT_EQ(slow.status, 207u) << slow.describe();
    EXPECT_EQ(slow.header("X-Nubo-Fault"), "delay=400;rule=1;match=0");
    EXPECT_GE(slowTime, std::chrono::milliseconds(390));
    const auto [fast, fastTime] = timed();
    EXPECT_EQ(fast.status, 207u) << fast.describe();
    EXPECT_FALSE(fast.hasHeader("X-Nubo-Fault"));
}

// The statuses of a fixed sequence of 60 requests against a fresh server.
std::string statusSequence(const std::vector<std::string>& arguments)
{
    const auto server = startServer(arguments);
    HttpClient client = clientOf(*server);
    std::string out;
    for (int i = 0; i < 30; ++i) {
        const std::string name = "f" + std::to_string(i % 5) + ".txt";
        out += std::to_string(client.put(dav(name), "content " + std::to_string(i)).status) + " ";
        out += std::to_string(client.get(dav(name)).status) + " ";
    }
    return out;
}

TEST(ServerFaultTest, SameSeedSameFaultsAcrossRuns)
{
    const std::string spec = "PUT /remote.php/dav/files/* status=500 p=0.4; GET * status=503 p=0.3";
    const std::string first = statusSequence({"--faults", spec, "--seed", "1234"});
    const std::string second = statusSequence({"--seed", "1234", "--faults", spec});
    EXPECT_EQ(first, second);
    EXPECT_NE(first.find("500"), std::string::npos) << first;
    EXPECT_NE(first.find("503"), std::string::npos) << first;
    EXPECT_TRUE(first.find("201") != std::string::npos || first.find("204") != std::string::npos) << first;
    EXPECT_NE(first.find("200"), std::string::npos) << first;
    const std::string otherSeed = statusSequence({"--faults", spec, "--seed", "99"});
    EXPECT_NE(first, otherSeed);
}

TEST(ServerFaultTest, BadSpecIsRefusedNamingTheBadPart)
{
    ServerProcess server(serverBinary());
    server.addArguments({"--faults", "PUT * status=503; GET /x stat=500"});
    try {
        server.start();
        ADD_FAILURE() << "the server started with a bad --faults";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("rule 2"), std::string::npos) << message;
        EXPECT_NE(message.find("unknown word \"stat=500\""), std::string::npos) << message;
    }

    ServerProcess badSeed(serverBinary());
    badSeed.addArguments({"--seed", "abc"});
    EXPECT_THROW(badSeed.start(), std::runtime_error);
}

} // namespace
} // namespace nubo::itest
