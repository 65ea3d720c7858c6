// Small server helpers (src/server/server_util.h): trimming, the background remover.
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "server_util.h"

namespace nubo::server {
namespace {

namespace fs = std::filesystem;

TEST(ServerUtil, TrimmedDropsOnlyOuterSpacesAndTabs)
{
    EXPECT_EQ(trimmed(" \t SHA1:ab cd\t "), "SHA1:ab cd");
    EXPECT_EQ(trimmed(" \t "), "");
    EXPECT_EQ(trimmed(""), "");
    EXPECT_EQ(trimmed("x"), "x");
}

// The chunks of a large upload are deleted after the reply; the server's storage must not be
// gone (or a test's folder removed) while a deletion still runs.
// The one write loop of the server's file writes (request bodies, assembled chunks): everything,
// across short writes, or fewer bytes with the reason in errno (never a success for a failure).
TEST(ServerUtil, WriteAllWritesEverythingOrSaysWhy)
{
    int pipeFds[2];
    ASSERT_EQ(::pipe(pipeFds), 0);
    const std::string data(3000, 'x');
    EXPECT_EQ(writeAll(pipeFds[1], data.data(), data.size()), data.size());
    std::string back(data.size(), '\0');
    EXPECT_EQ(::read(pipeFds[0], back.data(), back.size()), static_cast<ssize_t>(back.size()));
    EXPECT_EQ(back, data);
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);

    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(full, 0);
    errno = 0;
    EXPECT_EQ(writeAll(full, data.data(), data.size()), 0u);
    EXPECT_EQ(errno, ENOSPC);
    ::close(full);

    errno = 0;
    EXPECT_EQ(writeAll(-1, data.data(), data.size()), 0u);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(writeAll(-1, data.data(), 0), 0u); // nothing to write is not a failure
}

TEST(BackgroundRemover, DestructionWaitsForTheDeletionsStillRunning)
{
    const fs::path root = fs::temp_directory_path() / ("nubo-remover-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    std::vector<fs::path> folders;
    {
        BackgroundRemover remover;
        for (int f = 0; f < 4; ++f) {
            const fs::path folder = root / ("done-" + std::to_string(f));
            fs::create_directories(folder);
            for (int i = 0; i < 500; ++i)
                std::ofstream(folder / std::to_string(i)) << "chunk";
            folders.push_back(folder);
            remover.removeAll(folder);
        }
    }
    for (const auto& folder : folders)
        EXPECT_FALSE(fs::exists(folder)) << folder;
    fs::remove_all(root); // throws if anything still deleted in it
}

} // namespace
} // namespace nubo::server
