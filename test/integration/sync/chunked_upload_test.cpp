// Large files through the engine against a real nubo-server: chunks of one plain upload go in
// parallel, and a chunk that fails while others succeed never leaves a journal row for a file the
// server does not hold whole; the next run resumes after the chunks already there.
#include "e2ee_fixture.h"
#include "journal.h"

#include <sstream>

namespace nubo::sync::test {
namespace {

// 8 MiB, every 4 KiB block different, so a misplaced or missing chunk shows in the content.
std::string eightMiB()
{
    std::string data(8 << 20, '\0');
    for (std::size_t i = 0; i < data.size(); i += 4096) {
        const std::string mark = std::to_string(i / 4096) + ";";
        data.replace(i, mark.size(), mark);
    }
    return data;
}

void expectNoPartialFile(SyncFixture* fixture, SyncClient& a, const Result<SyncSummary>& first, const std::string& data,
                         WebDavClient& server)
{
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto stored = server.stat("big.bin");
    if (first->errors.empty()) {
        // Qt resent what was cut, and the file went up whole.
        ASSERT_TRUE(stored.has_value());
        EXPECT_EQ(stored->size, static_cast<std::int64_t>(data.size()));
    } else {
        ASSERT_EQ(first->errors.size(), 1u);
        EXPECT_EQ(first->errors[0].path, "big.bin");
        EXPECT_FALSE(stored.has_value()) << "a failed chunked upload left a file on the server";
        EXPECT_FALSE(journalOf(a).contains("big.bin"));
    }
    (void)fixture;
}

class ChunkedUpload : public SyncFixture {
protected:
    SyncClient& chunking(const std::string& name)
    {
        auto& c = client(name);
        c.options.chunkThreshold = 1 << 20;
        c.options.chunkSize = 1 << 20;
        c.options.maxRetries = 0;
        return c;
    }
};

TEST_F(ChunkedUpload, AChunkThatFailsWhileOthersSucceedLeavesNoRowAndTheNextRunResumes)
{
    auto& a = chunking("a");
    const std::string data = eightMiB();
    a.write("big.bin", data);
    restartServer({"--faults", "PUT /remote.php/dav/uploads/* status=500 after=2 count=1"});
    const auto first = a.sync();
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->errors.size(), 1u);
    EXPECT_EQ(first->errors[0].path, "big.bin");
    EXPECT_FALSE(server().stat("big.bin").has_value());
    EXPECT_FALSE(journalOf(a).contains("big.bin"));
    for (const ItemReport& item : a.finishedItems) {
        if (item.path == "big.bin") {
            EXPECT_FALSE(item.ok);
        }
    }
    // The next run keeps the chunks from the start that arrived (which ones depends on which of
    // the parallel chunks got the 500; webdav_client_test.cpp checks the resume itself).
    EXPECT_EQ(a.syncOk().uploaded, 1);
    EXPECT_EQ(serverRead("big.bin"), data);
    EXPECT_TRUE(journalOf(a).contains("big.bin"));
}

TEST_F(ChunkedUpload, AChunkCutWhileOthersSucceedLeavesNoPartialFile)
{
    auto& a = chunking("a");
    const std::string data = eightMiB();
    a.write("big.bin", data);
    restartServer({"--faults", "PUT /remote.php/dav/uploads/* cut=50% after=1 count=2"});
    const auto first = a.sync();
    expectNoPartialFile(this, a, first, data, server());
    a.syncOk();
    EXPECT_EQ(serverRead("big.bin"), data);
    EXPECT_TRUE(journalOf(a).contains("big.bin"));
}

// The end time (whole seconds) and duration of each chunk PUT in the access log.
std::vector<std::pair<std::string, double>> chunkPutsOf(const std::string& log)
{
    std::vector<std::pair<std::string, double>> puts;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string time, method, target, status, bytes, duration;
        words >> time >> method >> target >> status >> bytes >> duration;
        if (method == "PUT" && target.starts_with("/remote.php/dav/uploads/"))
            puts.emplace_back(time, std::stod(duration));
    }
    return puts;
}

TEST_F(ChunkedUpload, ChunksOfOnePlainUploadOverlapInTime)
{
    auto& a = chunking("a");
    a.options.parallelism = 1;
    const std::string data = eightMiB();
    a.write("big.bin", data);
    // Each chunk PUT waits 1.5 s at the server. One after another, no two of them can end within
    // the same second of the log; sent together, they do.
    restartServer({"--faults", "PUT /remote.php/dav/uploads/* delay=1500"});
    EXPECT_EQ(a.syncOk().uploaded, 1);
    const auto puts = chunkPutsOf(accessLog());
    ASSERT_GE(puts.size(), 3u) << accessLog();
    std::map<std::string, int> endedIn;
    for (const auto& [time, ms] : puts) {
        EXPECT_GE(ms, 1500) << time;
        ++endedIn[time];
    }
    int most = 0;
    for (const auto& [time, n] : endedIn)
        most = std::max(most, n);
    EXPECT_GE(most, 2) << accessLog();
    EXPECT_EQ(serverRead("big.bin"), data);
}

TEST_F(ChunkedUpload, ChunkSizesAdaptAndStayWithinTheChunkLimit)
{
    auto& a = chunking("a");
    const std::string data = eightMiB();
    a.write("big.bin", data);
    EXPECT_EQ(a.syncOk().uploaded, 1);
    // Fast loopback chunks grow past the first 1 MiB ones: fewer than 8 chunks.
    const auto puts = chunkPutsOf(accessLog());
    EXPECT_GE(puts.size(), 3u);
    EXPECT_LT(puts.size(), 8u) << accessLog();
    EXPECT_EQ(serverRead("big.bin"), data);
}

TEST_F(E2eeSync, AnEncryptedLargeFileStillGoesInFixedChunksOneAfterAnother)
{
    auto& a = device("a");
    a.options.chunkThreshold = 1 << 20;
    a.options.chunkSize = 1 << 20;
    a.syncOk();
    const std::string data = eightMiB();
    a.write("vault/big.bin", data);
    restartServer({"--faults", "PUT /remote.php/dav/uploads/* delay=1100"});
    a.syncOk();
    const auto puts = chunkPutsOf(accessLog());
    EXPECT_EQ(puts.size(), 9u); // 8 MiB + the 16-byte tag in 1 MiB chunks
    std::map<std::string, int> endedIn;
    for (const auto& [time, ms] : puts)
        EXPECT_EQ(++endedIn[time], 1) << "two encrypted chunks ended within one second";
    auto& b = device("b");
    b.syncOk();
    EXPECT_EQ(b.read("vault/big.bin"), data);
}

} // namespace
} // namespace nubo::sync::test
