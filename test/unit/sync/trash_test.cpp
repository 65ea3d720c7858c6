#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "../../common/without_file_capabilities.h"
#include "trash.h"

namespace nubo::sync {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

// "YYYY-MM-DDThh:mm:ss"
bool looksLikeDeletionDate(const std::string& s)
{
    if (s.size() != 19) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char expected = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : '0';
        if (expected == '0' ? (s[i] < '0' || s[i] > '9') : s[i] != expected) return false;
    }
    return true;
}

struct TrashInfo {
    std::string header;
    std::string path;
    std::string date;
};

TrashInfo parseInfo(const std::string& text)
{
    TrashInfo info;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        if (line.starts_with("Path="))
            info.path = line.substr(5);
        else if (line.starts_with("DeletionDate="))
            info.date = line.substr(13);
        else if (info.header.empty())
            info.header = line;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return info;
}

mode_t modeOf(const std::filesystem::path& path)
{
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

class TrashTest : public ::testing::Test {
protected:
    TempDir m_dir;
    std::filesystem::path m_data = m_dir / "data";
    Trash m_trash{m_dir / "xdg/Trash"};
};

TEST_F(TrashTest, MovesAFileAndWritesItsInfo)
{
    writeFile(m_data / "report ü%.txt", "content");
    auto where = m_trash.moveToTrash(m_data / "report ü%.txt");
    ASSERT_TRUE(where.has_value()) << where.error().message;
    EXPECT_EQ(*where, m_trash.homeTrash() / "files" / "report ü%.txt");
    EXPECT_FALSE(std::filesystem::exists(m_data / "report ü%.txt"));
    EXPECT_EQ(readFile(*where), "content");

    EXPECT_EQ(modeOf(m_trash.homeTrash()), 0700u);
    EXPECT_EQ(modeOf(m_trash.homeTrash() / "files"), 0700u);
    EXPECT_EQ(modeOf(m_trash.homeTrash() / "info"), 0700u);

    const std::string text = readFile(m_trash.homeTrash() / "info" / "report ü%.txt.trashinfo");
    const TrashInfo info = parseInfo(text);
    EXPECT_EQ(info.header, "[Trash Info]") << text;
    EXPECT_EQ(info.path, m_data.string() + "/report%20%C3%BC%25.txt") << text;
    EXPECT_TRUE(looksLikeDeletionDate(info.date)) << text;
}

TEST_F(TrashTest, MovesAFolderWithItsContents)
{
    writeFile(m_data / "album/photo.jpg", "jpg");
    writeFile(m_data / "album/sub/raw.dng", "raw");
    auto where = m_trash.moveToTrash(m_data / "album/");
    ASSERT_TRUE(where.has_value()) << where.error().message;
    EXPECT_EQ(*where, m_trash.homeTrash() / "files" / "album");
    EXPECT_EQ(readFile(*where / "sub/raw.dng"), "raw");
    EXPECT_FALSE(std::filesystem::exists(m_data / "album"));
    EXPECT_EQ(parseInfo(readFile(m_trash.homeTrash() / "info/album.trashinfo")).path, m_data.string() + "/album");
}

TEST_F(TrashTest, NameCollisionsGetNumbers)
{
    for (const char* folder : {"one", "two", "three"}) {
        writeFile(m_data / folder / "a.txt", folder);
        ASSERT_TRUE(m_trash.moveToTrash(m_data / folder / "a.txt"));
    }
    const auto files = m_trash.homeTrash() / "files";
    EXPECT_EQ(readFile(files / "a.txt"), "one");
    EXPECT_EQ(readFile(files / "a.txt.2"), "two");
    EXPECT_EQ(readFile(files / "a.txt.3"), "three");
    EXPECT_EQ(parseInfo(readFile(m_trash.homeTrash() / "info/a.txt.3.trashinfo")).path,
              m_data.string() + "/three/a.txt");
}

TEST_F(TrashTest, FileWithoutInfoStillOwnsItsName)
{
    writeFile(m_trash.homeTrash() / "files/a.txt", "orphan");
    std::filesystem::create_directories(m_trash.homeTrash() / "info");
    writeFile(m_data / "a.txt", "new");
    auto where = m_trash.moveToTrash(m_data / "a.txt");
    ASSERT_TRUE(where.has_value());
    EXPECT_EQ(where->filename(), "a.txt.2");
    EXPECT_EQ(readFile(m_trash.homeTrash() / "files/a.txt"), "orphan");
    EXPECT_FALSE(std::filesystem::exists(m_trash.homeTrash() / "info/a.txt.trashinfo"));
    EXPECT_TRUE(std::filesystem::exists(m_trash.homeTrash() / "info/a.txt.2.trashinfo"));
}

TEST_F(TrashTest, SymlinkGoesToTheTrashNotItsTarget)
{
    writeFile(m_data / "target", "t");
    ASSERT_EQ(::symlink("target", (m_data / "link").c_str()), 0);
    auto where = m_trash.moveToTrash(m_data / "link");
    ASSERT_TRUE(where.has_value());
    EXPECT_TRUE(std::filesystem::is_symlink(*where));
    EXPECT_EQ(readFile(m_data / "target"), "t");
}

TEST_F(TrashTest, FailedMoveLeavesItemAndRemovesInfo)
{
    // A trash inside the folder being trashed: rename(2) refuses to move a folder into itself.
    writeFile(m_data / "project/file", "keep me");
    Trash inside(m_data / "project/.trash");
    auto where = inside.moveToTrash(m_data / "project");
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(readFile(m_data / "project/file"), "keep me");
    EXPECT_TRUE(std::filesystem::is_empty(m_data / "project/.trash/info"));
    EXPECT_TRUE(std::filesystem::is_empty(m_data / "project/.trash/files"));
    EXPECT_NE(where.error().message.find(m_data.string() + "/project"), std::string::npos) << where.error().message;
}

TEST_F(TrashTest, TrashThatCannotBeMadeLeavesItemUntouched)
{
    writeFile(m_trash.homeTrash() / "files", "a file where the folder should be");
    writeFile(m_data / "a.txt", "keep me");
    auto where = m_trash.moveToTrash(m_data / "a.txt");
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(readFile(m_data / "a.txt"), "keep me");
    EXPECT_FALSE(std::filesystem::exists(m_trash.homeTrash() / "info/a.txt.trashinfo"));
}

TEST_F(TrashTest, UnwritableTrashLeavesItemUntouched)
{
    writeFile(m_data / "a.txt", "keep me");
    std::filesystem::create_directories(m_trash.homeTrash() / "files");
    std::filesystem::create_directories(m_trash.homeTrash() / "info");
    ASSERT_EQ(::chmod((m_trash.homeTrash() / "files").c_str(), 0500), 0);
    Result<std::filesystem::path> where;
    {
        nubo::test::WithoutFileCapabilities asAUser; // root writes into read-only folders
        where = m_trash.moveToTrash(m_data / "a.txt");
    }
    ::chmod((m_trash.homeTrash() / "files").c_str(), 0700);
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(where.error().code, SyncErrorCode::LocalIo);
    EXPECT_EQ(readFile(m_data / "a.txt"), "keep me");
    EXPECT_TRUE(std::filesystem::is_empty(m_trash.homeTrash() / "info"));
}

TEST_F(TrashTest, MissingItem)
{
    std::filesystem::create_directories(m_data);
    auto where = m_trash.moveToTrash(m_data / "missing");
    ASSERT_FALSE(where.has_value());
    EXPECT_EQ(where.error().code, SyncErrorCode::NotFound);
    EXPECT_FALSE(std::filesystem::exists(m_trash.homeTrash()));
}

class EnvironmentVariable {
public:
    EnvironmentVariable(const char* name, const char* value) : m_name(name)
    {
        if (const char* old = getenv(name)) {
            m_old = old;
            m_had = true;
        }
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
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

TEST(TrashLocation, FollowsXdgDataHome)
{
#ifdef NUBO_PORTABLE_ONLY
    GTEST_SKIP() << "the portable build uses the system trash (QFile::moveToTrash), which has no folder of its own";
#endif
    EnvironmentVariable home("HOME", "/home/someone");
    {
        EnvironmentVariable data("XDG_DATA_HOME", "/data/someone");
        EXPECT_EQ(Trash::forCurrentUser().homeTrash(), "/data/someone/Trash");
    }
    {
        EnvironmentVariable data("XDG_DATA_HOME", "relative/is/ignored");
        EXPECT_EQ(Trash::forCurrentUser().homeTrash(), "/home/someone/.local/share/Trash");
    }
    EnvironmentVariable data("XDG_DATA_HOME", nullptr);
    EXPECT_EQ(Trash::forCurrentUser().homeTrash(), "/home/someone/.local/share/Trash");
}

TEST(TrashOtherFileSystem, UsesTheTrashAtTheTopOfThatFileSystem)
{
#ifdef NUBO_PORTABLE_ONLY
    GTEST_SKIP() << "the freedesktop per-file-system trash is Linux-only; the portable build leaves that to "
                    "QFile::moveToTrash (TrashPortable.*)";
#endif
    // Needs two file systems: the temporary folder and /dev/shm (tmpfs) on most Linux machines.
    const std::filesystem::path shm = "/dev/shm";
    struct stat tmpStat {};
    struct stat shmStat {};
    const TempDir home;
    if (::stat(home.path().c_str(), &tmpStat) != 0 || ::stat(shm.c_str(), &shmStat) != 0 ||
        tmpStat.st_dev == shmStat.st_dev || ::access(shm.c_str(), W_OK) != 0)
        GTEST_SKIP() << "no second writable file system at /dev/shm";
    struct stat mountStat {};
    if (::stat("/dev", &mountStat) != 0 || mountStat.st_dev == shmStat.st_dev)
        GTEST_SKIP() << "/dev/shm is not a mount point";

    const std::filesystem::path topTrash = shm / (".Trash-" + std::to_string(::getuid()));
    const bool trashExisted = std::filesystem::exists(topTrash);
    const TempDir data(shm);
    writeFile(data / "far away.txt", "x");
    Trash trash(home / "Trash");
    auto where = trash.moveToTrash(data / "far away.txt");
    ASSERT_TRUE(where.has_value()) << where.error().message;
    EXPECT_EQ(where->parent_path(), topTrash / "files");
    EXPECT_EQ(readFile(*where), "x");
    const auto info = topTrash / "info" / (where->filename().string() + ".trashinfo");
    // Below a top directory the spec wants the path relative to it.
    EXPECT_EQ(parseInfo(readFile(info)).path, data.path().filename().string() + "/far%20away.txt");
    EXPECT_FALSE(std::filesystem::exists(trash.homeTrash() / "info/far away.txt.trashinfo"));

    std::error_code ec;
    std::filesystem::remove(*where, ec);
    std::filesystem::remove(info, ec);
    if (!trashExisted) std::filesystem::remove_all(topTrash, ec);
}

} // namespace
} // namespace nubo::sync
