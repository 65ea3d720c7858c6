// The mass-delete guard and the user's answer to it, against a real nubo-server: a refused run
// says which side deleted what and changes nothing; Delete propagates the deletions; Restore
// brings everything back on the side that deleted it, newer versions included, and only for one
// run.
#include "e2ee_fixture.h"
#include "sync_fixture.h"

#include "journal.h"

#include <set>

namespace nubo::sync::test {
namespace {

// 12 files at the top, and a folder tree "docs" of 3 folders and 4 files: 19 items.
const Tree kSynced = {
    {"docs", kFolder},
    {"docs/a.txt", "a"},
    {"docs/b.txt", "b"},
    {"docs/sub", kFolder},
    {"docs/sub/c.txt", "c"},
    {"docs/sub/deeper", kFolder},
    {"docs/sub/deeper/d.txt", "d"},
    {"f00.txt", "0"},
    {"f01.txt", "1"},
    {"f02.txt", "2"},
    {"f03.txt", "3"},
    {"f04.txt", "4"},
    {"f05.txt", "5"},
    {"f06.txt", "6"},
    {"f07.txt", "7"},
    {"f08.txt", "8"},
    {"f09.txt", "9"},
    {"f10.txt", "10"},
    {"f11.txt", "11"},
};

// The 17 items deleted in each scenario: everything but f10.txt and f11.txt.
std::vector<std::string> deletedPaths()
{
    std::vector<std::string> paths;
    for (const auto& [path, content] : kSynced)
        if (path != "f10.txt" && path != "f11.txt")
            paths.push_back(path);
    return paths; // a std::map's order: sorted
}

Tree survivors() { return Tree{{"f10.txt", "10"}, {"f11.txt", "11"}}; }

// The journal's rows, as text that changes whenever a row does.
std::map<std::string, std::string> journalRows(const SyncClient& client)
{
    auto journal = Journal::open(client.path(JOURNAL_FILE_NAME));
    EXPECT_TRUE(journal.has_value());
    if (!journal)
        return {};
    auto tree = (*journal)->loadAll();
    EXPECT_TRUE(tree.has_value());
    std::map<std::string, std::string> rows;
    for (const auto& [path, r] : tree.value_or(JournalTree{}))
        rows[path] = std::to_string(int(r.type)) + " " + r.serverPath + " " + r.etag + " " + r.fileId + " " +
                     std::to_string(r.inode) + " " + std::to_string(r.size) + " " + std::to_string(r.mtime) + " " +
                     r.checksum;
    return rows;
}

class MassDeleteTest : public SyncFixture {
protected:
    SyncClient& synced()
    {
        auto& a = client("a");
        for (const auto& [path, content] : kSynced) {
            if (content == kFolder)
                a.mkdir(path);
            else
                a.write(path, content);
        }
        a.syncOk();
        EXPECT_TRUE(sameTree(serverTree(), kSynced));
        return a;
    }

    void deleteOnServer()
    {
        serverRemove("docs");
        for (int i = 0; i < 10; ++i)
            serverRemove("f0" + std::to_string(i) + ".txt");
    }

    void deleteHere(SyncClient& a)
    {
        a.remove("docs");
        for (int i = 0; i < 10; ++i)
            a.remove("f0" + std::to_string(i) + ".txt");
    }

    // A refused run: the report, and nothing changed anywhere.
    void expectRefused(SyncClient& a, bool deletedOnServer)
    {
        const Tree localBefore = a.tree();
        const Tree serverBefore = serverTree();
        const auto rowsBefore = journalRows(a);
        auto refused = a.sync();
        ASSERT_FALSE(refused.has_value());
        EXPECT_EQ(refused.error().code, SyncErrorCode::MassDelete);
        EXPECT_NE(refused.error().message.find("17 of 19"), std::string::npos) << refused.error().message;
        ASSERT_NE(refused.error().massDelete, nullptr);
        const MassDeleteReport& report = *refused.error().massDelete;
        EXPECT_EQ(report.deletedOnServer, deletedOnServer);
        EXPECT_EQ(report.total, 17);
        EXPECT_EQ(report.known, 19);
        EXPECT_EQ(report.onServer, deletedOnServer ? 17 : 0);
        EXPECT_EQ(report.here, deletedOnServer ? 0 : 17);
        EXPECT_EQ(report.paths, deletedPaths());
        EXPECT_TRUE(sameTree(a.tree(), localBefore));
        EXPECT_TRUE(sameTree(serverTree(), serverBefore));
        EXPECT_EQ(journalRows(a), rowsBefore);
        EXPECT_TRUE(!fs::exists(a.trash() / "files") || fs::is_empty(a.trash() / "files"));
    }

    // The next runs, left at Refuse, find nothing left to do.
    void expectSettled(SyncClient& a, const Tree& expected)
    {
        a.options.massDeleteDecision = MassDeleteDecision::Refuse;
        const SyncSummary next = a.syncOk();
        EXPECT_EQ(next.deletedLocal + next.deletedRemote + next.uploaded + next.downloaded + next.foldersCreated, 0);
        EXPECT_TRUE(sameTree(a.tree(), expected));
        EXPECT_TRUE(sameTree(serverTree(), expected));
    }
};

// ---- refused: the report, nothing touched ---------------------------------------------------------

TEST_F(MassDeleteTest, DeletedOnTheServerIsRefusedWithTheListAndNothingChanges)
{
    auto& a = synced();
    deleteOnServer();
    expectRefused(a, true);
    expectRefused(a, true); // asked again, still nothing changed
    EXPECT_TRUE(sameTree(a.tree(), kSynced));
}

TEST_F(MassDeleteTest, DeletedHereIsRefusedWithTheListAndNothingChanges)
{
    auto& a = synced();
    deleteHere(a);
    expectRefused(a, false);
    EXPECT_TRUE(sameTree(a.tree(), survivors()));
    EXPECT_TRUE(sameTree(serverTree(), kSynced));
}

TEST_F(MassDeleteTest, TheListIsCappedAndTheTotalCountsEverything)
{
    auto& a = synced();
    deleteOnServer();
    a.options.massDeletePathsKept = 5;
    auto refused = a.sync();
    ASSERT_FALSE(refused.has_value());
    ASSERT_NE(refused.error().massDelete, nullptr);
    const std::vector<std::string> all = deletedPaths();
    EXPECT_EQ(refused.error().massDelete->paths, std::vector<std::string>(all.begin(), all.begin() + 5));
    EXPECT_EQ(refused.error().massDelete->total, 17);
}

// ---- Delete ---------------------------------------------------------------------------------------

TEST_F(MassDeleteTest, DeleteAfterAServerDeletionMovesThemToTheTrashHere)
{
    auto& a = synced();
    deleteOnServer();
    a.options.massDeleteDecision = MassDeleteDecision::Delete;
    const SyncSummary summary = a.syncOk();
    EXPECT_EQ(summary.deletedLocal, 11); // "docs" and ten files; the folder took its subtree along
    EXPECT_TRUE(sameTree(a.tree(), survivors()));
    EXPECT_EQ(readFile(a.trash() / "files" / "docs" / "sub" / "deeper" / "d.txt"), "d");
    EXPECT_EQ(readFile(a.trash() / "files" / "f03.txt"), "3");
    expectSettled(a, survivors());
}

TEST_F(MassDeleteTest, DeleteAfterALocalDeletionDeletesThemOnTheServer)
{
    auto& a = synced();
    deleteHere(a);
    a.options.massDeleteDecision = MassDeleteDecision::Delete;
    EXPECT_EQ(a.syncOk().deletedRemote, 11);
    EXPECT_TRUE(sameTree(serverTree(), survivors()));
    expectSettled(a, survivors());
}

// ---- Restore --------------------------------------------------------------------------------------

TEST_F(MassDeleteTest, RestoreAfterAServerDeletionUploadsThemAgainWithTheirFolders)
{
    auto& a = synced();
    deleteOnServer();
    expectRefused(a, true);
    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    const SyncSummary summary = a.syncOk();
    EXPECT_EQ(summary.uploaded, 14);
    EXPECT_EQ(summary.foldersCreated, 3);
    EXPECT_EQ(summary.deletedLocal + summary.deletedRemote, 0);
    EXPECT_TRUE(sameTree(serverTree(), kSynced));
    EXPECT_TRUE(sameTree(a.tree(), kSynced));
    EXPECT_FALSE(fs::exists(a.trash() / "files" / "f03.txt"));
    expectSettled(a, kSynced);
}

TEST_F(MassDeleteTest, RestoreAfterALocalDeletionDownloadsThemAgainWithTheirFolders)
{
    auto& a = synced();
    deleteHere(a);
    expectRefused(a, false);
    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    const SyncSummary summary = a.syncOk();
    EXPECT_EQ(summary.downloaded, 14);
    EXPECT_EQ(summary.foldersCreated, 3);
    EXPECT_EQ(summary.deletedLocal + summary.deletedRemote, 0);
    EXPECT_TRUE(sameTree(a.tree(), kSynced));
    EXPECT_TRUE(sameTree(serverTree(), kSynced));
    expectSettled(a, kSynced);
}

TEST_F(MassDeleteTest, RestoreOfAServerDeletionKeepsAnEditMadeHereMeanwhile)
{
    auto& a = synced();
    deleteOnServer();
    expectRefused(a, true);
    // While the question waits, two of the files are edited here.
    a.write("f03.txt", "3, edited here");
    a.write("docs/sub/c.txt", "c, edited here");
    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    a.syncOk();
    Tree expected = kSynced;
    expected["f03.txt"] = "3, edited here";
    expected["docs/sub/c.txt"] = "c, edited here";
    EXPECT_TRUE(sameTree(serverTree(), expected));
    EXPECT_TRUE(sameTree(a.tree(), expected));
    EXPECT_TRUE(a.conflictCopies().empty());
    expectSettled(a, expected);
}

TEST_F(MassDeleteTest, RestoreOfALocalDeletionBringsBackTheServersNewerVersion)
{
    auto& a = synced();
    deleteHere(a);
    expectRefused(a, false);
    // While the question waits, another device edits two of them on the server.
    serverWrite("f03.txt", "3, edited on the server");
    serverWrite("docs/sub/c.txt", "c, edited on the server");
    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    a.syncOk();
    Tree expected = kSynced;
    expected["f03.txt"] = "3, edited on the server";
    expected["docs/sub/c.txt"] = "c, edited on the server";
    EXPECT_TRUE(sameTree(a.tree(), expected));
    EXPECT_TRUE(sameTree(serverTree(), expected));
    expectSettled(a, expected);
}

TEST_F(MassDeleteTest, ARestoreThatFailsForSomeItemsKeepsTheirJournalRowsAndTheirData)
{
    auto& a = synced();
    deleteOnServer();
    expectRefused(a, true);
    const auto rowsBefore = journalRows(a);
    restartServer({"--faults", "PUT * status=507 count=3"});
    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    auto result = a.sync();
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->errors.size(), 3u);
    EXPECT_EQ(result->uploaded, 11);
    EXPECT_TRUE(sameTree(a.tree(), kSynced)) << "nothing is deleted here";
    // What went up has a new row; what did not keeps the row it had, so it is not taken for synced.
    const auto rowsAfter = journalRows(a);
    std::set<std::string> failed;
    for (const ItemReport& error : result->errors)
        failed.insert(error.path);
    for (const std::string& path : deletedPaths()) {
        if (kSynced.at(path) == kFolder)
            continue;
        if (failed.contains(path))
            EXPECT_EQ(rowsAfter.at(path), rowsBefore.at(path)) << path;
        else
            EXPECT_NE(rowsAfter.at(path), rowsBefore.at(path)) << path;
    }
    const Tree onServer = serverTree();
    for (const std::string& path : failed)
        EXPECT_FALSE(onServer.contains(path)) << path;
    EXPECT_EQ(onServer.size(), kSynced.size() - failed.size());
}

// The answer an app got from the user applies to the next run of the engine only.
TEST_F(MassDeleteTest, ADecisionForTheNextRunIsUsedOnceThenTheGuardIsBack)
{
    auto& a = synced();
    deleteOnServer();
    SyncEngine engine(a.remote(), a.options);
    engine.decideMassDeleteForNextRun(MassDeleteDecision::Restore);
    auto restored = engine.run();
    ASSERT_TRUE(restored.has_value()) << restored.error().message;
    EXPECT_EQ(restored->uploaded, 14);
    EXPECT_TRUE(sameTree(serverTree(), kSynced));

    auto quiet = engine.run(); // nothing left to delete: the guard has nothing to say
    ASSERT_TRUE(quiet.has_value()) << quiet.error().message;
    EXPECT_EQ(quiet->deletedLocal + quiet->uploaded, 0);

    deleteOnServer();
    auto refused = engine.run();
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SyncErrorCode::MassDelete);
    EXPECT_TRUE(sameTree(a.tree(), kSynced));
}

// ---- inside an end-to-end encrypted folder ---------------------------------------------------

using MassDeleteE2ee = E2eeSync;

// Device a and device b hold "vault" with 12 secret files; b deletes them and allows it.
void deletedByTheOtherDevice(SyncClient& a, SyncClient& b)
{
    a.syncOk();
    for (int i = 0; i < 12; ++i)
        a.write("vault/secret-" + std::to_string(i) + ".txt", "secret marker 9f3b " + std::to_string(i));
    EXPECT_EQ(a.syncOk().uploaded, 12);
    b.syncOk();
    for (int i = 0; i < 12; ++i)
        b.remove("vault/secret-" + std::to_string(i) + ".txt");
    b.options.massDeleteDecision = MassDeleteDecision::Delete;
    EXPECT_EQ(b.syncOk().deletedRemote, 12);
    b.options.massDeleteDecision = MassDeleteDecision::Refuse;
}

TEST_F(MassDeleteE2ee, RestoreInsideAnEncryptedFolderUploadsThemEncryptedAgain)
{
    auto& a = device("a");
    auto& b = device("b");
    deletedByTheOtherDevice(a, b);
    auto refused = a.sync();
    ASSERT_FALSE(refused.has_value());
    ASSERT_NE(refused.error().massDelete, nullptr);
    EXPECT_TRUE(refused.error().massDelete->deletedOnServer);
    EXPECT_EQ(refused.error().massDelete->total, 12);
    EXPECT_EQ(refused.error().massDelete->paths.front(), "vault/secret-0.txt");

    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    EXPECT_EQ(a.syncOk().uploaded, 12);
    std::string bad;
    EXPECT_TRUE(onlyHexNamesBelow(server(), "vault", bad)) << bad;
    const std::string stored = everythingStored(m_server->dataDir());
    EXPECT_EQ(stored.find("secret marker 9f3b"), std::string::npos) << "restored encrypted, never in plain";
    EXPECT_EQ(stored.find("secret-0"), std::string::npos);

    // The other device gets them back, decrypted, and nobody has anything left to delete.
    b.syncOk();
    EXPECT_EQ(b.read("vault/secret-7.txt"), "secret marker 9f3b 7");
    EXPECT_TRUE(sameTree(a.tree(), b.tree()));
    a.options.massDeleteDecision = MassDeleteDecision::Refuse;
    const SyncSummary settled = a.syncOk();
    EXPECT_EQ(settled.uploaded + settled.downloaded + settled.deletedLocal + settled.deletedRemote, 0);
}

TEST_F(MassDeleteE2ee, AnEncryptedFolderDeletedOnTheServerIsNotRestoredInPlain)
{
    auto& a = device("a");
    a.syncOk();
    for (int i = 0; i < 12; ++i)
        a.write("vault/secret-" + std::to_string(i) + ".txt", "secret marker 9f3b " + std::to_string(i));
    a.syncOk();
    // Another client deletes the whole encrypted folder, under its lock.
    auto current = verifiedByWriter(m_vaultId);
    ASSERT_TRUE(current.has_value()) << current.error().message;
    auto token = m_api->lock(m_vaultId, current->metadata.counter + 1);
    ASSERT_TRUE(token.has_value()) << token.error().message;
    auto removed = server().remove("vault", std::nullopt, *token);
    ASSERT_TRUE(removed.has_value()) << removed.error().message;
    auto refused = a.sync();
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SyncErrorCode::MassDelete);

    a.options.massDeleteDecision = MassDeleteDecision::Restore;
    auto result = a.sync();
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->uploaded, 0);
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_EQ(result->errors[0].path, "vault");
    EXPECT_NE(result->errors[0].message.find("not uploaded again unencrypted"), std::string::npos)
        << result->errors[0].message;
    EXPECT_EQ(a.read("vault/secret-3.txt"), "secret marker 9f3b 3") << "kept here";
    EXPECT_FALSE(server().stat("vault").has_value());
    EXPECT_EQ(everythingStored(m_server->dataDir()).find("secret marker 9f3b"), std::string::npos);
}

} // namespace
} // namespace nubo::sync::test
