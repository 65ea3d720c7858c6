// The reconcile rules, one row each. A tree is built from a few letters per side so that a row
// reads like the rule it checks; the expected plan is written as "kind path" lines.
#include "reconcile.h"

#include "item_name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace nubo::sync {
namespace {

// The journal's view of the file "f": size 10, mtime 100, inode 7, ETag "e1", file id "11".
JournalRecord journalFile(std::uint64_t inode = 7, std::string etag = "e1", std::string fileId = "11")
{
    JournalRecord r;
    r.type = ItemType::File;
    r.inode = inode;
    r.size = 10;
    r.mtime = 100;
    r.etag = std::move(etag);
    r.fileId = std::move(fileId);
    return r;
}

JournalRecord journalFolder(std::uint64_t inode, std::string etag, std::string fileId)
{
    JournalRecord r;
    r.type = ItemType::Directory;
    r.inode = inode;
    r.etag = std::move(etag);
    r.fileId = std::move(fileId);
    return r;
}

LocalEntry localFile(std::uint64_t inode = 7, std::int64_t size = 10, std::int64_t mtime = 100)
{
    return LocalEntry{ItemType::File, inode, size, mtime};
}

LocalEntry localFolder(std::uint64_t inode) { return LocalEntry{ItemType::Directory, inode, 0, 0}; }

RemoteEntry remoteFile(std::string etag = "e1", std::string fileId = "11", std::string path = {})
{
    RemoteEntry r;
    r.type = ItemType::File;
    r.etag = std::move(etag);
    r.fileId = std::move(fileId);
    r.size = 10;
    r.mtime = 100;
    r.serverPath = std::move(path);
    return r;
}

RemoteEntry remoteFolder(std::string etag, std::string fileId)
{
    RemoteEntry r;
    r.type = ItemType::Directory;
    r.etag = std::move(etag);
    r.fileId = std::move(fileId);
    return r;
}

std::vector<std::string> describe(const Plan& plan)
{
    std::vector<std::string> lines;
    for (const Action& a : plan.actions)
        lines.push_back(std::string(actionKindName(a.kind)) + " " + (a.from.empty() ? "" : a.from + " -> ") + a.path);
    return lines;
}

using Lines = std::vector<std::string>;

// The plan's lines in path order, where the order of independent actions is not the point.
Lines sorted(Lines lines)
{
    std::sort(lines.begin(), lines.end());
    return lines;
}

// ---- one file, every combination -------------------------------------------------------------

enum class L { Absent, Same, Changed, Folder };
enum class R { Absent, Same, Changed, Folder };

struct FileRow {
    const char* rule;
    bool inJournal;
    L local;
    R remote;
    Lines expected;
};

class FileRules : public ::testing::TestWithParam<FileRow> {};

Plan reconcileRow(const FileRow& row, const ReconcileOptions& options = {})
{
    LocalTree local;
    RemoteTree remote;
    JournalTree journal;
    if (row.inJournal)
        journal["f"] = journalFile();
    switch (row.local) {
    case L::Absent: break;
    case L::Same: local["f"] = localFile(); break;
    case L::Changed: local["f"] = localFile(7, 11, 200); break;
    case L::Folder: local["f"] = localFolder(70); break;
    }
    switch (row.remote) {
    case R::Absent: break;
    case R::Same: remote["f"] = remoteFile(); break;
    case R::Changed: remote["f"] = remoteFile("e2"); break;
    case R::Folder: remote["f"] = remoteFolder("d1", "12"); break;
    }
    return reconcile(local, remote, journal, options);
}

TEST_P(FileRules, DecideTheRightAction)
{
    const FileRow& row = GetParam();
    EXPECT_EQ(describe(reconcileRow(row)), row.expected) << row.rule;
}

INSTANTIATE_TEST_SUITE_P(
    Reconcile, FileRules,
    ::testing::Values(
        FileRow{"unchanged on both sides", true, L::Same, R::Same, {}},
        FileRow{"changed on the server", true, L::Same, R::Changed, {"download f"}},
        FileRow{"deleted on the server", true, L::Same, R::Absent, {"delete-local f"}},
        FileRow{"changed here", true, L::Changed, R::Same, {"upload f"}},
        FileRow{"changed on both sides", true, L::Changed, R::Changed, {"conflict f"}},
        FileRow{"changed here, deleted on the server: the change wins", true, L::Changed, R::Absent, {"upload f"}},
        FileRow{"deleted here", true, L::Absent, R::Same, {"delete-remote f"}},
        FileRow{"deleted here, changed on the server: the change wins", true, L::Absent, R::Changed, {"download f"}},
        FileRow{"deleted on both sides", true, L::Absent, R::Absent, {"forget-journal f"}},
        FileRow{"replaced by a folder here", true, L::Folder, R::Same, {"delete-remote f", "make-remote-folder f"}},
        FileRow{"replaced by a folder on the server", true, L::Same, R::Folder, {"delete-local f", "make-local-folder f"}},
        FileRow{"replaced by a folder on both sides", true, L::Folder, R::Folder, {"update-journal f"}},
        FileRow{"replaced here, deleted there", true, L::Folder, R::Absent, {"make-remote-folder f"}},
        FileRow{"deleted here, replaced there", true, L::Absent, R::Folder, {"make-local-folder f"}},
        FileRow{"changed here, replaced there", true, L::Changed, R::Folder, {"error f"}},
        FileRow{"replaced here, changed there", true, L::Folder, R::Changed, {"error f"}},
        FileRow{"new here", false, L::Same, R::Absent, {"upload f"}},
        FileRow{"new on the server", false, L::Absent, R::Same, {"download f"}},
        FileRow{"new on both sides: compare content", false, L::Same, R::Same, {"conflict f"}},
        FileRow{"new folder on both sides", false, L::Folder, R::Folder, {"update-journal f"}},
        FileRow{"new file here, new folder there", false, L::Same, R::Folder, {"error f"}},
        FileRow{"new folder here", false, L::Folder, R::Absent, {"make-remote-folder f"}},
        FileRow{"new folder on the server", false, L::Absent, R::Folder, {"make-local-folder f"}}));

// ---- folders ----------------------------------------------------------------------------------

// A synced folder "d" with files "d/a" and "d/b", identical on all three sides.
struct SyncedFolder {
    LocalTree local{{"d", localFolder(1)}, {"d/a", localFile(2)}, {"d/b", localFile(3)}};
    RemoteTree remote{{"d", remoteFolder("d1", "100")}, {"d/a", remoteFile("a1", "101")}, {"d/b", remoteFile("b1", "102")}};
    JournalTree journal{{"d", journalFolder(1, "d1", "100")},
                        {"d/a", journalFile(2, "a1", "101")},
                        {"d/b", journalFile(3, "b1", "102")}};
};

// The synced folder "d" with nothing inside.
SyncedFolder emptySyncedFolder()
{
    SyncedFolder s;
    for (const char* file : {"d/a", "d/b"}) {
        s.local.erase(file);
        s.remote.erase(file);
        s.journal.erase(file);
    }
    return s;
}

TEST(Reconcile, UnchangedTreeNeedsNothing)
{
    SyncedFolder s;
    EXPECT_TRUE(reconcile(s.local, s.remote, s.journal).actions.empty());
}

TEST(Reconcile, FolderDeletedOnServerIsOneLocalDeleteOfTheSubtree)
{
    SyncedFolder s;
    s.remote.clear();
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), Lines{"delete-local d"});
    EXPECT_EQ(plan.itemsDeleted, 3);
    EXPECT_EQ(plan.localDeletes, 3);
    EXPECT_EQ(plan.itemsKnown, 3);
}

TEST(Reconcile, FolderDeletedOnServerIsKeptWhenAFileInItChangedHere)
{
    SyncedFolder s;
    s.remote.clear();
    s.local["d/a"] = localFile(2, 99, 500);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"make-remote-folder d", "upload d/a", "delete-local d/b"}));
}

TEST(Reconcile, FolderDeletedOnServerIsKeptWhenSomethingWasAddedHere)
{
    SyncedFolder s;
    s.remote.clear();
    s.local["d/new"] = localFile(9);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"make-remote-folder d", "upload d/new", "delete-local d/a", "delete-local d/b"}));
}

TEST(Reconcile, FolderDeletedOnServerIsKeptWhenItHoldsUnsyncedItemsHere)
{
    SyncedFolder s;
    s.remote.clear();
    ReconcileOptions options;
    options.foldersWithUnsyncedItems = {"d"}; // e.g. a conflict copy inside
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, options)),
              (Lines{"make-remote-folder d", "delete-local d/a", "delete-local d/b"}));
}

TEST(Reconcile, FolderDeletedHereIsOneRemoteDelete)
{
    SyncedFolder s;
    s.local.clear();
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), Lines{"delete-remote d"});
    EXPECT_EQ(plan.itemsDeleted, 3);
    EXPECT_EQ(plan.localDeletes, 0);
}

TEST(Reconcile, FolderDeletedHereComesBackWhenTheServerChangedAFileInIt)
{
    SyncedFolder s;
    s.local.clear();
    s.remote["d"].etag = "d2";
    s.remote["d/b"].etag = "b2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"make-local-folder d", "download d/b", "delete-remote d/a"}));
}

TEST(Reconcile, FolderDeletedHereIsNotDeletedOnTheServerWhileItsContentThereIsNotAllListed)
{
    // d's listing failed: what the server holds in it is unknown (another device may have added
    // files), and a DELETE would take them along. The folder waits, reported, and so does every
    // folder above a folder not listed.
    SyncedFolder s;
    s.local.clear();
    ReconcileOptions options;
    options.remoteFoldersNotListed = {"d"};
    const Plan plan = reconcile(s.local, s.remote, s.journal, options);
    EXPECT_EQ(describe(plan), Lines{"error d"});
    EXPECT_EQ(plan.itemsDeleted, 0);

    SyncedFolder nested;
    nested.local.clear();
    options.remoteFoldersNotListed = {"d/sub"}; // not in the tree: listed nowhere, still inside d
    EXPECT_EQ(describe(reconcile(nested.local, nested.remote, nested.journal, options)), Lines{"error d"});

    SyncedFolder replaced; // a file took the folder's place here: the same DELETE would run first
    replaced.local.clear();
    replaced.local["d"] = localFile(5);
    options.remoteFoldersNotListed = {"d"};
    EXPECT_EQ(describe(reconcile(replaced.local, replaced.remote, replaced.journal, options)), Lines{"error d"});

    options.remoteFoldersNotListed = {"elsewhere"}; // a folder outside d changes nothing
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, options)), Lines{"delete-remote d"});
}

TEST(Reconcile, FolderDeletedHereIsKeptOnTheServerWhileItHoldsAFolderNotSyncedHere)
{
    // d/x is left out by selective sync: the server holds it, this device never had it. A DELETE
    // of d would take it along; d comes back here instead, and its synced files go one by one.
    SyncedFolder s;
    s.local.clear();
    ReconcileOptions options;
    options.remoteFoldersWithUnsyncedItems = {"d"};
    const Plan plan = reconcile(s.local, s.remote, s.journal, options);
    EXPECT_EQ(describe(plan), (Lines{"make-local-folder d", "delete-remote d/a", "delete-remote d/b"}));

    // Deeper: the folders on the way to it stay, the rest of d goes.
    SyncedFolder nested;
    nested.local.clear();
    nested.remote["d/keep"] = remoteFolder("k1", "103");
    nested.journal["d/keep"] = journalFolder(4, "k1", "103");
    nested.remote["d/keep/c"] = remoteFile("c1", "104");
    nested.journal["d/keep/c"] = journalFile(5, "c1", "104");
    nested.remote["d/other"] = remoteFolder("o1", "105");
    nested.journal["d/other"] = journalFolder(6, "o1", "105");
    options.remoteFoldersWithUnsyncedItems = {"d/keep"};
    EXPECT_EQ(describe(reconcile(nested.local, nested.remote, nested.journal, options)),
              (Lines{"make-local-folder d", "make-local-folder d/keep", "delete-remote d/a", "delete-remote d/b",
                     "delete-remote d/keep/c", "delete-remote d/other"}));

    options.remoteFoldersWithUnsyncedItems = {"elsewhere"}; // a folder outside d changes nothing
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, options)), Lines{"delete-remote d"});
}

TEST(Reconcile, FolderDeletedOnServerIsKeptWhenAFileWasMovedIntoItHere)
{
    // top.txt was moved into d here while the server deleted d: d is kept (made again there) for
    // it, as for a new file; deleting d here would take the moved file along.
    SyncedFolder s;
    s.journal["top.txt"] = journalFile(9, "t1", "109");
    s.remote.clear();
    s.remote["top.txt"] = remoteFile("t1", "109");
    s.local["d/moved.txt"] = localFile(9);
    const Lines plan = describe(reconcile(s.local, s.remote, s.journal));
    EXPECT_EQ(plan, (Lines{"move-remote top.txt -> d/moved.txt", "make-remote-folder d", "delete-local d/a",
                           "delete-local d/b"}));
}

TEST(Reconcile, FolderDeletedOnBothSidesIsForgotten)
{
    SyncedFolder s;
    s.local.clear();
    s.remote.clear();
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"forget-journal d"});
}

TEST(Reconcile, ASiblingThatSortsInsideADeletedSubtreeIsStillCompared)
{
    // "d b" sorts between "d" and "d/a": the subtree of "d" is not contiguous in path order.
    SyncedFolder s;
    s.remote.clear();
    s.local["d b"] = localFile(20);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), (Lines{"upload d b", "delete-local d"}));
}

TEST(Reconcile, ChangedFolderEtagIsRecordedAfterItsContent)
{
    SyncedFolder s;
    s.remote["d"].etag = "d2";
    s.remote["d/a"].etag = "a2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), (Lines{"download d/a", "update-journal d"}));
}

TEST(Reconcile, RootEtagIsRecorded)
{
    SyncedFolder s;
    s.remote[""] = remoteFolder("r2", "1");
    s.journal[""] = journalFolder(0, "r1", "1");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"update-journal "});
    EXPECT_EQ(reconcile(s.local, s.remote, s.journal).itemsKnown, 3);
}

// ---- moves -------------------------------------------------------------------------------------

TEST(Reconcile, FileRenamedHereIsAMoveOnTheServer)
{
    SyncedFolder s;
    s.local["d/renamed"] = s.local["d/a"];
    s.local.erase("d/a");
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), Lines{"move-remote d/a -> d/renamed"});
}

TEST(Reconcile, RenamedAndEditedHereIsAMoveThenAnUpload)
{
    SyncedFolder s;
    s.local["d/renamed"] = localFile(2, 50, 300);
    s.local.erase("d/a");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-remote d/a -> d/renamed", "upload d/renamed"}));
}

TEST(Reconcile, FolderMovedHereIsOneMoveWithNothingBelowIt)
{
    SyncedFolder s;
    s.local = {{"e", localFolder(1)}, {"e/a", localFile(2)}, {"e/b", localFile(3)}};
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"move-remote d -> e"});
}

TEST(Reconcile, FolderMovedHereWhileAFileInItChangedOnTheServer)
{
    SyncedFolder s;
    s.local = {{"e", localFolder(1)}, {"e/a", localFile(2)}, {"e/b", localFile(3)}};
    s.remote["d"].etag = "d2";
    s.remote["d/b"].etag = "b2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-remote d -> e", "download e/b", "update-journal e"}));
}

TEST(Reconcile, FolderMovedAndAFileInItRenamedHere)
{
    SyncedFolder s;
    s.local = {{"e", localFolder(1)}, {"e/x", localFile(2)}, {"e/b", localFile(3)}};
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-remote d -> e", "move-remote e/a -> e/x"}));
}

TEST(Reconcile, FolderMovedHereWithEveryFileInItRenamedIsStillAMove)
{
    SyncedFolder s;
    s.local = {{"e", localFolder(1)}, {"e/x", localFile(2)}, {"e/y", localFile(3)}};
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-remote d -> e", "move-remote e/a -> e/x", "move-remote e/b -> e/y"}));
}

TEST(Reconcile, AFolderDeletedHereWhoseInodeANewFolderTookIsNotAMove)
{
    // "d" was removed with its files, its DELETE has not reached the server yet, and a new empty
    // folder elsewhere got its inode (ext4 reuses them at once). Read as "move d -> n/new", the
    // move was refused on every run where it crossed into an encrypted folder, and the devices
    // never agreed again: nothing of what the journal knew in "d" is below the new folder.
    SyncedFolder s;
    s.remote["n"] = remoteFolder("n1", "200");
    s.journal["n"] = journalFolder(9, "n1", "200");
    s.local = {{"n", localFolder(9)}, {"n/new", localFolder(1)}};
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"make-remote-folder n/new", "delete-remote d"}));
}

TEST(Reconcile, AnEmptyFolderMovedHereIsAMove)
{
    // Nothing inside to compare: the inode is all there is (and a move of an empty folder ends
    // where a deletion and a new folder would).
    SyncedFolder s = emptySyncedFolder();
    s.local["e"] = s.local["d"];
    s.local.erase("d");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"move-remote d -> e"});
}

TEST(Reconcile, AnEmptyFolderWhoseInodeANewFolderTookWhileTheServerFilledItIsNotAMove)
{
    // CI seed 1553157917: the empty synced folder "d" was removed here, and a new folder "e" got
    // its inode, while another device added "d/x" on the server. Read as "move d -> e", the
    // server's new content followed into "e" (a plain folder, where "d" was encrypted) and the
    // devices never agreed again. With nothing known inside "d" to compare, new content on the
    // server decides: "d" comes back with it, and "e" goes up as the new folder it is.
    SyncedFolder s = emptySyncedFolder();
    s.remote["d"] = remoteFolder("d2", "100");
    s.remote["d/x"] = remoteFile("x1", "150");
    s.local["e"] = s.local["d"];
    s.local.erase("d");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"make-local-folder d", "make-remote-folder e", "download d/x"}));
}

TEST(Reconcile, FileRenamedOnServerIsALocalRename)
{
    SyncedFolder s;
    s.remote["d/renamed"] = s.remote["d/a"];
    s.remote.erase("d/a");
    s.remote["d"].etag = "d2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-local d/a -> d/renamed", "update-journal d"}));
}

TEST(Reconcile, FolderMovedOnServerWhileAFileInItChangedHere)
{
    SyncedFolder s;
    s.remote = {{"e", remoteFolder("d2", "100")}, {"e/a", remoteFile("a1", "101")}, {"e/b", remoteFile("b1", "102")}};
    s.local["d/a"] = localFile(2, 44, 400);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-local d -> e", "upload e/a", "update-journal e"}));
}

TEST(Reconcile, SameMoveOnBothSidesOnlyMovesTheJournal)
{
    SyncedFolder s;
    s.local["d/x"] = s.local["d/a"];
    s.local.erase("d/a");
    s.remote["d/x"] = s.remote["d/a"];
    s.remote.erase("d/a");
    s.remote["d"].etag = "d2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"update-journal d/a -> d/x", "update-journal d"}));
}

TEST(Reconcile, DifferentMovesOfTheSameItemFollowTheServer)
{
    SyncedFolder s;
    s.local["d/mine"] = s.local["d/a"];
    s.local.erase("d/a");
    s.remote["d/theirs"] = s.remote["d/a"];
    s.remote.erase("d/a");
    s.remote["d"].etag = "d2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-local d/mine -> d/theirs", "update-journal d"}));
}

// Folders "a" < "m" < "z", walked in that order: a move out of a folder compared early into one
// compared late, and the other way, must each stay one move (not a delete and an upload) whatever
// order reconcile looks at the folders in.
struct ThreeFolders {
    LocalTree local{{"a", localFolder(1)},      {"a/early", localFile(2)}, {"a/sub", localFolder(3)},
                    {"a/sub/deep", localFile(4)}, {"m", localFolder(5)},   {"z", localFolder(6)},
                    {"z/late", localFile(7)}};
    RemoteTree remote{{"a", remoteFolder("a1", "101")},      {"a/early", remoteFile("e1", "102")},
                      {"a/sub", remoteFolder("s1", "103")},  {"a/sub/deep", remoteFile("d1", "104")},
                      {"m", remoteFolder("m1", "105")},      {"z", remoteFolder("z1", "106")},
                      {"z/late", remoteFile("l1", "107")}};
    JournalTree journal{{"a", journalFolder(1, "a1", "101")},     {"a/early", journalFile(2, "e1", "102")},
                        {"a/sub", journalFolder(3, "s1", "103")}, {"a/sub/deep", journalFile(4, "d1", "104")},
                        {"m", journalFolder(5, "m1", "105")},     {"z", journalFolder(6, "z1", "106")},
                        {"z/late", journalFile(7, "l1", "107")}};

    template <typename Tree>
    static void move(Tree& tree, const std::string& from, const std::string& to)
    {
        Tree moved;
        for (auto& [path, entry] : tree)
            moved.emplace(isInside(path, from) ? rebase(path, from, to) : path, entry);
        tree = std::move(moved);
    }
};

TEST(Reconcile, MovesHereBetweenFoldersComparedEarlyAndLateAreMoves)
{
    ThreeFolders t;
    ThreeFolders::move(t.local, "a/early", "z/early"); // out of a folder done into one not yet walked
    ThreeFolders::move(t.local, "z/late", "a/late");   // out of a folder not yet walked into one done
    ThreeFolders::move(t.local, "a/sub", "m/sub");     // a folder with its content, across
    EXPECT_EQ(sorted(describe(reconcile(t.local, t.remote, t.journal))),
              (Lines{"move-remote a/early -> z/early", "move-remote a/sub -> m/sub", "move-remote z/late -> a/late"}));
}

TEST(Reconcile, MovesOnTheServerBetweenFoldersComparedEarlyAndLateAreMoves)
{
    ThreeFolders t;
    ThreeFolders::move(t.remote, "a/early", "z/early");
    ThreeFolders::move(t.remote, "z/late", "a/late");
    ThreeFolders::move(t.remote, "a/sub/deep", "m/deep"); // out of a subfolder, up and across
    for (const char* folder : {"a", "a/sub", "m", "z"})
        t.remote[folder].etag += "'";
    EXPECT_EQ(sorted(describe(reconcile(t.local, t.remote, t.journal))),
              (Lines{"move-local a/early -> z/early", "move-local a/sub/deep -> m/deep", "move-local z/late -> a/late",
                     "update-journal a", "update-journal a/sub", "update-journal m", "update-journal z"}));
}

TEST(Reconcile, MovedHereButDeletedOnServerIsUploadedAsNew)
{
    SyncedFolder s;
    s.local["d/x"] = s.local["d/a"];
    s.local.erase("d/a");
    s.remote.erase("d/a");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), (Lines{"upload d/x", "forget-journal d/a"}));
}

TEST(Reconcile, MovedHereOntoANameTakenOnServerComparesContent)
{
    SyncedFolder s;
    s.local["d/x"] = s.local["d/a"];
    s.local.erase("d/a");
    s.remote["d/x"] = remoteFile("x1", "555");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), (Lines{"conflict d/x", "delete-remote d/a"}));
}

TEST(Reconcile, ReusedInodeOfADeletedFileIsNotMistakenForAMoveThatLosesData)
{
    // "d/a" was deleted and a new file took its inode: moving the server's copy and then
    // uploading the new content leaves the same end state as delete + upload.
    SyncedFolder s;
    s.local.erase("d/a");
    s.local["n"] = localFile(2, 77, 900);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), (Lines{"move-remote d/a -> n", "upload n"}));
}

TEST(Reconcile, AFileReplacedByAFolderWhoseNewFileTookItsInodeIsNotAMove)
{
    // "d/a" deleted, a folder "d/a" made and "d/a/in.txt" written into it with the freed inode
    // (ext4 under load does this): moving "d/a" below itself failed on every run (409), and the
    // folder never reached the server.
    SyncedFolder s;
    const LocalEntry old = s.local["d/a"];
    s.local["d/a"] = localFolder(77);
    s.local["d/a/in.txt"] = localFile(old.inode, 12, 900);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"delete-remote d/a", "make-remote-folder d/a", "upload d/a/in.txt"}));
}

TEST(Reconcile, AServerMoveOntoANameTakenAfterAnotherMoveIsNotTaken)
{
    // Found by the convergence test (seed 1633193524). The server moved folder P to Q and file
    // c.txt into it; here a new P/c.txt was made. Once P becomes Q locally, Q/c.txt is taken, so
    // moving c.txt there would overwrite it: the two are compared as a conflict instead.
    LocalTree local{{"P", localFolder(1)}, {"P/c.txt", localFile(9, 33, 700)}, {"c.txt", localFile(5)}};
    RemoteTree remote{{"Q", remoteFolder("q1", "100")}, {"Q/c.txt", remoteFile("c2", "105")}};
    JournalTree journal{{"P", journalFolder(1, "p1", "100")}, {"c.txt", journalFile(5, "c1", "105")}};
    EXPECT_EQ(describe(reconcile(local, remote, journal)),
              (Lines{"move-local P -> Q", "conflict Q/c.txt", "delete-local c.txt", "update-journal Q"}));
}

// ---- server permissions -----------------------------------------------------------------------

TEST(Reconcile, ChangeOfAReadOnlyFileIsKeptAsAConflictCopy)
{
    SyncedFolder s;
    s.remote["d/a"].permissions = "G";
    s.local["d/a"] = localFile(2, 12, 300);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"conflict d/a"});
}

TEST(Reconcile, DeletingInAReadOnlyFolderRestoresTheFile)
{
    SyncedFolder s;
    s.remote["d/a"].permissions = "GW";
    s.local.erase("d/a");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"download d/a"});
}

TEST(Reconcile, NewFileInAFolderWithoutCreatePermissionIsReported)
{
    SyncedFolder s;
    s.remote["d"].permissions = "GDNV";
    s.journal["d"].permissions = "GDNV";
    s.local["d/new"] = localFile(30);
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    ASSERT_EQ(describe(plan), Lines{"error d/new"});
    EXPECT_NE(plan.actions[0].reason.find("read-only"), std::string::npos);
}

// ---- names the local filesystem cannot hold ----------------------------------------------------

TEST(Reconcile, CaseClashOnACaseInsensitiveFilesystemIsReported)
{
    SyncedFolder s;
    s.remote["d/A"] = remoteFile("x", "200");
    ReconcileOptions options;
    options.caseInsensitive = true;
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, options)), Lines{"error d/A"});
    options.caseInsensitive = false;
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, options)), Lines{"download d/A"});
}

TEST(Reconcile, NameTooLongForTheLocalFilesystemIsReported)
{
    SyncedFolder s;
    const std::string longName = "d/" + std::string(256, 'x');
    s.remote[longName] = remoteFile("x", "200");
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    ASSERT_EQ(describe(plan), Lines{"error " + longName});
    EXPECT_NE(plan.actions[0].reason.find("longer"), std::string::npos);
}

// ---- Unicode normalisation: NFC (Linux, the server) and NFD (as macOS writes) -------------------

std::string nfc(const std::string& text)
{
    return e2ee::nameCollisionKey(text, e2ee::NameCase::Sensitive); // what the engine passes
}

const std::string kCafeNfc = "caf\xC3\xA9";  // "café" with U+00E9
const std::string kCafeNfd = "cafe\xCC\x81"; // "café" with e + U+0301

ReconcileOptions normalising()
{
    ReconcileOptions options;
    options.normalize = nfc;
    return options;
}

TEST(Reconcile, AFileNewOnBothSidesInTwoNormalisationsIsOneItemComparedByContent)
{
    SyncedFolder s;
    s.local["d/" + kCafeNfd] = localFile(9);
    s.remote["d/" + kCafeNfc] = remoteFile("c1", "109");
    s.remote["d"].etag = "d2";
    const Plan plan = reconcile(s.local, s.remote, s.journal, normalising());
    ASSERT_EQ(describe(plan), (Lines{"conflict d/" + kCafeNfd, "update-journal d"}));
    // The local spelling is the plan's path; the server is reached by its own.
    EXPECT_EQ(plan.actions[0].remote->serverPath, "d/" + kCafeNfc);
    // Without the rule the same trees were an upload and a download: two items of one name.
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"upload d/" + kCafeNfd, "download d/" + kCafeNfc, "update-journal d"}));
}

TEST(Reconcile, AJournalRecordInTheOtherSpellingIsReKeyedNotMovedOrDeleted)
{
    SyncedFolder s;
    s.local["d/" + kCafeNfd] = localFile(9);
    s.remote["d/" + kCafeNfc] = remoteFile("c1", "109", "d/" + kCafeNfc);
    s.journal["d/" + kCafeNfc] = journalFile(9, "c1", "109");
    s.journal["d/" + kCafeNfc].serverPath = "d/" + kCafeNfc;
    const Plan plan = reconcile(s.local, s.remote, s.journal, normalising());
    ASSERT_EQ(describe(plan), (Lines{"update-journal d/" + kCafeNfc + " -> d/" + kCafeNfd}));
    EXPECT_FALSE(plan.actions[0].local); // only the key moves: no local fields are taken over
    EXPECT_FALSE(plan.actions[0].remote);
    EXPECT_EQ(plan.actions[0].journal->serverPath, "d/" + kCafeNfc);
    // Without the rule: the inode made it a move here, renaming the server's file.
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-remote d/" + kCafeNfc + " -> d/" + kCafeNfd}));
}

TEST(Reconcile, AnEditUnderTheOtherSpellingIsUploadedToTheServersName)
{
    SyncedFolder s;
    s.local["d/" + kCafeNfd] = localFile(9, 44, 400);
    s.remote["d/" + kCafeNfc] = remoteFile("c1", "109", "d/" + kCafeNfc);
    s.journal["d/" + kCafeNfc] = journalFile(9, "c1", "109");
    s.journal["d/" + kCafeNfc].serverPath = "d/" + kCafeNfc;
    const Plan plan = reconcile(s.local, s.remote, s.journal, normalising());
    ASSERT_EQ(describe(plan),
              (Lines{"update-journal d/" + kCafeNfc + " -> d/" + kCafeNfd, "upload d/" + kCafeNfd}));
    EXPECT_EQ(plan.actions[1].remote->serverPath, "d/" + kCafeNfc);
    EXPECT_EQ(plan.actions[1].journal->serverPath, "d/" + kCafeNfc);
}

TEST(Reconcile, WhatIsInAFolderOfTheOtherSpellingLandsInTheLocalFolder)
{
    LocalTree local{{kCafeNfd, localFolder(1)}, {kCafeNfd + "/mine", localFile(2)}};
    RemoteTree remote{{kCafeNfc, remoteFolder("f1", "100")}, {kCafeNfc + "/theirs", remoteFile("t1", "101")}};
    const Plan plan = reconcile(local, remote, {}, normalising());
    EXPECT_EQ(describe(plan),
              (Lines{"upload " + kCafeNfd + "/mine", "download " + kCafeNfd + "/theirs", "update-journal " + kCafeNfd}));
    EXPECT_EQ(plan.actions[1].remote->serverPath, kCafeNfc + "/theirs");
    EXPECT_EQ(plan.actions[2].remote->serverPath, kCafeNfc);
}

TEST(Reconcile, BothSpellingsOnTheServerAreTwoItemsAndClashWhereTheDiskFoldsThem)
{
    LocalTree local{{kCafeNfc, localFile(1)}};
    RemoteTree remote{{kCafeNfc, remoteFile("c1", "100")}, {kCafeNfd, remoteFile("c2", "101")}};
    // Linux keeps both names apart: each is its own item.
    EXPECT_EQ(describe(reconcile(local, remote, {}, normalising())), (Lines{"download " + kCafeNfd, "conflict " + kCafeNfc}));
    // macOS does not: the second cannot be written without overwriting the first.
    ReconcileOptions mac = normalising();
    applyNameRules(mac, NamePlatform::MacOs);
    const Plan plan = reconcile(local, remote, {}, mac);
    ASSERT_EQ(describe(plan), (Lines{"error " + kCafeNfd, "conflict " + kCafeNfc}));
    EXPECT_NE(plan.actions[0].reason.find("Unicode normalisation"), std::string::npos);
}

// ---- names other platforms cannot hold ---------------------------------------------------------

struct NameRow {
    std::string name;
    bool fitsWindows;
    bool fitsLinux;
};

TEST(Reconcile, EachWindowsNameRuleIsReportedAndSkippedNeverRenamedOnTheServer)
{
    const std::string emoji = "\xF0\x9F\x98\x80"; // U+1F600: 4 UTF-8 bytes, 2 UTF-16 units
    std::string eAcute200;
    for (int i = 0; i < 200; ++i)
        eAcute200 += "\xC3\xA9"; // 400 bytes, 200 UTF-16 units
    std::string emoji128;
    for (int i = 0; i < 128; ++i)
        emoji128 += emoji; // 512 bytes, 256 UTF-16 units
    const std::vector<NameRow> rows{
        {"CON", false, true},          {"con", false, true},         {"aux.txt", false, true},
        {"NUL.tar.gz", false, true},   {"Com1.log", false, true},    {"LPT9", false, true},
        {"COM\xC2\xB9", false, true},  {"prn .txt", false, true},    {"conin$", false, true},
        {"trailing.", false, true},    {"trailing ", false, true},   {"a<b", false, true},
        {"a>b", false, true},          {"a:b", false, true},         {"a\"b", false, true},
        {"a|b", false, true},          {"a?b", false, true},         {"a*b", false, true},
        {"a\\b", false, true},         {"a\x01" "b", false, true},   {std::string(256, 'x'), false, false},
        {emoji128, false, false},      {eAcute200, true, false},     {"console.txt", true, true},
        {"com10", true, true},         {"lpt", true, true},          {".hidden", true, true},
        {"CONTRACT", true, true},      {"a.b.c", true, true},
    };
    for (const NameRow& row : rows) {
        SCOPED_TRACE(row.name);
        SyncedFolder s;
        s.remote["d/" + row.name] = remoteFile("n1", "200");
        s.remote["d"].etag = "d2";
        for (const auto& [platform, fits] :
             {std::pair(NamePlatform::Windows, row.fitsWindows), std::pair(NamePlatform::Linux, row.fitsLinux)}) {
            ReconcileOptions options;
            applyNameRules(options, platform);
            const Plan plan = reconcile(s.local, s.remote, s.journal, options);
            if (fits) {
                EXPECT_EQ(describe(plan), (Lines{"download d/" + row.name, "update-journal d"}));
                EXPECT_EQ(unfitLocalName(row.name, options), "");
            } else {
                // Reported; nothing else: no rename, no upload, no delete on either side.
                ASSERT_EQ(describe(plan), (Lines{"error d/" + row.name, "update-journal d"}));
                EXPECT_NE(plan.actions[0].reason.find("rename it on the server"), std::string::npos);
                EXPECT_NE(unfitLocalName(row.name, options), "");
            }
        }
    }
}

TEST(Reconcile, AFolderWithAnUnfitNameIsOneErrorAndNothingBelowItIsMade)
{
    RemoteTree remote{{"bad:dir", remoteFolder("b1", "100")},
                      {"bad:dir/x", remoteFile("x1", "101")},
                      {"bad:dir/sub", remoteFolder("s1", "102")},
                      {"bad:dir/sub/y", remoteFile("y1", "103")},
                      {"good", remoteFile("g1", "104")}};
    ReconcileOptions windows;
    applyNameRules(windows, NamePlatform::Windows);
    EXPECT_EQ(describe(reconcile({}, remote, {}, windows)), (Lines{"error bad:dir", "download good"}));
}

TEST(Reconcile, AServerRenameToAnUnfitNameLeavesTheLocalFileWhereItIs)
{
    SyncedFolder s;
    s.remote["d/aux.txt"] = s.remote["d/a"];
    s.remote.erase("d/a");
    s.remote["d"].etag = "d2";
    ReconcileOptions windows;
    applyNameRules(windows, NamePlatform::Windows);
    // Reported at its new name; "d/a" is neither moved, deleted nor uploaded again here.
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, windows)), (Lines{"error d/aux.txt", "update-journal d"}));
    // Where the name fits, it is the rename it is.
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"move-local d/a -> d/aux.txt", "update-journal d"}));
}

TEST(Reconcile, WindowsRulesFoldCase)
{
    SyncedFolder s;
    s.remote["d/A"] = remoteFile("x", "200");
    ReconcileOptions windows;
    applyNameRules(windows, NamePlatform::Windows);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, windows)), Lines{"error d/A"});
}

TEST(Reconcile, PermissionsAreRecordedWhenTheyChangeNotWhenTheJournalNeverKnewThem)
{
    SyncedFolder s;
    s.remote["d/a"].permissions = "RGDNVW"; // after our own upload the journal has none
    EXPECT_TRUE(describe(reconcile(s.local, s.remote, s.journal)).empty());
    s.journal["d/a"].permissions = "RGDNVW";
    s.remote["d/a"].permissions = "RG"; // a share became read-only
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"update-journal d/a"});
}

TEST(Reconcile, TrivialChangesOnlyUpdateTheJournal)
{
    SyncedFolder s;
    s.local["d/a"].inode = 99; // restored from a backup: same size and time, new inode
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"update-journal d/a"});
}


// ---- change detection below the second (data-safety issue, item 4) -----------------------------

// "d/a" as the journal knows it with its nanoseconds and change time.
SyncedFolder withChangeTimes()
{
    SyncedFolder s;
    for (const char* path : {"d/a", "d/b"}) {
        s.local[path].mtimeNs = 250;
        s.local[path].ctime = 1'000'000;
        s.journal[path].mtimeNs = 250;
        s.journal[path].ctime = 1'000'000;
    }
    return s;
}

TEST(Reconcile, AnEditThatKeepsSizeAndSecondIsAnUpload)
{
    SyncedFolder s = withChangeTimes();
    EXPECT_TRUE(reconcile(s.local, s.remote, s.journal).actions.empty());
    s.local["d/a"].mtimeNs = 900; // `echo BBBB > f` right after `echo AAAA > f` was synced
    s.local["d/a"].ctime = 1'000'500;
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"upload d/a"});
}

TEST(Reconcile, AnEditWhoseMtimeWasPutBackIsAnUpload)
{
    SyncedFolder s = withChangeTimes();
    s.local["d/a"].ctime = 1'000'500; // `touch -r` restores the mtime, never the change time
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"upload d/a"});
}

TEST(Reconcile, ANewInodeUnderTheSameNameIsAnUpload)
{
    SyncedFolder s = withChangeTimes();
    s.local["d/a"].inode = 99; // an editor's save-to-temp-and-rename
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"upload d/a"});
}

TEST(Reconcile, ARecordWithoutChangeTimeIsFilledInNotUploaded)
{
    SyncedFolder s; // an older journal: seconds only
    s.local["d/a"].ctime = 1'000'000;
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"update-journal d/a"});
}

TEST(Reconcile, ARenameMovesTheChangeTimeButIsOnlyAMove)
{
    SyncedFolder s = withChangeTimes();
    s.local["d/renamed"] = s.local["d/a"];
    s.local["d/renamed"].ctime = 1'000'700; // rename(2) sets it
    s.local.erase("d/a");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)), Lines{"move-remote d/a -> d/renamed"});
}

// ---- a file replaced by a folder (item 6) -------------------------------------------------------

TEST(Reconcile, ItemsInAFolderThatReplacedAFileAreUploaded)
{
    SyncedFolder s;
    s.remote["d/a"].permissions = "RGDNVW"; // a file's letters: no C or K
    s.journal["d/a"].permissions = "RGDNVW";
    s.local["d/a"] = localFolder(40);
    s.local["d/a/new.txt"] = localFile(41);
    s.local["d/a/sub"] = localFolder(42);
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal)),
              (Lines{"delete-remote d/a", "make-remote-folder d/a", "make-remote-folder d/a/sub", "upload d/a/new.txt"}));
}

// ---- the user's answer to a mass deletion: restore (ReconcileOptions::restoreDeletions) ----------

ReconcileOptions restoring()
{
    ReconcileOptions options;
    options.restoreDeletions = true;
    return options;
}

class RestoreRules : public ::testing::TestWithParam<FileRow> {};

TEST_P(RestoreRules, BringBackWhatOneSideDeleted)
{
    const FileRow& row = GetParam();
    const Plan plan = reconcileRow(row, restoring());
    EXPECT_EQ(describe(plan), row.expected) << row.rule;
    if (row.local != L::Folder && row.remote != R::Folder) {
        EXPECT_EQ(plan.itemsDeleted, 0) << row.rule;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Reconcile, RestoreRules,
    ::testing::Values(
        FileRow{"deleted on the server: uploaded again as a new file", true, L::Same, R::Absent, {"upload f"}},
        FileRow{"deleted here: downloaded again", true, L::Absent, R::Same, {"download f"}},
        FileRow{"deleted on the server, changed here: the edit goes up", true, L::Changed, R::Absent, {"upload f"}},
        FileRow{"deleted here, changed on the server: the edit comes down", true, L::Absent, R::Changed,
                {"download f"}},
        FileRow{"unchanged on both sides", true, L::Same, R::Same, {}},
        FileRow{"changed on the server", true, L::Same, R::Changed, {"download f"}},
        FileRow{"deleted on both sides: nothing to bring back", true, L::Absent, R::Absent, {"forget-journal f"}},
        FileRow{"replaced by a folder on the server: no deletion, the usual rule", true, L::Same, R::Folder,
                {"delete-local f", "make-local-folder f"}},
        FileRow{"replaced by a folder here: no deletion, the usual rule", true, L::Folder, R::Same,
                {"delete-remote f", "make-remote-folder f"}}));

TEST(Reconcile, FolderDeletedOnServerIsUploadedAgainWholeWhenRestoring)
{
    SyncedFolder s;
    s.remote.clear();
    const Plan plan = reconcile(s.local, s.remote, s.journal, restoring());
    EXPECT_EQ(describe(plan), (Lines{"make-remote-folder d", "upload d/a", "upload d/b"}));
    EXPECT_EQ(plan.itemsDeleted, 0);
    EXPECT_TRUE(plan.deletedPaths.empty());
}

TEST(Reconcile, FolderDeletedHereIsDownloadedAgainWholeWhenRestoring)
{
    SyncedFolder s;
    s.local.clear();
    const Plan plan = reconcile(s.local, s.remote, s.journal, restoring());
    EXPECT_EQ(describe(plan), (Lines{"make-local-folder d", "download d/a", "download d/b"}));
    EXPECT_EQ(plan.itemsDeleted, 0);
}

TEST(Reconcile, FolderDeletedHereComesBackWithTheServersEditWhenRestoring)
{
    SyncedFolder s;
    s.local.clear();
    s.remote["d"].etag = "d2";
    s.remote["d/b"].etag = "b2";
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, restoring())),
              (Lines{"make-local-folder d", "download d/a", "download d/b"}));
}

// An end-to-end encrypted folder "vault" with "vault/sub/a", synced.
SyncedFolder encryptedVault()
{
    SyncedFolder s;
    s.local = {{"vault", localFolder(1)}, {"vault/sub", localFolder(2)}, {"vault/sub/a", localFile(3)}};
    s.remote = {{"vault", remoteFolder("v1", "100")},
                {"vault/sub", remoteFolder("s1", "101")},
                {"vault/sub/a", remoteFile("a1", "102")}};
    s.journal = {{"vault", journalFolder(1, "v1", "100")},
                 {"vault/sub", journalFolder(2, "s1", "101")},
                 {"vault/sub/a", journalFile(3, "a1", "102")}};
    for (auto& [path, entry] : s.remote)
        entry.encrypted = true;
    for (auto& [path, record] : s.journal)
        record.encrypted = true;
    return s;
}

TEST(Reconcile, AnEncryptedFolderDeletedOnServerIsNotRestoredUnencrypted)
{
    SyncedFolder s = encryptedVault();
    s.remote.clear();
    const Plan plan = reconcile(s.local, s.remote, s.journal, restoring());
    EXPECT_EQ(describe(plan), Lines{"error vault"});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_NE(plan.actions[0].reason.find("not uploaded again unencrypted"), std::string::npos);
}

// A server that deletes an encrypted folder (or says it is gone) must not get the files edited
// here meanwhile re-uploaded in plain text: the folder is kept here, reported, and not made again.
TEST(Reconcile, AnEncryptedFolderDeletedOnServerWithAnEditHereIsNotUploadedUnencrypted)
{
    SyncedFolder s = encryptedVault();
    s.remote.clear();
    s.local["vault/sub/a"] = localFile(3, 44, 400); // edited here
    s.local["vault/new"] = localFile(9);            // and a new file
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), Lines{"error vault"});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_NE(plan.actions[0].reason.find("not uploaded again unencrypted"), std::string::npos);
}

TEST(Reconcile, AnEncryptedFileDeletedOnServerWithAnEditHereStaysEncryptedOrStaysHere)
{
    // Its folder is still encrypted on the server: the edit goes up again, into that folder.
    SyncedFolder kept = encryptedVault();
    kept.remote.erase("vault/sub/a");
    kept.local["vault/sub/a"] = localFile(3, 44, 400);
    EXPECT_EQ(describe(reconcile(kept.local, kept.remote, kept.journal)), Lines{"upload vault/sub/a"});
    // Nothing encrypted is left above it on the server (its folder listed unencrypted): it stays
    // here, and so does its folder, reported.
    SyncedFolder gone = encryptedVault();
    gone.remote = {{"vault", remoteFolder("v2", "100")}};
    gone.local["vault/sub/a"] = localFile(3, 44, 400);
    EXPECT_EQ(describe(reconcile(gone.local, gone.remote, gone.journal)), Lines{"error vault"});
}

// A server that lists an encrypted folder as unencrypted (the flag dropped, blobs under their
// random names): nothing is uploaded into it in plain text, nothing here is deleted because its
// plain name is not listed, and no blob is downloaded as a file.
TEST(Reconcile, AnEncryptedFolderTheServerListsAsUnencryptedIsLeftAlone)
{
    SyncedFolder s = encryptedVault();
    // The blob of "vault/sub/a" keeps its file id: no move of the local file to the blob's name.
    s.remote = {{"vault", remoteFolder("v2", "100")},
                {"vault/0123456789abcdef0123456789abcdef", remoteFile("x1", "102")}};
    s.local["vault/new"] = localFile(9);
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), Lines{"error vault"});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_NE(plan.actions[0].reason.find("unencrypted"), std::string::npos);
}

TEST(Reconcile, AnEmptyEncryptedFolderMadePlainOnTheServerIsRecordedAsPlain)
{
    // The server removes the encryption of empty folders only: such a folder is plain from now on.
    SyncedFolder s;
    s.local = {{"vault", localFolder(1)}};
    s.remote = {{"vault", remoteFolder("v1", "100")}};
    s.journal = {{"vault", journalFolder(1, "v1", "100")}};
    s.journal["vault"].encrypted = true;
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    ASSERT_EQ(describe(plan), Lines{"update-journal vault"});
    EXPECT_FALSE(plan.actions[0].remote->encrypted);
}

TEST(Reconcile, WhatWasDeletedInsideAnEncryptedFolderThatIsStillThereIsRestored)
{
    SyncedFolder s = encryptedVault();
    s.remote.erase("vault/sub");
    s.remote.erase("vault/sub/a");
    EXPECT_EQ(describe(reconcile(s.local, s.remote, s.journal, restoring())),
              (Lines{"make-remote-folder vault/sub", "upload vault/sub/a"}));
}

// A synced folder "d" (with "d/a", "d/b") and files "c" and "e".
SyncedFolder withTwoFiles()
{
    SyncedFolder s;
    s.local["c"] = localFile(20);
    s.local["e"] = localFile(21);
    s.remote["c"] = remoteFile("c1", "200");
    s.remote["e"] = remoteFile("e1", "201");
    s.journal["c"] = journalFile(20, "c1", "200");
    s.journal["e"] = journalFile(21, "e1", "201");
    return s;
}

TEST(Reconcile, DeletedPathsListEveryItemSortedWithTheSubtreesOfBothSides)
{
    SyncedFolder s = withTwoFiles();
    s.remote.erase("d");
    s.remote.erase("d/a");
    s.remote.erase("d/b");
    s.remote.erase("c");
    s.local.erase("e");
    const Plan plan = reconcile(s.local, s.remote, s.journal);
    EXPECT_EQ(describe(plan), (Lines{"delete-local c", "delete-local d", "delete-remote e"}));
    EXPECT_EQ(plan.deletedPaths, (std::vector<std::string>{"c", "d", "d/a", "d/b", "e"}));
    EXPECT_EQ(plan.itemsDeleted, 5);
    EXPECT_EQ(plan.localDeletes, 4);
}

TEST(Reconcile, DeletedPathsKeepOnlyTheFirstOnesInPathOrder)
{
    SyncedFolder s = withTwoFiles();
    s.remote.clear();
    ReconcileOptions options;
    options.deletedPathsKept = 3;
    const Plan plan = reconcile(s.local, s.remote, s.journal, options);
    EXPECT_EQ(plan.deletedPaths, (std::vector<std::string>{"c", "d", "d/a"}));
    EXPECT_EQ(plan.itemsDeleted, 5);
}

} // namespace
} // namespace nubo::sync
