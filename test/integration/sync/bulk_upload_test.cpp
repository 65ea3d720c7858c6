// The engine's bulk upload (POST /remote.php/dav/bulk) against a real nubo-server: new small files
// of plain folders go up in batches when the server advertises dav.bulkupload, never files of an
// encrypted folder, and every failure of a bulk (a reply that says nothing usable, a cut request,
// a 500, one part refused) ends with each file either stored on the server or reported as an
// error and absent from the journal.
#include "e2ee_fixture.h"
#include "journal.h"

#include <QByteArray>

namespace nubo::sync::test {
namespace {

const std::string kBulk = "/remote.php/dav/bulk";

std::string contentOf(int i)
{
    return "file number " + std::to_string(i) + "\n" + std::string(static_cast<std::size_t>(i % 97), 'x');
}

std::string nameOf(int i)
{
    char name[32];
    std::snprintf(name, sizeof name, "d%d/f%03d.txt", i % 3, i);
    return name;
}

class BulkUpload : public SyncFixture {
protected:
    // A client whose sync folder is `root` on the server (nubocmd --path).
    SyncClient& clientAt(const std::string& name, const std::string& root)
    {
        auto& slot = m_clients[name];
        if (!slot)
            slot = std::make_unique<SyncClient>(m_work / name, std::make_shared<WebDavClient>(connect(), root),
                                                m_work / ("trash-" + name));
        return *slot;
    }

    // Writes n new files into `c` across three folders.
    void writeFiles(SyncClient& c, int n)
    {
        for (int i = 0; i < n; ++i)
            c.write(nameOf(i), contentOf(i));
    }

    // Every file is on the server below `root` with its content, and a second client at the
    // same root gets the same tree.
    void expectStored(SyncClient& c, const std::string& root, int n)
    {
        for (int i = 0; i < n; ++i)
            EXPECT_EQ(serverRead(joinPath(root, nameOf(i))), contentOf(i)) << nameOf(i);
        auto& other = clientAt("other", root);
        other.syncOk();
        EXPECT_TRUE(sameTree(other.tree(), c.tree()));
    }

    // 30 new files go up through `remote`, whose bulk results the engine cannot believe while the
    // server stored every file: nothing is recorded from the bulk, each file is sent again on its
    // own as new (412: the server already has it), and the next run finds the same bytes on both
    // sides and records them, without a conflict copy.
    template <class Decorator>
    void expectNothingRecordedFromTheBulk(SyncClient& a, const std::shared_ptr<Decorator>& remote)
    {
        a.remote() = remote;
        a.options.maxRetries = 0;
        writeFiles(a, 30);
        const std::string before = accessLog();
        auto first = a.sync();
        ASSERT_TRUE(first.has_value()) << first.error().message;
        EXPECT_EQ(remote->bulks.load(), 3); // 30 files: 3 requests of 10
        const std::string log = accessLog().substr(before.size());
        EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/d"), 30) << log;
        EXPECT_EQ(countRequests(log, "PUT", " 412 "), 30) << log;
        EXPECT_EQ(first->errors.size(), 30u);
        EXPECT_EQ(first->uploaded, 0);
        const JournalTree journal = journalOf(a);
        for (int i = 0; i < 30; ++i)
            EXPECT_FALSE(journal.contains(nameOf(i))) << nameOf(i);
        const SyncSummary second = a.syncOk();
        EXPECT_EQ(second.uploaded + second.downloaded + second.conflicts, 0);
        EXPECT_TRUE(a.conflictCopies().empty());
        expectStored(a, "", 30);
    }
};

// Batches of at most 100 files, as the official client sends, but shared among the workers when
// there are fewer: the server stores a request's files one after another.
TEST_F(BulkUpload, NewFilesGoUpInBatchesSharedAmongTheWorkersBelowTheAccountsRoot)
{
    restartServer({"--bulk-upload"});
    // The sync folder is below the user's root: X-File-Path must name the files from the root.
    serverMkdir("Base");
    serverMkdir("Base/Sync");
    auto& a = clientAt("a", "Base/Sync");
    writeFiles(a, 250);
    const std::string before = accessLog();
    const SyncSummary summary = a.syncOk();
    EXPECT_EQ(summary.uploaded, 250);
    const std::string log = accessLog().substr(before.size());
    EXPECT_EQ(countRequests(log, "POST", kBulk + " 200"), 6) << log; // 5 x 42 + 40, one per worker
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/"), 0) << log;
    EXPECT_FALSE(server().stat("d0").has_value()) << "files landed at the user's root";
    // One report per file, as for PUTs.
    int finished = 0;
    for (const ItemReport& item : a.finishedItems)
        finished += item.kind == ActionKind::Upload && item.ok;
    EXPECT_EQ(finished, 250);
    expectStored(a, "Base/Sync", 250);
    // The journal holds what the server stated: nothing to do on the next run.
    const SyncSummary again = a.syncOk();
    EXPECT_EQ(again.uploaded + again.downloaded + again.conflicts, 0);
    const JournalTree journal = journalOf(a);
    ASSERT_TRUE(journal.contains(nameOf(7)));
    EXPECT_FALSE(journal.at(nameOf(7)).etag.empty());
    EXPECT_FALSE(journal.at(nameOf(7)).fileId.empty());
    EXPECT_EQ(journal.at(nameOf(7)).serverPath, nameOf(7));

    // Many files: never more than 100 in one request.
    for (int i = 0; i < 1250; ++i)
        a.write("more/f" + std::to_string(i) + ".txt", std::to_string(i));
    const std::string beforeMore = accessLog();
    EXPECT_EQ(a.syncOk().uploaded, 1250);
    const std::string moreLog = accessLog().substr(beforeMore.size());
    EXPECT_EQ(countRequests(moreLog, "POST", kBulk + " 200"), 13) << moreLog; // 12 x 100 + 50
}

TEST_F(BulkUpload, WithoutTheCapabilityNewFilesGoByPut)
{
    auto& a = client("a");
    writeFiles(a, 20);
    const std::string before = accessLog();
    EXPECT_EQ(a.syncOk().uploaded, 20);
    const std::string log = accessLog().substr(before.size());
    EXPECT_EQ(countRequests(log, "POST", kBulk), 0) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/d"), 20) << log;
    expectStored(a, "", 20);
}

TEST_F(BulkUpload, ChangedLargeAndEmptyFilesGoByPut)
{
    restartServer({"--bulk-upload"});
    auto& a = client("a");
    writeFiles(a, 10);
    a.syncOk();
    // Changed files need If-Match, which the bulk endpoint of Nextcloud ignores; a file above the
    // bulk limit goes on its own. Two new small files make the one bulk request.
    a.write(nameOf(1), "changed one");
    a.write(nameOf(2), "changed two");
    a.write("big.bin", std::string((1 << 20) + 1, 'b'));
    a.write("new1.txt", "new one");
    a.write("new2.txt", "new two");
    a.write("empty.txt", ""); // never in bulk: see Propagator::bulkCandidate
    const std::string before = accessLog();
    EXPECT_EQ(a.syncOk().uploaded, 6);
    const std::string log = accessLog().substr(before.size());
    EXPECT_EQ(countRequests(log, "POST", kBulk), 1) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/"), 4) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/empty.txt"), 1) << log;
    EXPECT_EQ(serverRead(nameOf(1)), "changed one");
    EXPECT_EQ(serverRead("new2.txt"), "new two");
}

// The server stored every file, but the reply said nothing usable about them (what a reply that
// is not the expected JSON gives; WebDavClient's parser is tested on such replies in
// webdav_client_test.cpp): no file may be recorded from the bulk.
class ReplyLost final : public ForwardingRemoteFs {
public:
    using ForwardingRemoteFs::ForwardingRemoteFs;
    Result<std::vector<Result<UploadResult>>> uploadBulk(const std::vector<BulkUploadItem>& items,
                                                        const BulkUploadOptions& options) override
    {
        auto results = m_inner->uploadBulk(items, options);
        if (!results)
            return results;
        ++bulks;
        for (auto& result : *results)
            result = std::unexpected(SyncError{SyncErrorCode::Protocol, "the bulk upload's reply is not JSON", 200});
        return results;
    }
    std::atomic<int> bulks{0};
};

TEST_F(BulkUpload, AReplyThatSaysNothingUsableRecordsNothingAndTheFilesAreComparedAgain)
{
    restartServer({"--bulk-upload"});
    auto& a = client("a");
    expectNothingRecordedFromTheBulk(a, std::make_shared<ReplyLost>(a.remote()));
}

// A transport whose result list lost its last entry (1748d5d): the results no longer say which
// file each one is about, so none of them is believed. Indexed as they were, the last file was
// read past the list's end.
class ReplyShort final : public ForwardingRemoteFs {
public:
    using ForwardingRemoteFs::ForwardingRemoteFs;
    Result<std::vector<Result<UploadResult>>> uploadBulk(const std::vector<BulkUploadItem>& items,
                                                        const BulkUploadOptions& options) override
    {
        auto results = m_inner->uploadBulk(items, options);
        if (results && !results->empty()) {
            ++bulks;
            results->pop_back();
        }
        return results;
    }
    std::atomic<int> bulks{0};
};

TEST_F(BulkUpload, AResultListOfTheWrongLengthRecordsNothingFromTheBulk)
{
    restartServer({"--bulk-upload"});
    auto& a = client("a");
    expectNothingRecordedFromTheBulk(a, std::make_shared<ReplyShort>(a.remote()));
}

TEST_F(BulkUpload, ACutBulkRequestFallsBackToPut)
{
    restartServer({"--bulk-upload", "--faults", "POST /remote.php/dav/bulk cut=50%"});
    auto& a = client("a");
    writeFiles(a, 30);
    const std::string before = accessLog();
    const SyncSummary summary = a.syncOk();
    EXPECT_EQ(summary.uploaded, 30);
    const std::string log = accessLog().substr(before.size());
    EXPECT_GE(countRequests(log, "POST", "fault=cut"), 1) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/d"), 30) << log;
    expectStored(a, "", 30);
    const JournalTree journal = journalOf(a);
    for (int i = 0; i < 30; ++i)
        EXPECT_TRUE(journal.contains(nameOf(i))) << nameOf(i);
}

TEST_F(BulkUpload, AServerErrorOnTheBulkFallsBackToPut)
{
    restartServer({"--bulk-upload", "--faults", "POST /remote.php/dav/bulk status=500"});
    auto& a = client("a");
    writeFiles(a, 30);
    const std::string before = accessLog();
    EXPECT_EQ(a.syncOk().uploaded, 30);
    const std::string log = accessLog().substr(before.size());
    EXPECT_EQ(countRequests(log, "POST", kBulk + " 500"), 3) << log; // 30 files: 3 requests of 10
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/d"), 30) << log;
    expectStored(a, "", 30);
}

TEST_F(BulkUpload, APartOverTheQuotaFailsAloneAndIsNotRecorded)
{
    restartServer({"--bulk-upload", "--quota", "alice:200000"});
    auto& a = client("a");
    writeFiles(a, 20);
    a.write("d1/big.bin", std::string(600'000, 'q'));
    const std::string before = accessLog();
    auto result = a.sync();
    ASSERT_TRUE(result.has_value()) << result.error().message;
    const std::string log = accessLog().substr(before.size());
    EXPECT_GE(countRequests(log, "POST", kBulk + " 200"), 1) << log;
    // Only the refused file was sent again, and the PUT says why.
    EXPECT_GE(countRequests(log, "PUT", "/remote.php/dav/files/alice/d1/big.bin 507"), 1) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/d"),
              countRequests(log, "PUT", "/remote.php/dav/files/alice/d1/big.bin"))
        << log;
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_EQ(result->errors[0].path, "d1/big.bin");
    EXPECT_EQ(result->errors[0].code, SyncErrorCode::InsufficientStorage);
    for (const ItemReport& item : a.finishedItems) {
        if (item.path == "d1/big.bin") {
            EXPECT_FALSE(item.ok);
        }
    }
    EXPECT_FALSE(server().stat("d1/big.bin").has_value());
    const JournalTree journal = journalOf(a);
    EXPECT_FALSE(journal.contains("d1/big.bin"));
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(serverRead(nameOf(i)), contentOf(i)) << nameOf(i);
        EXPECT_TRUE(journal.contains(nameOf(i))) << nameOf(i);
    }
}

// A plain folder and an encrypted one in the same run: only the plain folder's files go in bulk.
TEST_F(E2eeSync, NewFilesOfAnEncryptedFolderNeverGoInABulkUpload)
{
    restartServer({"--bulk-upload"});
    auto& a = device("a");
    a.syncOk();
    for (int i = 0; i < 20; ++i) {
        a.write("vault/v" + std::to_string(i) + ".txt", "secret " + std::to_string(i));
        a.write("plain/p" + std::to_string(i) + ".txt", "plain " + std::to_string(i));
    }
    const std::string before = accessLog();
    EXPECT_EQ(a.syncOk().uploaded, 40);
    const std::string log = accessLog().substr(before.size());
    EXPECT_EQ(countRequests(log, "POST", "/remote.php/dav/bulk 200"), 2) << log; // 20 plain files: 10 + 10
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/vault/"), 20) << log;
    EXPECT_EQ(countRequests(log, "PUT", "/remote.php/dav/files/alice/plain/"), 0) << log;
    std::string bad;
    EXPECT_TRUE(onlyHexNamesBelow(server(), "vault", bad)) << bad;
    auto& b = device("b");
    b.syncOk();
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(b.read("vault/v" + std::to_string(i) + ".txt"), "secret " + std::to_string(i));
        EXPECT_EQ(b.read("plain/p" + std::to_string(i) + ".txt"), "plain " + std::to_string(i));
    }
}

} // namespace
} // namespace nubo::sync::test
