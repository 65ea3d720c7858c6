#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "journal.h"
#include "journal_migrations.h"
#include "temp_dir.h"

namespace nubo::sync {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

int latestVersion()
{
    return journalMigrations().back().version;
}

JournalRecord record(ItemType type, const std::string& serverPath, const std::string& etag = "e")
{
    JournalRecord r;
    r.type = type;
    r.serverPath = serverPath;
    r.etag = etag;
    return r;
}

// Runs SQL on the file behind the journal's back, as another program (or an older Nubo) would.
void rawSql(const std::filesystem::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

int userVersion(const std::filesystem::path& file)
{
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
    const int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return version;
}

std::vector<std::string> paths(const JournalTree& tree)
{
    std::vector<std::string> out;
    for (const auto& [path, r] : tree)
        out.push_back(path);
    return out;
}

class JournalTest : public ::testing::Test {
protected:
    std::unique_ptr<Journal> open()
    {
        auto journal = Journal::open(m_file);
        EXPECT_TRUE(journal.has_value()) << journal.error().message;
        return journal ? std::move(*journal) : nullptr;
    }

    TempDir m_dir;
    std::filesystem::path m_file = m_dir / JOURNAL_FILE_NAME;
};

TEST(JournalMigrations, AreNumberedFromOneWithoutGaps)
{
    const auto migrations = journalMigrations();
    ASSERT_FALSE(migrations.empty());
    for (std::size_t i = 0; i < migrations.size(); ++i)
        EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1) << migrations[i].name;
}

TEST_F(JournalTest, NewFileGetsEveryMigrationAndWal)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal->schemaVersion(), latestVersion());
    EXPECT_EQ(userVersion(m_file), latestVersion());
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    EXPECT_TRUE(tree->empty());
    // WAL mode leaves its side file while the connection is open.
    EXPECT_TRUE(std::filesystem::exists(m_file.string() + "-wal"));
}

TEST_F(JournalTest, ReopenKeepsDataAndDoesNotMigrateAgain)
{
    {
        auto journal = open();
        ASSERT_TRUE(journal);
        ASSERT_TRUE(
            journal->apply({{"a", record(ItemType::Directory, "a")}, {"a/f", record(ItemType::File, "a/f")}}, {}));
        ASSERT_TRUE(journal->setSetting("client-id", "xyz"));
    }
    auto journal = open();
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal->schemaVersion(), latestVersion());
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(paths(*tree), (std::vector<std::string>{"a", "a/f"}));
    EXPECT_EQ(journal->setting("client-id")->value_or(""), "xyz");
}

TEST_F(JournalTest, RefusesSchemaFromNewerNubo)
{
    {
        ASSERT_TRUE(open());
    }
    rawSql(m_file, "PRAGMA user_version = 99");
    auto journal = Journal::open(m_file);
    ASSERT_FALSE(journal.has_value());
    EXPECT_EQ(journal.error().code, SyncErrorCode::Journal);
    EXPECT_NE(journal.error().message.find("newer Nubo (schema 99"), std::string::npos) << journal.error().message;
    EXPECT_NE(journal.error().message.find(m_file.string()), std::string::npos);
    EXPECT_NE(journal.error().message.find("update Nubo or remove the file"), std::string::npos);
    EXPECT_EQ(userVersion(m_file), 99); // left alone
}

TEST_F(JournalTest, RejectsFileThatIsNotADatabase)
{
    const std::string garbage(8192, 'x');
    writeFile(m_file, garbage);
    auto journal = Journal::open(m_file);
    ASSERT_FALSE(journal.has_value());
    EXPECT_EQ(journal.error().code, SyncErrorCode::Journal);
    EXPECT_NE(journal.error().message.find(m_file.string()), std::string::npos) << journal.error().message;
    EXPECT_NE(journal.error().message.find("delete it"), std::string::npos) << journal.error().message;
    EXPECT_EQ(readFile(m_file), garbage);
}

TEST_F(JournalTest, MissingFolderIsAnErrorThatSaysWhy)
{
    const auto file = m_dir / "no-such-folder" / JOURNAL_FILE_NAME;
    auto journal = Journal::open(file);
    ASSERT_FALSE(journal.has_value());
    EXPECT_EQ(journal.error().code, SyncErrorCode::Journal);
    EXPECT_NE(journal.error().message.find(file.string()), std::string::npos) << journal.error().message;
    EXPECT_NE(journal.error().message.find("folder exists"), std::string::npos) << journal.error().message;
}

TEST_F(JournalTest, ReportsDamagedPages)
{
    {
        auto journal = open();
        ASSERT_TRUE(journal);
        std::vector<std::pair<std::string, JournalRecord>> upserts;
        for (int i = 0; i < 2000; ++i)
            upserts.emplace_back("file" + std::to_string(i), record(ItemType::File, "file" + std::to_string(i)));
        ASSERT_TRUE(journal->apply(upserts, {}));
    } // closing the last connection checkpoints the WAL into the main file
    std::string bytes = readFile(m_file);
    ASSERT_GT(bytes.size(), 4096u * 4);
    // Every page after the first (schema) page: the items table's b-tree cannot be read any more.
    std::fill(bytes.begin() + 4096, bytes.end(), '\xff');
    writeFile(m_file, bytes);

    auto journal = Journal::open(m_file);
    SyncError error;
    if (!journal) {
        error = journal.error();
    } else {
        auto tree = (*journal)->loadAll();
        ASSERT_FALSE(tree.has_value());
        error = tree.error();
    }
    EXPECT_EQ(error.code, SyncErrorCode::Journal);
    EXPECT_NE(error.message.find("damaged"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find(m_file.string()), std::string::npos) << error.message;
}

TEST_F(JournalTest, ForeignDatabaseFailsMigrationCleanly)
{
    rawSql(m_file, "CREATE TABLE items (x); INSERT INTO items VALUES (1)");
    auto journal = Journal::open(m_file);
    ASSERT_FALSE(journal.has_value());
    EXPECT_EQ(journal.error().code, SyncErrorCode::Journal);
    EXPECT_NE(journal.error().message.find("001_initial.sql"), std::string::npos) << journal.error().message;
    EXPECT_EQ(userVersion(m_file), 0); // the failed migration was rolled back with its version bump
}

TEST_F(JournalTest, EveryFieldRoundTrips)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    JournalRecord r;
    r.type = ItemType::File;
    r.serverPath = "Secret/3f2a9c";
    r.encrypted = true;
    r.inode = std::numeric_limits<std::uint64_t>::max() - 7; // above INT64_MAX: stored as its bit pattern
    r.size = 1234567890123;
    r.mtime = -5;
    r.etag = "\"etag\"";
    r.fileId = "00000042ocabc";
    r.permissions = "RGDNVW";
    r.checksum = "SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709";
    ASSERT_TRUE(journal->apply({{"Secret/Grüße 'x'.txt", r}}, {}));

    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    ASSERT_EQ(tree->size(), 1u);
    const JournalRecord& got = tree->at("Secret/Grüße 'x'.txt");
    EXPECT_EQ(got.type, r.type);
    EXPECT_EQ(got.serverPath, r.serverPath);
    EXPECT_EQ(got.encrypted, r.encrypted);
    EXPECT_EQ(got.inode, r.inode);
    EXPECT_EQ(got.size, r.size);
    EXPECT_EQ(got.mtime, r.mtime);
    EXPECT_EQ(got.etag, r.etag);
    EXPECT_EQ(got.fileId, r.fileId);
    EXPECT_EQ(got.permissions, r.permissions);
    EXPECT_EQ(got.checksum, r.checksum);
}

TEST_F(JournalTest, UpsertReplacesTheRecord)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->apply({{"f", record(ItemType::File, "f", "one")}}, {}));
    ASSERT_TRUE(journal->apply({{"f", record(ItemType::Directory, "f", "two")}}, {}));
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    ASSERT_EQ(tree->size(), 1u);
    EXPECT_EQ(tree->at("f").etag, "two");
    EXPECT_EQ(tree->at("f").type, ItemType::Directory);
}

TEST_F(JournalTest, RootRecordIsTheEmptyPath)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->apply({{"", record(ItemType::Directory, "", "root-etag")}}, {}));
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    ASSERT_TRUE(tree->contains(""));
    EXPECT_EQ(tree->at("").etag, "root-etag");
    EXPECT_EQ(tree->at("").type, ItemType::Directory);
}

struct SubtreeRow {
    std::string deleted;
    std::vector<std::string> remaining;
};

class JournalSubtreeTest : public JournalTest, public ::testing::WithParamInterface<SubtreeRow> {};

TEST_P(JournalSubtreeTest, DeletesExactlyThePathAndItsContents)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    std::vector<std::pair<std::string, JournalRecord>> upserts;
    for (const char* path : {"", "a", "a/x", "a/x/y", "a b", "a b/z", "ab", "a.b", "a0", "a%", "a_", "a_/q", "b"})
        upserts.emplace_back(path, record(ItemType::Directory, path));
    ASSERT_TRUE(journal->apply(upserts, {}));
    ASSERT_TRUE(journal->apply({}, {GetParam().deleted}));
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    std::vector<std::string> expected = GetParam().remaining;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(paths(*tree), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, JournalSubtreeTest,
    ::testing::Values(SubtreeRow{"a", {"", "a b", "a b/z", "a%", "a.b", "a0", "a_", "a_/q", "ab", "b"}},
                      SubtreeRow{"a/x", {"", "a", "a b", "a b/z", "a%", "a.b", "a0", "a_", "a_/q", "ab", "b"}},
                      // LIKE wildcards in a name must not widen the delete.
                      SubtreeRow{"a_", {"", "a", "a/x", "a/x/y", "a b", "a b/z", "a%", "a.b", "a0", "ab", "b"}},
                      SubtreeRow{"a%", {"", "a", "a/x", "a/x/y", "a b", "a b/z", "a.b", "a0", "a_", "a_/q", "ab", "b"}},
                      SubtreeRow{"missing",
                                 {"", "a", "a/x", "a/x/y", "a b", "a b/z", "a%", "a.b", "a0", "a_", "a_/q", "ab", "b"}},
                      SubtreeRow{"", {}}));

std::vector<std::string> rowPaths(const JournalRows& rows)
{
    std::vector<std::string> out;
    for (const auto& [path, r] : rows)
        out.push_back(path);
    return out;
}

// The engine reads the journal one folder at a time (unchanged_subtrees.h): a folder's children are
// exactly the records one level below it, whatever sorts between them ("a b" between "a" and "a/x").
TEST_F(JournalTest, AFolderIsReadWithoutWhatLiesDeeperOrBeside)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    std::vector<std::pair<std::string, JournalRecord>> upserts;
    for (const char* path : {"", "a", "a/x", "a/x/y", "a/x/y/z", "a/w", "a b", "a b/z", "ab", "a0", "a_", "a_/q", "b"})
        upserts.emplace_back(path, record(ItemType::Directory, path));
    ASSERT_TRUE(journal->apply(upserts, {}));
    const auto children = [&](const std::string& folder) {
        auto rows = journal->children(folder);
        EXPECT_TRUE(rows.has_value());
        return rows ? rowPaths(*rows) : std::vector<std::string>{};
    };
    EXPECT_EQ(children(""), (std::vector<std::string>{"a", "a b", "a0", "a_", "ab", "b"}));
    EXPECT_EQ(children("a"), (std::vector<std::string>{"a/w", "a/x"}));
    EXPECT_EQ(children("a/x"), (std::vector<std::string>{"a/x/y"}));
    EXPECT_EQ(children("a_"), (std::vector<std::string>{"a_/q"}));
    EXPECT_EQ(children("missing"), std::vector<std::string>{});
    auto below = journal->subtree("a");
    ASSERT_TRUE(below.has_value());
    EXPECT_EQ(rowPaths(*below), (std::vector<std::string>{"a/w", "a/x", "a/x/y", "a/x/y/z"}));
    auto one = journal->record("a/x/y");
    ASSERT_TRUE(one.has_value());
    ASSERT_TRUE(one->has_value());
    EXPECT_EQ((*one)->serverPath, "a/x/y");
    auto none = journal->record("a/nothing");
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
    auto count = journal->count();
    ASSERT_TRUE(count.has_value());
    EXPECT_EQ(*count, 13);
}

// One range of the depth index per folder, not a scan of the table: at a million records the
// difference is the no-change sync's whole time.
TEST_F(JournalTest, AFolderIsOneRangeOfTheDepthIndex)
{
    ASSERT_TRUE(open());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_file.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "EXPLAIN QUERY PLAN SELECT * FROM items WHERE "
                                 "(length(path) - length(replace(path, '/', ''))) = 1 AND path > 'a/' AND path < 'a0'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)) + std::string("\n");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    EXPECT_NE(plan.find("SEARCH items USING INDEX items_by_depth"), std::string::npos) << plan;
}

// A run that defers new items asks which inodes the journal knows (a move's new place is never
// deferred): all of them, sorted, without the 0 of records that have none.
TEST_F(JournalTest, KnownInodesAreReadSortedWithoutUnknownOnes)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    std::vector<std::pair<std::string, JournalRecord>> upserts;
    const std::vector<std::uint64_t> inodes{42, 7, 0, 1ull << 40, 9};
    for (std::size_t i = 0; i < inodes.size(); ++i) {
        JournalRecord r = record(ItemType::File, "f" + std::to_string(i));
        r.inode = inodes[i];
        upserts.emplace_back("f" + std::to_string(i), r);
    }
    ASSERT_TRUE(journal->apply(upserts, {}));
    auto known = journal->inodes();
    ASSERT_TRUE(known.has_value());
    EXPECT_EQ(*known, (std::vector<std::uint64_t>{7, 9, 42, 1ull << 40}));
    JournalTree tree;
    for (auto& [path, r] : upserts)
        tree.emplace(path, r);
    auto fromTree = TreeJournalLookup(tree).inodes();
    ASSERT_TRUE(fromTree.has_value());
    EXPECT_EQ(*fromTree, *known);
}

TEST_F(JournalTest, DeletesComeBeforeUpsertsInOneApply)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->apply({{"old/f", record(ItemType::File, "old/f")}}, {}));
    // A folder moved away and a new one made under its old name, in one batch.
    ASSERT_TRUE(journal->apply(
        {{"new", record(ItemType::Directory, "new")}, {"old/g", record(ItemType::File, "old/g")}}, {"old"}));
    auto tree = journal->loadAll();
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(paths(*tree), (std::vector<std::string>{"new", "old/g"}));
}

TEST_F(JournalTest, BlacklistBackOffDoublesAndCaps)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    const std::int64_t now = 1'800'000'000;
    std::int64_t expected = 25;
    for (int failures = 1; failures <= 20; ++failures) {
        auto entry = journal->recordFailure("a/f", "error " + std::to_string(failures), now);
        ASSERT_TRUE(entry.has_value()) << entry.error().message;
        EXPECT_EQ(entry->failures, failures);
        EXPECT_EQ(entry->retryAt, now + expected) << "failure " << failures;
        expected = std::min<std::int64_t>(expected * 2, 86400);
    }
    auto list = journal->blacklist();
    ASSERT_TRUE(list.has_value());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(list->front().path, "a/f");
    EXPECT_EQ(list->front().message, "error 20");
    EXPECT_EQ(list->front().failures, 20);
    EXPECT_EQ(list->front().retryAt, now + 86400);

    // A huge base is capped too, and counting starts again after clearFailure.
    ASSERT_TRUE(journal->clearFailure("a/f"));
    auto entry = journal->recordFailure("a/f", "again", now, 1'000'000);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->failures, 1);
    EXPECT_EQ(entry->retryAt, now + 86400);
    auto second = journal->recordFailure("b", "other", now, 10);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->retryAt, now + 10);
    EXPECT_EQ(journal->blacklist()->size(), 2u);
}

TEST_F(JournalTest, BlacklistBackOffStopsAtTheCapGivenForThatFailure)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    const std::int64_t now = 1'800'000'000;
    std::vector<std::int64_t> waits;
    for (int failures = 1; failures <= 6; ++failures)
        waits.push_back(journal->recordFailure("locked/f", "423", now, 25, 120)->retryAt - now);
    EXPECT_EQ(waits, (std::vector<std::int64_t>{25, 50, 100, 120, 120, 120}));
    // A cap below the base wins too; a cap above a day is a day.
    EXPECT_EQ(journal->recordFailure("g", "423", now, 25, 10)->retryAt, now + 10);
    EXPECT_EQ(journal->recordFailure("h", "x", now, 1'000'000, 10'000'000)->retryAt, now + 86400);
}

TEST_F(JournalTest, BlacklistSurvivesReopen)
{
    {
        auto journal = open();
        ASSERT_TRUE(journal);
        ASSERT_TRUE(journal->recordFailure("x", "boom", 100, 25));
        ASSERT_TRUE(journal->recordFailure("x", "boom", 200, 25));
    }
    auto journal = open();
    ASSERT_TRUE(journal);
    auto entry = journal->recordFailure("x", "boom", 300, 25);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->failures, 3);
    EXPECT_EQ(entry->retryAt, 300 + 100);
}

TEST_F(JournalTest, Settings)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    auto missing = journal->setting("remote-root");
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
    ASSERT_TRUE(journal->setSetting("remote-root", "/Documents"));
    ASSERT_TRUE(journal->setSetting("remote-root", "/Photos"));
    ASSERT_TRUE(journal->setSetting("empty", ""));
    EXPECT_EQ(journal->setting("remote-root")->value_or(""), "/Photos");
    ASSERT_TRUE(journal->setting("empty")->has_value());
    EXPECT_EQ(**journal->setting("empty"), "");
}

TEST_F(JournalTest, HundredThousandRecords)
{
    auto journal = open();
    ASSERT_TRUE(journal);
    std::vector<std::pair<std::string, JournalRecord>> upserts;
    upserts.reserve(100'000);
    for (int folder = 0; folder < 1000; ++folder) {
        const std::string dir = "folder " + std::to_string(folder);
        upserts.emplace_back(dir, record(ItemType::Directory, dir));
        for (int file = 0; file < 99; ++file) {
            const std::string path = dir + "/document-" + std::to_string(file) + ".odt";
            JournalRecord r = record(ItemType::File, path, "5f3c2a1b9e8d7c6b");
            r.fileId = "00012345ocnca1b2c3";
            r.permissions = "RGDNVW";
            r.checksum = "SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709";
            r.size = file * 1000;
            upserts.emplace_back(path, std::move(r));
        }
    }
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    ASSERT_TRUE(journal->apply(upserts, {}));
    const auto t1 = Clock::now();
    auto tree = journal->loadAll();
    const auto t2 = Clock::now();
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(tree->size(), 100'000u);
    ASSERT_TRUE(journal->apply({}, {"folder 7"}));
    const auto t3 = Clock::now();
    EXPECT_EQ(journal->loadAll()->size(), 100'000u - 100);

    auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::printf("[ timing ] apply 100k upserts: %.1f ms, loadAll 100k: %.1f ms, delete 100-item subtree: %.1f ms\n",
                ms(t1 - t0), ms(t2 - t1), ms(t3 - t2));
}

} // namespace
} // namespace nubo::sync
