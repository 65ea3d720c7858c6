// The local watcher of this build: inotify (Linux), or QFileSystemWatcher with NUBO_PORTABLE_ONLY.
// Each test changes something and waits (up to a few seconds) for the watcher's call, or checks
// that a change the sync makes itself does not wake it.
#include <QCoreApplication>
#include <QElapsedTimer>

#include <gtest/gtest.h>

#include <fstream>

#include "local_watcher.h"
#include "sync_types.h"
#include "temp_dir.h"

namespace nubo::sync {
namespace {

using test::TempDir;
using test::writeFile;

constexpr int SETTLE_MS = 300; // longer than any watcher takes to report on a quiet machine
constexpr int WAIT_MS = 5000;

class LocalWatcherTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        writeFile(m_dir / "existing.txt", "before");
        writeFile(m_dir / "docs/inside.txt", "x");
        std::filesystem::create_directories(m_dir / "ignored-folder");
        m_watcher = makeLocalWatcher(
            m_dir.path(),
            [](const std::string& path, bool) {
                return fileName(path).starts_with(".journal") || path.starts_with("ignored-folder");
            },
            [this] { ++m_changes; });
        m_watcher->refresh();
        settle();
        m_changes = 0;
    }

    // Runs the event loop until a change was reported (true) or the time is up (false).
    bool waitForChange(int milliseconds = WAIT_MS)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_changes == 0 && timer.elapsed() < milliseconds)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        return m_changes > 0;
    }

    void settle() { waitForChange(SETTLE_MS); }

    TempDir m_dir;
    std::unique_ptr<LocalWatcher> m_watcher;
    int m_changes = 0;
};

TEST_F(LocalWatcherTest, IsCompleteForASmallTree)
{
    EXPECT_TRUE(m_watcher->isComplete());
}

TEST_F(LocalWatcherTest, NewFileIsAChange)
{
    writeFile(m_dir / "new.txt", "n");
    EXPECT_TRUE(waitForChange());
}

TEST_F(LocalWatcherTest, NewFileInASubfolderIsAChange)
{
    writeFile(m_dir / "docs/new.txt", "n");
    EXPECT_TRUE(waitForChange());
}

TEST_F(LocalWatcherTest, WriteIntoAnExistingFileIsAChange)
{
    {
        std::ofstream append(m_dir / "existing.txt", std::ios::app);
        append << " and after";
    }
    EXPECT_TRUE(waitForChange());
}

TEST_F(LocalWatcherTest, RemovalAndRenameAreChanges)
{
    std::filesystem::remove(m_dir / "existing.txt");
    EXPECT_TRUE(waitForChange());
    m_changes = 0;
    std::filesystem::rename(m_dir / "docs/inside.txt", m_dir / "docs/renamed.txt");
    EXPECT_TRUE(waitForChange());
}

TEST_F(LocalWatcherTest, FolderCreatedAfterTheRefreshIsWatchedToo)
{
    std::filesystem::create_directories(m_dir / "fresh");
    ASSERT_TRUE(waitForChange());
    settle();
    m_changes = 0;
    writeFile(m_dir / "fresh/file.txt", "f");
    EXPECT_TRUE(waitForChange());
}

TEST_F(LocalWatcherTest, IgnoredNamesDoNotWakeIt)
{
    // The sync's own files: otherwise every run would wake the next one.
    writeFile(m_dir / ".journal.db", "j");
    writeFile(m_dir / ".journal.db-wal", "w");
    writeFile(m_dir / "docs/.journal-like", "w");
    writeFile(m_dir / "ignored-folder/file.txt", "i");
    EXPECT_FALSE(waitForChange(1000));
}

TEST_F(LocalWatcherTest, NothingAfterStopping)
{
    m_watcher.reset();
    writeFile(m_dir / "new.txt", "n");
    EXPECT_FALSE(waitForChange(500));
}

#ifdef NUBO_PORTABLE_ONLY
TEST(LocalWatcherLimits, TooManyPathsMakeItIncompleteNotBlind)
{
    // QFileSystemWatcher costs a handle per path: past the bound the watcher says it is incomplete
    // (the scheduler then rescans on its timer), and what it does watch still reports.
    TempDir dir;
    for (int i = 0; i < 1100; ++i)
        writeFile(dir / ("f" + std::to_string(i)), "x");
    int changes = 0;
    auto watcher = makeLocalWatcher(dir.path(), [](const std::string&, bool) { return false; }, [&] { ++changes; });
    watcher->refresh();
    EXPECT_FALSE(watcher->isComplete());
    writeFile(dir / "new.txt", "n");
    QElapsedTimer timer;
    timer.start();
    while (changes == 0 && timer.elapsed() < WAIT_MS)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    EXPECT_GT(changes, 0);
}
#endif

} // namespace
} // namespace nubo::sync

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
