// Small server helpers (src/server/server_util.h): trimming, the background remover.
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
