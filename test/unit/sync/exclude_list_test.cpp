#include <chrono>
#include <cstdio>
#include <stdlib.h>
#include <time.h>

#include <gtest/gtest.h>

#include "exclude_list.h"
#include "local_file.h"
#include "temp_dir.h"

namespace nubo::sync {
namespace {

struct Row {
    std::string path;
    bool isDirectory;
    bool excluded;
};

void PrintTo(const Row& row, std::ostream* out)
{
    *out << '"' << row.path << '"' << (row.isDirectory ? " (folder)" : "") << " -> "
         << (row.excluded ? "excluded" : "synced");
}

class DefaultExcludes : public ::testing::TestWithParam<Row> {};

TEST_P(DefaultExcludes, Row)
{
    static const ExcludeList list = ExcludeList::defaults();
    EXPECT_EQ(list.isExcluded(GetParam().path, GetParam().isDirectory), GetParam().excluded);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DefaultExcludes,
    ::testing::Values(
        // Nubo's own files
        Row{".nubo_journal.db", false, true}, Row{".nubo_journal.db-wal", false, true},
        Row{".nubo_journal.db-shm", false, true}, Row{"sub/.nubo_journal.db", false, true},
        Row{".report.txt.~nubo1a2b3c4d", false, true},
        // other clients
        Row{".sync_0123abcd.db", false, true}, Row{".sync_0123abcd.db-wal", false, true},
        Row{"._sync_0123abcd.db", false, true}, Row{".csync_journal.db", false, true},
        Row{".owncloudsync.log", false, true}, Row{".owncloudsync.log.1", false, true},
        // editors and office
        Row{"notes.txt~", false, true}, Row{".notes.txt.swp", false, true}, Row{".notes.swx", false, true},
        Row{"#notes.txt#", false, true}, Row{".#notes.txt", false, true}, Row{".~lock.report.odt#", false, true},
        Row{"~$report.docx", false, true}, Row{"~WRL0001.tmp", false, true}, Row{"a.kate-swp", false, true},
        // partial downloads
        Row{"movie.part", false, true}, Row{"movie.crdownload", false, true}, Row{"movie.filepart", false, true},
        // operating systems
        Row{"Desktop.ini", false, true}, Row{"desktop.ini", false, true}, Row{"Thumbs.db", false, true},
        Row{"photos/.DS_Store", false, true}, Row{"._photo.jpg", false, true}, Row{".Trash-1000", true, true},
        Row{".fuse_hidden000012", false, true}, Row{".nfs00000000001", false, true}, Row{".directory", false, true},
        Row{"Icon\r", false, true}, Row{"System Volume Information", true, true}, Row{".TemporaryItems", true, true},
        // ordinary names stay synced
        Row{"report.txt", false, false}, Row{"dir/report.txt", false, false}, Row{"draft.~1", false, false},
        Row{"file~x", false, false}, Row{".swp", false, false}, Row{".vimrc", false, false},
        Row{"a.partial", false, false}, Row{"Icon", false, false}, Row{"desktop.ini.bak", false, false},
        Row{"notes.nfs", false, false}, Row{"#notes", false, false}, Row{"lock.~report", false, false},
        Row{"Trash-1000", true, false}, Row{"nubo_journal.db", false, false},
        Row{"report (conflicted copy 2026-11-29 101500).txt", false, false},
        Row{"report_conflict-20261129-101500.txt", false, false}));

struct PatternRow {
    std::string pattern;
    std::string path;
    bool isDirectory;
    bool excluded;
};

void PrintTo(const PatternRow& row, std::ostream* out)
{
    *out << "pattern \"" << row.pattern << "\" on \"" << row.path << '"' << (row.isDirectory ? " (folder)" : "")
         << " -> " << (row.excluded ? "excluded" : "synced");
}

class PatternSyntax : public ::testing::TestWithParam<PatternRow> {};

TEST_P(PatternSyntax, Row)
{
    ExcludeList list;
    list.addPattern(GetParam().pattern);
    EXPECT_EQ(list.isExcluded(GetParam().path, GetParam().isDirectory), GetParam().excluded);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PatternSyntax,
    ::testing::Values(
        // trailing '/' means folders only
        PatternRow{"build/", "build", true, true}, PatternRow{"build/", "build", false, false},
        PatternRow{"build/", "src/build", true, true}, PatternRow{"*.d/", "x.d", true, true},
        PatternRow{"*.d/", "x.d", false, false},
        // a '/' inside matches the whole relative path, '*' never crosses '/'
        PatternRow{"docs/*.tmp", "docs/a.tmp", false, true}, PatternRow{"docs/*.tmp", "x/docs/a.tmp", false, false},
        PatternRow{"docs/*.tmp", "docs/sub/a.tmp", false, false}, PatternRow{"x/*/y", "x/a/y", false, true},
        PatternRow{"x/*/y", "x/a/b/y", false, false}, PatternRow{"/top", "top", false, true},
        PatternRow{"/top", "x/top", false, false},
        // names: the last component only
        PatternRow{"*.o", "src/main.o", false, true}, PatternRow{"*.o", "main.c", false, false},
        PatternRow{"*", "anything", false, true}, PatternRow{"main", "src/main", false, true},
        PatternRow{"main", "main/src", false, false},
        // wildcards and classes
        PatternRow{"*.[oa]", "lib.a", false, true}, PatternRow{"*.[oa]", "lib.c", false, false},
        PatternRow{"[!a]*.log", "b.log", false, true}, PatternRow{"[!a]*.log", "a.log", false, false},
        PatternRow{"[^a]*.log", "a.log", false, false}, PatternRow{"file[0-9]", "file7", false, true},
        PatternRow{"file[0-9]", "filex", false, false}, PatternRow{"[]]x", "]x", false, true},
        PatternRow{"[ä]x", "äx", false, true}, PatternRow{"?.txt", "ä.txt", false, true},
        PatternRow{"?.txt", "ab.txt", false, false}, PatternRow{"?.txt", ".txt", false, false},
        PatternRow{"a*b*c", "aXbYc", false, true}, PatternRow{"a*b*c", "abc", false, true},
        PatternRow{"a*b*c", "acb", false, false}, PatternRow{"*ab", "aab", false, true},
        PatternRow{"*aab", "aaab", false, true}, PatternRow{"a[", "a[", false, true},
        // escapes
        PatternRow{"\\*star", "*star", false, true}, PatternRow{"\\*star", "xstar", false, false},
        PatternRow{"\\#hash", "#hash", false, true}, PatternRow{"tab\\there", "tab\there", false, true},
        // ']' marks a deletable pattern, which is excluded all the same
        PatternRow{"]deletable", "deletable", false, true},
        // comments and empty lines add nothing
        PatternRow{"# comment", "# comment", false, false}, PatternRow{"", "", false, false},
        // CRLF files
        PatternRow{"crlf\r", "crlf", false, true}));

TEST(ExcludeList, AddTextAndPatterns)
{
    ExcludeList list;
    list.addText("# my list\r\nfoo\r\n\r\n]bar/\nbaz");
    EXPECT_EQ(list.patterns(), (std::vector<std::string>{"foo", "]bar/", "baz"}));
    EXPECT_TRUE(list.isExcluded("foo", false));
    EXPECT_TRUE(list.isExcluded("a/bar", true));
    EXPECT_FALSE(list.isExcluded("a/bar", false));
    EXPECT_TRUE(list.isExcluded("baz", false));
    EXPECT_FALSE(list.isExcluded("# my list", false));
}

TEST(ExcludeList, AddFile)
{
    test::TempDir dir;
    test::writeFile(dir / "sync-exclude.lst", "*.bak\nnode_modules/\n");
    ExcludeList list = ExcludeList::defaults();
    const std::size_t defaults = list.patterns().size();
    ASSERT_TRUE(list.addFile(dir / "sync-exclude.lst"));
    EXPECT_EQ(list.patterns().size(), defaults + 2);
    EXPECT_TRUE(list.isExcluded("x.bak", false));
    EXPECT_TRUE(list.isExcluded("web/node_modules", true));
    EXPECT_TRUE(list.isExcluded(".nubo_journal.db", false)); // defaults still apply

    auto missing = list.addFile(dir / "nope.lst");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, SyncErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("nope.lst"), std::string::npos);
}

TEST(ExcludeList, DefaultsCoverTemporaryNames)
{
    const ExcludeList list = ExcludeList::defaults();
    const auto temporary = temporaryPathFor("/sync/dir/report final.odt");
    EXPECT_TRUE(list.isExcluded("dir/" + temporary.filename().string(), false)) << temporary;
}

struct ConflictRow {
    std::string name;
    bool conflict;
};

class ConflictNames : public ::testing::TestWithParam<ConflictRow> {};

TEST_P(ConflictNames, Row)
{
    EXPECT_EQ(isConflictCopyName(GetParam().name), GetParam().conflict) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Table, ConflictNames,
                         ::testing::Values(ConflictRow{"report (conflicted copy 2026-11-29 101500).txt", true},
                                           ConflictRow{".bashrc (conflicted copy 2026-11-29 101500)", true},
                                           ConflictRow{"x (conflicted copy alice 2026-11-29 101500).txt", true},
                                           ConflictRow{"a (b) (conflicted copy 2026-11-29 101500)", true},
                                           ConflictRow{"x (conflicted copy).txt", false},
                                           ConflictRow{"x (conflicted copy of mine).txt", false},
                                           ConflictRow{"x (conflicted copy 2026-11-29 10150).txt", false},
                                           ConflictRow{"x (conflicted copy 2026-11-29 101500", false},
                                           ConflictRow{"report.txt", false}, ConflictRow{"", false}));

class ConflictPath : public ::testing::Test {
protected:
    // Local time is part of the name; pin it so the rows do not depend on the machine.
    void SetUp() override
    {
        if (const char* tz = getenv("TZ")) m_savedTz = tz;
        m_hadTz = getenv("TZ") != nullptr;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override
    {
        if (m_hadTz)
            setenv("TZ", m_savedTz.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

    static constexpr std::int64_t TIME = 1795947300; // 2026-11-29 10:15:00 UTC
    std::string m_savedTz;
    bool m_hadTz = false;
};

TEST_F(ConflictPath, InsertsMarkerBeforeTheExtension)
{
    const std::string stamp = " (conflicted copy 2026-11-29 101500)";
    EXPECT_EQ(conflictCopyPath("dir/report.txt", TIME), "dir/report" + stamp + ".txt");
    EXPECT_EQ(conflictCopyPath("report", TIME), "report" + stamp);
    EXPECT_EQ(conflictCopyPath(".bashrc", TIME), ".bashrc" + stamp);
    EXPECT_EQ(conflictCopyPath("dir/.bashrc", TIME), "dir/.bashrc" + stamp);
    EXPECT_EQ(conflictCopyPath("dir/.hidden.txt", TIME), "dir/.hidden" + stamp + ".txt");
    EXPECT_EQ(conflictCopyPath("a.b/file", TIME), "a.b/file" + stamp);
    EXPECT_EQ(conflictCopyPath("archive.tar.gz", TIME), "archive.tar" + stamp + ".gz");
    for (const char* path : {"dir/report.txt", ".bashrc", "a.b/file"}) {
        const std::string copy = conflictCopyPath(path, TIME);
        EXPECT_TRUE(isConflictCopyName(copy.substr(copy.rfind('/') + 1))) << copy;
    }
}

TEST(ExcludeList, ConflictCopyOfANameNear255BytesStillFits)
{
    // Without this the copy cannot be created and the conflict never resolves (data-safety item 7).
    constexpr std::int64_t TIME = 1'764'412'500;
    const std::string umlauts = [] {
        std::string s;
        for (int i = 0; i < 124; ++i)
            s += "\xc3\xbc"; // "ü", two bytes
        return s;
    }();
    for (const std::string& name : {umlauts + ".txt", umlauts + "x.txt", std::string(251, 'a') + ".txt",
                                    std::string(255, 'b'), "." + std::string(254, 'c'),
                                    "x." + std::string(253, 'e')}) {
        const std::string copy = conflictCopyPath("dir/" + name, TIME);
        ASSERT_TRUE(copy.starts_with("dir/")) << copy;
        const std::string copyName = copy.substr(4);
        EXPECT_LE(copyName.size(), 255u) << name.size();
        EXPECT_TRUE(isConflictCopyName(copyName)) << copyName;
        // Cut at a character boundary: never half an "ü".
        EXPECT_NE(static_cast<unsigned char>(copyName[copyName.find(" (conflicted") - 1]) & 0xe0, 0xc0) << copyName;
        if (name.ends_with(".txt")) {
            EXPECT_TRUE(copyName.ends_with(").txt")) << copyName; // the extension survives
        }
    }
    EXPECT_EQ(conflictCopyPath("short.txt", TIME).size(), std::string("short.txt").size() + 36);
}

TEST(ExcludeList, DefaultsOnHundredThousandPaths)
{
    const ExcludeList list = ExcludeList::defaults();
    std::vector<std::string> paths;
    for (int folder = 0; folder < 1000; ++folder)
        for (int file = 0; file < 100; ++file)
            paths.push_back("Projects/folder " + std::to_string(folder) + "/document-" + std::to_string(file) +
                            (file % 10 == 0 ? ".odt~" : ".odt"));
    const auto start = std::chrono::steady_clock::now();
    std::size_t excluded = 0;
    for (const std::string& path : paths)
        excluded += list.isExcluded(path, false) ? 1 : 0;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(excluded, 10'000u);
    std::printf("[ timing ] isExcluded with the defaults on 100k paths: %.1f ms\n",
                std::chrono::duration<double, std::milli>(elapsed).count());
}

} // namespace
} // namespace nubo::sync
