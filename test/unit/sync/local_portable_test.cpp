// What the portable local code (NUBO_PORTABLE_ONLY) must do as the Linux code does, where it has no
// system call to lean on: renames that never replace, links that are never followed, and a
// system trash that never turns into a deletion. The tests that do not name the portable build
// run in both builds, so the two implementations are held to the same rules.
#include <atomic>
#include <stdlib.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "../../common/without_file_capabilities.h"
#include "local_discovery.h"
#include "local_file.h"
#include "temp_dir.h"
#include "trash.h"

namespace nubo::sync {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

TEST(LocalFileRules, RenameNoReplaceRefusesAnExistingFolder)
{
    TempDir dir;
    writeFile(dir / "a/file", "A");
    std::filesystem::create_directories(dir / "b");
    auto refused = renameNoReplace(dir / "a", dir / "b");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SyncErrorCode::FileChanged);
    EXPECT_EQ(readFile(dir / "a/file"), "A");
    EXPECT_TRUE(std::filesystem::is_empty(dir / "b"));
}

TEST(LocalFileRules, RenameNoReplaceLeavesOneName)
{
    // The portable code links the new name and unlinks the old one: both steps must be done.
    TempDir dir;
    writeFile(dir / "a", "A");
    ASSERT_TRUE(renameNoReplace(dir / "a", dir / "b"));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "b").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
    EXPECT_FALSE(std::filesystem::exists(dir / "a"));
}

TEST(LocalFileRules, RenameNoReplaceMovesASymlinkItself)
{
    TempDir dir;
    writeFile(dir / "target", "T");
    ASSERT_EQ(::symlink("target", (dir / "link").c_str()), 0);
    ASSERT_TRUE(renameNoReplace(dir / "link", dir / "moved"));
    EXPECT_TRUE(std::filesystem::is_symlink(dir / "moved"));
    EXPECT_EQ(readFile(dir / "target"), "T");
}

TEST(LocalFileRules, Sha1RefusesASymlink)
{
    TempDir dir;
    writeFile(dir / "target", "T");
    ASSERT_EQ(::symlink("target", (dir / "link").c_str()), 0);
    EXPECT_FALSE(sha1OfFile(dir / "link").has_value());
}

TEST(LocalFileRules, Sha1ReadsEveryBlockAndStopsWhenCancelled)
{
    TempDir dir;
    writeFile(dir / "empty", "");
    writeFile(dir / "page", std::string(4096, 'x'));            // exactly the smallest buffer
    writeFile(dir / "big", std::string(3 * 1024 * 1024 + 1, 'x')); // three full blocks and a byte
    EXPECT_EQ(sha1OfFile(dir / "empty").value_or(""), "SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(sha1OfFile(dir / "page").value_or(""), "SHA1:0494dc592da04a1753223918ea73bcb86876372c");
    EXPECT_EQ(sha1OfFile(dir / "big").value_or(""), "SHA1:6fa48768f393fcf29f9552d6bc22bf2374e7c091");
    std::atomic<bool> stop{false};
    EXPECT_EQ(sha1OfFile(dir / "big", &stop).value_or(""), "SHA1:6fa48768f393fcf29f9552d6bc22bf2374e7c091");
    stop = true;
    auto stopped = sha1OfFile(dir / "big", &stop);
    ASSERT_FALSE(stopped.has_value());
    EXPECT_EQ(stopped.error().code, SyncErrorCode::Cancelled);
}

TEST(LocalFileRules, StatLocalOfAFolderReplacedByASymlink)
{
    TempDir dir;
    std::filesystem::create_directories(dir / "real");
    ASSERT_EQ(::symlink("real", (dir / "folder").c_str()), 0);
    auto stat = statLocal(dir / "folder");
    ASSERT_FALSE(stat.has_value());
    EXPECT_NE(stat.error().message.find("symbolic link"), std::string::npos);
}

TEST(LocalDiscoveryRules, ModificationTimeKeepsItsNanosecondsBefore1970)
{
    TempDir dir;
    writeFile(dir / "old", "x");
    ASSERT_TRUE(setModificationTime(dir / "old", -100));
    auto entry = statLocal(dir / "old");
    ASSERT_TRUE(entry.has_value()) << entry.error().message;
    EXPECT_EQ(entry->mtime, -100);
    EXPECT_EQ(entry->mtimeNs, 0);
}

#ifdef NUBO_PORTABLE_ONLY

class EnvironmentVariable {
public:
    EnvironmentVariable(const char* name, const std::string& value) : m_name(name)
    {
        if (const char* old = getenv(name)) m_old = old;
        m_had = getenv(name) != nullptr;
        setenv(name, value.c_str(), 1);
    }
    ~EnvironmentVariable()
    {
        if (m_had)
            setenv(m_name, m_old.c_str(), 1);
        else
            unsetenv(m_name);
    }
    EnvironmentVariable(const EnvironmentVariable&) = delete;
    EnvironmentVariable& operator=(const EnvironmentVariable&) = delete;

private:
    const char* m_name;
    std::string m_old;
    bool m_had = false;
};

TEST(LocalDiscoveryPortable, NoFileIdentitySoNoLocalMoveDetection)
{
    TempDir dir;
    writeFile(dir / "a.txt", "x");
    auto before = scanLocal(dir.path(), {});
    ASSERT_TRUE(before.has_value());
    std::filesystem::rename(dir / "a.txt", dir / "b.txt");
    auto after = scanLocal(dir.path(), {});
    ASSERT_TRUE(after.has_value());
    // 0 is "unknown" to reconcile: a deletion and a new file, never a move to a wrong place.
    EXPECT_EQ(before->at("a.txt").inode, 0u);
    EXPECT_EQ(after->at("b.txt").inode, 0u);
}

TEST(TrashPortable, SystemTrashTakesAnItem)
{
    // Qt's freedesktop trash (the one it uses on Linux) follows XDG_DATA_HOME: a test trash.
    TempDir home;
    std::filesystem::create_directories(home / "share");
    EnvironmentVariable xdg("XDG_DATA_HOME", (home / "share").string());
    TempDir data(home.path());
    writeFile(data / "gone.txt", "keep me somewhere");
    Trash trash = Trash::forCurrentUser();
    EXPECT_TRUE(trash.homeTrash().empty());
    auto where = trash.moveToTrash(data / "gone.txt");
    ASSERT_TRUE(where.has_value()) << where.error().message;
    EXPECT_FALSE(std::filesystem::exists(data / "gone.txt"));
    EXPECT_EQ(readFile(*where), "keep me somewhere");
    EXPECT_EQ(where->parent_path(), home / "share/Trash/files");
}

TEST(TrashPortable, SystemTrashNeverLandsInTheCurrentFolder)
{
    // Qt 6.4 with a missing $XDG_DATA_HOME made files/ and info/ in the current folder and moved
    // the item there: wherever Qt puts it, it is in a trash folder or back where it was.
    TempDir home;
    EnvironmentVariable xdg("XDG_DATA_HOME", (home / "missing/share").string());
    TempDir data(home.path());
    TempDir cwd(home.path());
    const auto previous = std::filesystem::current_path();
    std::filesystem::current_path(cwd.path());
    writeFile(data / "item.txt", "still here");
    auto where = Trash::forCurrentUser().moveToTrash(data / "item.txt");
    std::filesystem::current_path(previous);
    if (where) {
        EXPECT_TRUE(where->is_absolute());
        EXPECT_EQ(readFile(*where), "still here");
    } else {
        EXPECT_EQ(readFile(data / "item.txt"), "still here") << where.error().message;
    }
    EXPECT_FALSE(std::filesystem::exists(cwd / "files/item.txt"));
}

TEST(TrashPortable, SystemTrashThatFailsNeverDeletes)
{
    TempDir home;
    std::filesystem::create_directories(home / "share");
    EnvironmentVariable xdg("XDG_DATA_HOME", (home / "share").string());
    TempDir data(home.path());
    writeFile(data / "folder/stays.txt", "keep me here");
    // The item cannot leave its folder: the system trash must fail, and the item must stay.
    ASSERT_EQ(::chmod((data / "folder").c_str(), 0500), 0);
    Result<std::filesystem::path> where;
    {
        nubo::test::WithoutFileCapabilities asAUser; // root moves out of read-only folders
        where = Trash::forCurrentUser().moveToTrash(data / "folder/stays.txt");
    }
    ::chmod((data / "folder").c_str(), 0700);
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(where.error().code, SyncErrorCode::LocalIo);
    EXPECT_NE(where.error().message.find("left where it is"), std::string::npos) << where.error().message;
    EXPECT_EQ(readFile(data / "folder/stays.txt"), "keep me here");
}

TEST(TrashPortable, FolderTrashOnAnotherFileSystemLeavesTheItem)
{
    // No rename crosses file systems atomically: the portable code refuses rather than copies.
    const TempDir home;
    struct stat tmpStat {};
    struct stat shmStat {};
    if (::stat(home.path().c_str(), &tmpStat) != 0 || ::stat("/dev/shm", &shmStat) != 0 ||
        tmpStat.st_dev == shmStat.st_dev || ::access("/dev/shm", W_OK) != 0)
        GTEST_SKIP() << "no second writable file system at /dev/shm";
    const TempDir data("/dev/shm");
    writeFile(data / "far.txt", "stays");
    Trash trash(home / "Trash");
    auto where = trash.moveToTrash(data / "far.txt");
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(readFile(data / "far.txt"), "stays");
    EXPECT_TRUE(std::filesystem::is_empty(home / "Trash/info"));
    EXPECT_TRUE(std::filesystem::is_empty(home / "Trash/files"));
}

TEST(TrashPortable, MissingItemIsNotFound)
{
    TempDir dir;
    auto where = Trash::forCurrentUser().moveToTrash(dir / "missing");
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(where.error().code, SyncErrorCode::NotFound);
}

#endif

} // namespace
} // namespace nubo::sync
