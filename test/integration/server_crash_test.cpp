// kill -9 nubo-server while clients upload, restart it on the same data folder, and check that
// what it serves is consistent: every listed file is a complete version that some client sent,
// folder sizes add up, and no spooled or orphaned content is left behind.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "http_client.h"
#include "server_process.h"

namespace nubo::itest {
namespace {

// A version of file `name` that proves its own integrity: a header naming it and its
// length, then a byte pattern derived from both.
std::string content(const std::string& name, std::size_t version, std::size_t size)
{
    std::string out = name + "#" + std::to_string(version) + "#" + std::to_string(size) + "\n";
    std::mt19937 random(static_cast<unsigned>(std::hash<std::string>{}(name) ^ version));
    while (out.size() < size) out.push_back(static_cast<char>('a' + random() % 26));
    out.resize(std::max(size, out.size()));
    return out;
}

bool isCompleteVersion(const std::string& name, const std::string& body)
{
    const std::regex header("^([^#]+)#([0-9]+)#([0-9]+)\n");
    std::smatch match;
    if (!std::regex_search(body, match, header) || match[1] != name) return false;
    const auto size = std::stoul(match[3]);
    return body == content(name, std::stoul(match[2]), size);
}

TEST(ServerCrash, KillNineDuringUploadsLeavesAConsistentState)
{
    ServerProcess server(NUBO_SERVER_BINARY);
    server.addUser("alice", "secret");
    server.start();
    HttpClient setup(server.host(), server.port());
    setup.setBasicAuth("alice", "secret");
    ASSERT_EQ(setup.mkcol("/remote.php/dav/files/alice/up").status, 201u);

    for (int round = 0; round < 3; ++round) {
        std::atomic<bool> stop{false};
        std::vector<std::thread> writers;
        for (int w = 0; w < 4; ++w) {
            writers.emplace_back([&, w] {
                HttpClient client(server.host(), server.port());
                client.setBasicAuth("alice", "secret");
                client.setTimeout(std::chrono::seconds(5));
                std::mt19937 random(static_cast<unsigned>(round * 10 + w));
                for (std::size_t version = 0; !stop; ++version) {
                    const std::string name = "f" + std::to_string(random() % 12);
                    const std::size_t size = 64 + random() % (512 * 1024);
                    try {
                        client.put("/remote.php/dav/files/alice/up/" + name, content(name, version, size));
                    } catch (const std::exception&) {
                        return; // the server died under us: that is the point
                    }
                }
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300 + 200 * round));
        server.kill9();
        stop = true;
        for (auto& writer : writers) writer.join();

        server.restart();
        HttpClient check(server.host(), server.port());
        check.setBasicAuth("alice", "secret");
        const Reply listing = check.propfind("/remote.php/dav/files/alice/up/", "1",
                                             R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">)"
                                             R"(<d:prop><d:getcontentlength/><oc:size/></d:prop></d:propfind>)");
        ASSERT_EQ(listing.status, 207u);
        const std::regex item("<d:href>/remote.php/dav/files/alice/up/(f[0-9]+)</d:href>");
        std::size_t files = 0;
        for (auto it = std::sregex_iterator(listing.body.begin(), listing.body.end(), item); it != std::sregex_iterator(); ++it) {
            const std::string name = (*it)[1];
            const Reply body = check.get("/remote.php/dav/files/alice/up/" + name);
            ASSERT_EQ(body.status, 200u) << name << " is listed but cannot be read";
            EXPECT_TRUE(isCompleteVersion(name, body.body)) << name << " holds a partial or foreign version (round "
                                                           << round << ", " << body.body.size() << " bytes)";
            ++files;
        }
        EXPECT_GT(files, 0u) << "no upload completed before the kill";
        // Nothing spooled survives a restart.
        std::size_t leftovers = 0;
        for (const auto& entry : std::filesystem::directory_iterator(server.dataDir() / "tmp")) {
            (void)entry;
            ++leftovers;
        }
        EXPECT_EQ(leftovers, 0u);
        // Every stored blob belongs to exactly one listed file: nothing orphaned survives either.
        std::size_t blobs = 0;
        for (const auto& entry : std::filesystem::directory_iterator(server.dataDir() / "blobs")) {
            (void)entry;
            ++blobs;
        }
        EXPECT_EQ(blobs, files);
    }
}

} // namespace
} // namespace nubo::itest
