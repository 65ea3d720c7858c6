#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <cstdio>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "../../common/without_file_capabilities.h"
#include "item_name.h"
#include "local_discovery.h"
#include "local_file.h"
#include "temp_dir.h"

namespace nubo::sync {
namespace {

using test::TempDir;
using test::writeFile;

std::vector<std::string> keys(const LocalTree& tree)
{
    std::vector<std::string> out;
    for (const auto& [path, entry] : tree)
        out.push_back(path);
    return out;
}

struct Reports {
    std::vector<std::pair<std::string, std::string>> items; // (printable path, why)
    std::vector<SkipKind> kinds;
    LocalScanOptions options()
    {
        LocalScanOptions o;
        o.onSkipped = [this](const std::string& path, const std::string& why, SkipKind kind) {
            items.emplace_back(e2ee::printableName(path), why);
            kinds.push_back(kind);
        };
        return o;
    }
};

TEST(LocalDiscovery, ScansFilesAndFoldersWithTheirMetadata)
{
    TempDir dir;
    writeFile(dir / "a.txt", "hello");
    writeFile(dir / "docs/b.txt", "");
    writeFile(dir / "docs/deep/c.bin", std::string(1000, 'c'));
    std::filesystem::create_directories(dir / "empty");
    ASSERT_TRUE(setModificationTime(dir / "a.txt", 1'600'000'000));

    auto tree = scanLocal(dir.path(), {});
    ASSERT_TRUE(tree.has_value()) << tree.error().message;
    EXPECT_EQ(keys(*tree),
              (std::vector<std::string>{"a.txt", "docs", "docs/b.txt", "docs/deep", "docs/deep/c.bin", "empty"}));
    const LocalEntry& a = tree->at("a.txt");
    EXPECT_EQ(a.type, ItemType::File);
    EXPECT_EQ(a.size, 5);
    EXPECT_EQ(a.mtime, 1'600'000'000);
    struct stat st {};
    ASSERT_EQ(::stat((dir / "a.txt").c_str(), &st), 0);
#ifdef NUBO_PORTABLE_ONLY
    // No portable file identity: 0 is "unknown", which turns local move detection off (never a wrong move).
    EXPECT_EQ(a.inode, 0u);
    EXPECT_NE(a.ctime, 0); // Qt's metadata change time, in milliseconds
#else
    EXPECT_EQ(a.inode, st.st_ino);
#endif
    EXPECT_EQ(tree->at("docs/deep/c.bin").size, 1000);
    EXPECT_EQ(tree->at("docs").type, ItemType::Directory);
    EXPECT_EQ(tree->at("docs").size, 0);
}

// The engine keeps only what changed (unchanged_subtrees.h), folder by folder as the scan ends
// each one: the callback must see a folder with everything below it and nothing of a later
// sibling ("a b" sorts between "a" and "a/x"), innermost first and the root last, and what it
// erases must stay erased.
TEST(LocalDiscovery, EachFolderIsHandedOverWholeInnermostFirstAndMayBeCut)
{
    TempDir dir;
    writeFile(dir / "a" / "x", "1");
    writeFile(dir / "a" / "sub" / "z", "2");
    writeFile(dir / "a b" / "y", "3");
    writeFile(dir / "top", "4");
    std::vector<std::pair<std::string, std::vector<std::string>>> calls; // folder, what lay below it
    LocalScanOptions options;
    options.onFolderListed = [&](const std::string& folder, LocalTree& tree, LocalTree::iterator self) {
        std::vector<std::string> below;
        const std::string prefix = folder.empty() ? std::string() : folder + '/';
        for (auto it = folder.empty() ? tree.begin() : std::next(self); it != tree.end() && it->first.starts_with(prefix);
             ++it)
            below.push_back(it->first);
        if (folder.empty())
            EXPECT_EQ(self, tree.end());
        else
            EXPECT_EQ(self->first, folder);
        calls.emplace_back(folder, below);
        if (folder == "a") // as the engine does with a folder that agrees everywhere
            tree.erase(std::next(self), std::next(self, static_cast<std::ptrdiff_t>(below.size()) + 1));
    };
    auto tree = scanLocal(dir.path(), options);
    ASSERT_TRUE(tree.has_value());
    using Calls = std::vector<std::pair<std::string, std::vector<std::string>>>;
    EXPECT_EQ(calls, (Calls{{"a/sub", {"a/sub/z"}},
                            {"a", {"a/sub", "a/sub/z", "a/x"}},
                            {"a b", {"a b/y"}},
                            {"", {"a", "a b", "a b/y", "top"}}}));
    EXPECT_EQ(keys(*tree), (std::vector<std::string>{"a", "a b", "a b/y", "top"}));
}

TEST(LocalDiscovery, ExcludedItemsAreSkippedAndNotDescended)
{
    TempDir dir;
    writeFile(dir / ".nubo_journal.db", "");
    writeFile(dir / "notes.txt~", "");
    writeFile(dir / "build/out.o", "");
    writeFile(dir / "src/build", "a file, not a folder");
    writeFile(dir / "src/main.c", "");
    ExcludeList excludes = ExcludeList::defaults();
    excludes.addPattern("build/");
    Reports reports;
    LocalScanOptions options = reports.options();
    options.excludes = &excludes;
    auto tree = scanLocal(dir.path(), options);
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), (std::vector<std::string>{"src", "src/build", "src/main.c"}));
    EXPECT_TRUE(reports.items.empty());
}

TEST(LocalDiscovery, SelectiveSyncFoldersAreSkippedWithTheirContents)
{
    TempDir dir;
    for (const char* file : {"a/b/c/f", "a/bc/f", "a/b c/f", "a/f", "x/b/f"})
        writeFile(dir / file, "");
    LocalScanOptions options;
    options.skippedFolders = {"a/b", "/x/"};
    auto tree = scanLocal(dir.path(), options);
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), (std::vector<std::string>{"a", "a/b c", "a/b c/f", "a/bc", "a/bc/f", "a/f"}));
}

TEST(LocalDiscovery, SymlinksAndSpecialFilesAreReported)
{
    TempDir dir;
    writeFile(dir / "target.txt", "x");
    std::filesystem::create_directories(dir / "folder");
    ASSERT_EQ(::symlink("target.txt", (dir / "link.txt").c_str()), 0);
    ASSERT_EQ(::symlink("folder", (dir / "folder-link").c_str()), 0);
    ASSERT_EQ(::mkfifo((dir / "folder/pipe").c_str(), 0600), 0);
    Reports reports;
    auto tree = scanLocal(dir.path(), reports.options());
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), (std::vector<std::string>{"folder", "target.txt"}));
    std::sort(reports.items.begin(), reports.items.end());
    ASSERT_EQ(reports.items.size(), 3u);
    EXPECT_EQ(reports.items[0].first, "folder-link");
    EXPECT_EQ(reports.items[0].second, "symbolic links are not synced");
    EXPECT_EQ(reports.items[1].first, "folder/pipe");
    EXPECT_NE(reports.items[1].second.find("special files"), std::string::npos);
    EXPECT_EQ(reports.items[2].first, "link.txt");
    for (const SkipKind kind : reports.kinds)
        EXPECT_EQ(kind, SkipKind::NotSynced); // by design, not a problem
}

TEST(LocalDiscovery, NamesThatAreNotUtf8AreReported)
{
    TempDir dir;
    writeFile(dir / "good-ü.txt", "");
    writeFile(dir / "bad\xff"
                    ".txt",
              "");
    writeFile(dir / "bad\xc3"
                    "(folder/inside",
              "");                           // a lead byte without its continuation
    writeFile(dir / "overlong\xc0\xaf", ""); // '/' in an overlong form
    Reports reports;
    auto tree = scanLocal(dir.path(), reports.options());
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), std::vector<std::string>{"good-ü.txt"});
    std::sort(reports.items.begin(), reports.items.end());
    ASSERT_EQ(reports.items.size(), 3u);
    EXPECT_EQ(reports.items[0].first, "bad\\xC3(folder");
    EXPECT_EQ(reports.items[1].first, "bad\\xFF.txt");
    EXPECT_EQ(reports.items[2].first, "overlong\\xC0\\xAF");
    EXPECT_NE(reports.items[0].second.find("UTF-8"), std::string::npos);
}

TEST(LocalDiscovery, UnreadableFolderIsReportedAndTheScanGoesOn)
{
    TempDir dir;
    writeFile(dir / "locked/secret", "");
    writeFile(dir / "open/f", "");
    ASSERT_EQ(::chmod((dir / "locked").c_str(), 0), 0);
    Reports reports;
    Result<LocalTree> tree;
    {
        nubo::test::WithoutFileCapabilities asAUser; // root would read it anyway
        tree = scanLocal(dir.path(), reports.options());
    }
    ::chmod((dir / "locked").c_str(), 0700);
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), (std::vector<std::string>{"open", "open/f"}));
    ASSERT_EQ(reports.items.size(), 1u);
    EXPECT_EQ(reports.items[0].first, "locked");
    EXPECT_NE(reports.items[0].second.find("permission denied"), std::string::npos);
    EXPECT_EQ(reports.kinds[0], SkipKind::CannotSync); // a problem to fix, not a policy
}

TEST(LocalDiscovery, NamesTheServerCannotHoldAreNeverScanned)
{
    // A name with a backslash is legal here but not on Nextcloud: uploaded, it would be refused
    // when listed back and then look deleted on the server.
    TempDir dir;
    writeFile(dir / "a\\b.txt", "x");
    writeFile(dir / "ok.txt", "y");
    Reports reports;
    auto tree = scanLocal(dir.path(), reports.options());
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(keys(*tree), std::vector<std::string>{"ok.txt"});
    ASSERT_EQ(reports.items.size(), 1u);
    EXPECT_EQ(reports.items[0].first, "a\\\\b.txt");
    EXPECT_NE(reports.items[0].second.find("'\\'"), std::string::npos) << reports.items[0].second;
    EXPECT_EQ(reports.kinds[0], SkipKind::CannotSync);
}

TEST(LocalDiscovery, MissingOrUnusableRootIsAnError)
{
    TempDir dir;
    auto missing = scanLocal(dir / "gone", {});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, SyncErrorCode::LocalIo);
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);

    writeFile(dir / "file", "");
    EXPECT_FALSE(scanLocal(dir / "file", {}).has_value());

    // A symlinked root is followed: people move their sync folder and link it back.
    writeFile(dir / "real/f", "");
    ASSERT_EQ(::symlink("real", (dir / "root-link").c_str()), 0);
    auto linked = scanLocal(dir / "root-link", {});
    ASSERT_TRUE(linked.has_value());
    EXPECT_EQ(keys(*linked), std::vector<std::string>{"f"});
}

TEST(LocalDiscovery, StatLocal)
{
    TempDir dir;
    writeFile(dir / "f", "12345");
    ASSERT_TRUE(setModificationTime(dir / "f", 1'500'000'000));
    auto file = statLocal(dir / "f");
    ASSERT_TRUE(file.has_value());
    EXPECT_EQ(file->type, ItemType::File);
    EXPECT_EQ(file->size, 5);
    EXPECT_EQ(file->mtime, 1'500'000'000);

    auto folder = statLocal(dir.path());
    ASSERT_TRUE(folder.has_value());
    EXPECT_EQ(folder->type, ItemType::Directory);
    EXPECT_EQ(folder->size, 0);

    ASSERT_EQ(::symlink("f", (dir / "link").c_str()), 0);
    auto link = statLocal(dir / "link");
    ASSERT_FALSE(link.has_value());
    EXPECT_NE(link.error().message.find("symbolic link"), std::string::npos);

    EXPECT_EQ(statLocal(dir / "missing").error().code, SyncErrorCode::NotFound);
}

TEST(LocalDiscovery, CaseSensitivityProbeLeavesNothingBehind)
{
    TempDir dir;
    // The temporary folders of the test machine are on a case-sensitive file system (ext4, tmpfs).
    EXPECT_FALSE(isCaseInsensitiveFilesystem(dir.path()));
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
    EXPECT_FALSE(isCaseInsensitiveFilesystem(dir / "missing"));
}

// A big folder's properties are read a block of 4096 names at a time, each block on a second
// thread while the one before it is visited (local_discovery_linux.cpp): every entry must still
// get its own properties, in name order, with its folders descended and what is not synced
// reported, across the blocks.
TEST(LocalDiscovery, AFolderOfManyEntriesGetsEachItsOwnProperties)
{
    TempDir dir;
    constexpr int kFiles = 9000; // three blocks, the last one partial
    for (int i = 0; i < kFiles; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "f%05d", i);
        writeFile(dir / name, std::string(static_cast<std::size_t>(i % 97), 'x'));
    }
    writeFile(dir / "f04500.d/inner.txt", "inner"); // a folder in the middle of the second block
    ASSERT_EQ(::symlink("f00001", (dir / "f08999.link").c_str()), 0);
    Reports reports;
    auto tree = scanLocal(dir.path(), reports.options());
    ASSERT_TRUE(tree.has_value()) << tree.error().message;
    EXPECT_EQ(tree->size(), static_cast<std::size_t>(kFiles) + 2);
    for (int i = 0; i < kFiles; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "f%05d", i);
        const auto it = tree->find(name);
        ASSERT_NE(it, tree->end()) << name;
        ASSERT_EQ(it->second.type, ItemType::File) << name;
        ASSERT_EQ(it->second.size, i % 97) << name;
#ifndef NUBO_PORTABLE_ONLY // no file identity in the portable scanner
        struct stat st {};
        ASSERT_EQ(::stat((dir / name).c_str(), &st), 0);
        ASSERT_EQ(it->second.inode, st.st_ino) << name;
#endif
    }
    EXPECT_EQ(tree->at("f04500.d").type, ItemType::Directory);
    EXPECT_EQ(tree->at("f04500.d/inner.txt").size, 5);
    ASSERT_EQ(reports.items.size(), 1u);
    EXPECT_EQ(reports.items[0].first, "f08999.link");
}

std::size_t openDescriptors()
{
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++count;
    return count;
}

// The Linux scanner lists the folders it is about to enter on a second thread, a bounded number
// ahead, and forgets with their parent those it did not enter after all (excluded, selective
// sync). Whatever it read ahead, taken or dropped, the tree is exactly what a plain walk sees,
// and no folder is left open.
TEST(LocalDiscovery, FoldersReadAheadGiveWhatAPlainWalkSeesAndNoneIsLeftOpen)
{
    TempDir dir;
    LocalScanOptions options;
    ExcludeList excludes = ExcludeList::defaults();
    excludes.addPattern("build/");
    options.excludes = &excludes;
    for (int top = 0; top < 300; ++top) {
        char name[16];
        std::snprintf(name, sizeof name, "t%03d", top);
        const std::filesystem::path folder = dir / name;
        for (int file = 0; file < 3; ++file)
            writeFile(folder / ("f" + std::to_string(file)), std::string(static_cast<std::size_t>(top % 13 + file), 'x'));
        writeFile(folder / "deep/er/est/leaf.txt", name);
        if (top % 7 == 0)
            writeFile(folder / "build/out.o", "excluded");
        if (top % 11 == 0)
            options.skippedFolders.push_back(std::string(name) + "/deep");
    }
    // A folder of two blocks, with folders in both.
    for (int i = 0; i < 5000; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "g%04d", i);
        if (i % 1000 == 0)
            writeFile(dir / "t150" / name / "inner.txt", "inner");
        else
            writeFile(dir / "t150" / name, "");
    }

    std::map<std::string, std::pair<bool, std::uint64_t>> expected; // path: folder?, inode
    for (auto it = std::filesystem::recursive_directory_iterator(dir.path());
         it != std::filesystem::recursive_directory_iterator(); ++it) {
        const std::string path = std::filesystem::relative(it->path(), dir.path()).string();
        const bool folder = it->is_directory();
        const bool skipped = std::find(options.skippedFolders.begin(), options.skippedFolders.end(), path) !=
                             options.skippedFolders.end();
        if (excludes.isExcluded(path, folder) || skipped) {
            it.disable_recursion_pending();
            continue;
        }
        struct stat st {};
        ASSERT_EQ(::lstat(it->path().c_str(), &st), 0);
        expected[path] = {folder, st.st_ino};
    }

    const std::size_t openBefore = openDescriptors();
    for (int run = 0; run < 3; ++run) {
        auto tree = scanLocal(dir.path(), options);
        ASSERT_TRUE(tree.has_value()) << tree.error().message;
        std::map<std::string, std::pair<bool, std::uint64_t>> scanned;
        for (const auto& [path, entry] : *tree)
            scanned[path] = {entry.type == ItemType::Directory, entry.inode};
#ifdef NUBO_PORTABLE_ONLY // no file identity in the portable scanner
        for (auto& [path, value] : expected)
            value.second = scanned.contains(path) ? scanned[path].second : 0;
#endif
        ASSERT_EQ(scanned.size(), expected.size());
        EXPECT_TRUE(scanned == expected);
        EXPECT_EQ(openDescriptors(), openBefore);
    }
}

TEST(LocalDiscovery, HundredThousandFilesInAThousandFolders)
{
    TempDir dir;
    std::string path;
    for (int folder = 0; folder < 1000; ++folder) {
        const auto folderPath = dir / ("folder " + std::to_string(folder));
        ASSERT_EQ(::mkdir(folderPath.c_str(), 0700), 0);
        for (int file = 0; file < 100; ++file) {
            path = (folderPath / ("document-" + std::to_string(file) + ".odt")).string();
            const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            ASSERT_GE(fd, 0);
            ::close(fd);
        }
    }
    const ExcludeList excludes = ExcludeList::defaults();
    LocalScanOptions options;
    options.excludes = &excludes;
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    const auto start = std::chrono::steady_clock::now();
    auto tree = scanLocal(dir.path(), options);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    auto ms = [](const timeval& a, const timeval& b) {
        return static_cast<double>(b.tv_sec - a.tv_sec) * 1000.0 + static_cast<double>(b.tv_usec - a.tv_usec) / 1000.0;
    };
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(tree->size(), 101'000u);
    std::printf("[ timing ] scanLocal of 100k files in 1000 folders (with default excludes): %.1f ms "
                "(user %.1f ms, system %.1f ms)\n",
                std::chrono::duration<double, std::milli>(elapsed).count(), ms(before.ru_utime, after.ru_utime),
                ms(before.ru_stime, after.ru_stime));
}

} // namespace
} // namespace nubo::sync
