// nubocmd's output file for decrypted data (src/cli/unnamed_output_file.h): nothing written
// before commit() is visible under any name, and nothing is left behind without a commit.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "unnamed_output_file.h"

namespace nubo::cli {
namespace {

namespace fs = std::filesystem;

class UnnamedOutput : public ::testing::TestWithParam<UnnamedOutputFile::Temporary> {
protected:
    fs::path m_dir;

    void SetUp() override
    {
        std::string pattern = (fs::temp_directory_path() / "nubo-output-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::set<std::string> listing() const
    {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(m_dir))
            names.insert(entry.path().filename().string());
        return names;
    }
    std::string contents(const std::string& name) const
    {
        std::ifstream in(m_dir / name, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }
    std::unique_ptr<UnnamedOutputFile> open(const std::string& name) const
    {
        auto file = UnnamedOutputFile::open((m_dir / name).string(), GetParam());
        if (!file) throw std::runtime_error(file.error().message);
        return std::move(*file);
    }
    static e2ee::ByteView bytes(std::string_view text) { return e2ee::asBytes(text); }
};

TEST_P(UnnamedOutput, TheTargetAppearsOnlyAtCommit)
{
    auto file = open("out.txt");
    ASSERT_TRUE(file->write(bytes("unverified plaintext")));
    EXPECT_FALSE(listing().contains("out.txt"));
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(listing(), std::set<std::string>{"out.txt"});
    EXPECT_EQ(contents("out.txt"), "unverified plaintext");
}

TEST_P(UnnamedOutput, DiscardAndDestructionLeaveNothing)
{
    auto discarded = open("a.txt");
    ASSERT_TRUE(discarded->write(bytes("x")));
    discarded->discard();
    {
        auto abandoned = open("b.txt");
        ASSERT_TRUE(abandoned->write(bytes("y")));
    }
    EXPECT_TRUE(listing().empty());
}

TEST_P(UnnamedOutput, CommitReplacesAnExistingFile)
{
    std::ofstream(m_dir / "out.txt") << "old";
    auto file = open("out.txt");
    ASSERT_TRUE(file->write(bytes("new")));
    EXPECT_EQ(contents("out.txt"), "old");
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(listing(), std::set<std::string>{"out.txt"});
    EXPECT_EQ(contents("out.txt"), "new");
}

INSTANTIATE_TEST_SUITE_P(Temporaries, UnnamedOutput,
                         ::testing::Values(UnnamedOutputFile::Temporary::Unnamed,
                                           UnnamedOutputFile::Temporary::HiddenName),
                         [](const auto& param) {
                             return param.param == UnnamedOutputFile::Temporary::Unnamed ? "Unnamed" : "HiddenName";
                         });

TEST(UnnamedOutputFile, HasNoNameWhereTheFileSystemAllowsIt)
{
    auto file = UnnamedOutputFile::open((fs::temp_directory_path() / "nubo-never-named.txt").string());
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ((*file)->temporaryName(), ""); // the test machine's temporary folder supports O_TMPFILE
}

TEST(UnnamedOutputFile, FallbackNameIsHiddenBesideTheTarget)
{
    const fs::path target = fs::temp_directory_path() / "nubo-fallback.txt";
    auto file = UnnamedOutputFile::open(target.string(), UnnamedOutputFile::Temporary::HiddenName);
    ASSERT_TRUE(file) << file.error().message;
    const fs::path temporary = (*file)->temporaryName();
    EXPECT_EQ(temporary.parent_path(), target.parent_path());
    EXPECT_TRUE(temporary.filename().string().starts_with(".nubo-fallback.txt.nubo-")) << temporary;
    EXPECT_TRUE(fs::exists(temporary));
    (*file)->discard();
    EXPECT_FALSE(fs::exists(temporary));
}

} // namespace
} // namespace nubo::cli
