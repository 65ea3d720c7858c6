#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "local_file.h"
#include "temp_dir.h"

namespace nubo::sync {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

std::string sha1Reference(const std::string& data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr);
    std::string hex = "SHA1:";
    char byte[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", digest[i]);
        hex += byte;
    }
    return hex;
}

TEST(LocalFile, Sha1KnownAnswers)
{
    TempDir dir;
    writeFile(dir / "empty", "");
    writeFile(dir / "abc", "abc");
    writeFile(dir / "million", std::string(1'000'000, 'a'));
    EXPECT_EQ(sha1OfFile(dir / "empty").value_or(""), "SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(sha1OfFile(dir / "abc").value_or(""), "SHA1:a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha1OfFile(dir / "million").value_or(""), "SHA1:34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(LocalFile, Sha1AcrossBlockBoundaries)
{
    TempDir dir;
    for (const std::size_t size : {std::size_t{1} << 20, (std::size_t{1} << 20) + 1, (std::size_t{3} << 20) - 7}) {
        std::string data(size, '\0');
        for (std::size_t i = 0; i < size; ++i)
            data[i] = static_cast<char>((i * 131 + i / 4099) & 0xff);
        writeFile(dir / "f", data);
        EXPECT_EQ(sha1OfFile(dir / "f").value_or(""), sha1Reference(data)) << size;
    }
}

TEST(LocalFile, Sha1OfMissingFile)
{
    TempDir dir;
    auto hash = sha1OfFile(dir / "missing");
    ASSERT_FALSE(hash.has_value());
    EXPECT_EQ(hash.error().code, SyncErrorCode::NotFound);
    EXPECT_NE(hash.error().message.find("missing"), std::string::npos);
}

TEST(LocalFile, SetModificationTime)
{
    TempDir dir;
    writeFile(dir / "f", "x");
    ASSERT_TRUE(setModificationTime(dir / "f", 1234567890));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);

    // A symlink gets its own time; its target keeps its own.
    ASSERT_EQ(::symlink("f", (dir / "link").c_str()), 0);
#ifdef NUBO_PORTABLE_ONLY
    // std::filesystem can only set the target's time: the portable code refuses a link instead.
    EXPECT_EQ(setModificationTime(dir / "link", 1000000000).error().code, SyncErrorCode::LocalIo);
#else
    ASSERT_TRUE(setModificationTime(dir / "link", 1000000000));
#endif
    ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);

    EXPECT_EQ(setModificationTime(dir / "missing", 1).error().code, SyncErrorCode::NotFound);
}

TEST(LocalFile, SyncFileAndFolder)
{
    TempDir dir;
    writeFile(dir / "f", "x");
    EXPECT_TRUE(syncFile(dir / "f"));
    EXPECT_TRUE(syncFolder(dir.path()));
    EXPECT_FALSE(syncFile(dir / "missing"));
    EXPECT_FALSE(syncFolder(dir / "f")); // not a folder
}

TEST(LocalFile, RenameNoReplace)
{
    TempDir dir;
    writeFile(dir / "a", "A");
    writeFile(dir / "b", "B");
    auto refused = renameNoReplace(dir / "a", dir / "b");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SyncErrorCode::FileChanged);
    EXPECT_EQ(readFile(dir / "a"), "A");
    EXPECT_EQ(readFile(dir / "b"), "B");

    ASSERT_TRUE(renameNoReplace(dir / "a", dir / "c"));
    EXPECT_FALSE(std::filesystem::exists(dir / "a"));
    EXPECT_EQ(readFile(dir / "c"), "A");

    std::filesystem::create_directories(dir / "folder/inner");
    ASSERT_TRUE(renameNoReplace(dir / "folder", dir / "moved"));
    EXPECT_TRUE(std::filesystem::is_directory(dir / "moved/inner"));

    EXPECT_EQ(renameNoReplace(dir / "missing", dir / "x").error().code, SyncErrorCode::NotFound);
}

TEST(LocalFile, RenameReplace)
{
    TempDir dir;
    writeFile(dir / "a", "A");
    writeFile(dir / "b", "B");
    ASSERT_TRUE(renameReplace(dir / "a", dir / "b"));
    EXPECT_FALSE(std::filesystem::exists(dir / "a"));
    EXPECT_EQ(readFile(dir / "b"), "A");
    auto missing = renameReplace(dir / "a", dir / "b");
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().message.find("renaming"), std::string::npos);
}

TEST(LocalFile, TemporaryPathFor)
{
    const std::filesystem::path target = "/sync/dir/report.odt";
    const auto a = temporaryPathFor(target);
    const auto b = temporaryPathFor(target);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.parent_path(), target.parent_path());
    const std::string name = a.filename().string();
    EXPECT_TRUE(name.starts_with(".report.odt.~nubo")) << name;
    EXPECT_EQ(name.size(), std::string(".report.odt.~nubo").size() + 8);
    EXPECT_TRUE(isTemporaryName(name)) << name;

    // Long names are shortened to fit, at a character boundary.
    std::string longName;
    while (longName.size() < 254)
        longName += "ü";
    const std::string shortened = temporaryPathFor("/sync/" + longName).filename().string();
    EXPECT_LE(shortened.size(), 255u);
    EXPECT_TRUE(isTemporaryName(shortened));
    const std::string kept = shortened.substr(1, shortened.size() - 1 - 14);
    EXPECT_EQ(kept.size() % 2, 0u) << "a 2-byte character was cut";
}

struct TemporaryRow {
    std::string name;
    bool temporary;
};

class TemporaryNames : public ::testing::TestWithParam<TemporaryRow> {};

TEST_P(TemporaryNames, Row)
{
    EXPECT_EQ(isTemporaryName(GetParam().name), GetParam().temporary) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, TemporaryNames,
    ::testing::Values(TemporaryRow{".a.txt.~nubo0123abcd", true}, TemporaryRow{".x.~nubo00000000", true},
                      TemporaryRow{"a.txt.~nubo0123abcd", false}, TemporaryRow{".a.txt.~nubo0123abc", false},
                      TemporaryRow{".a.txt.~nubo0123abcg", false}, TemporaryRow{".a.txt.~nubo0123ABCD", false},
                      TemporaryRow{".a.txt.~nubo0123abcd.odt", false}, TemporaryRow{".a.txt~nubo0123abcd", false},
                      TemporaryRow{"", false}));

TEST(LocalFile, FreeSpace)
{
    TempDir dir;
    auto space = freeSpace(dir.path());
    ASSERT_TRUE(space.has_value());
    EXPECT_GT(*space, 0);
    EXPECT_FALSE(freeSpace(dir / "missing"));
}

struct ErrnoRow {
    int error;
    SyncErrorCode code;
    std::string wording;
};

class ErrnoMapping : public ::testing::TestWithParam<ErrnoRow> {};

TEST_P(ErrnoMapping, Row)
{
    const SyncError error = errnoError(GetParam().error, "writing", "/sync/report.txt");
    EXPECT_EQ(error.code, GetParam().code);
    EXPECT_NE(error.message.find(GetParam().wording), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("writing \"/sync/report.txt\""), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(Table, ErrnoMapping,
                         ::testing::Values(ErrnoRow{ENOSPC, SyncErrorCode::DiskFull, "the local disk is full"},
                                           ErrnoRow{EDQUOT, SyncErrorCode::DiskFull, "the local disk is full"},
                                           ErrnoRow{EACCES, SyncErrorCode::LocalIo, "permission denied"},
                                           ErrnoRow{EPERM, SyncErrorCode::LocalIo, "permission denied"},
                                           ErrnoRow{ENAMETOOLONG, SyncErrorCode::NameNotAllowed, "too long"},
                                           ErrnoRow{ENOENT, SyncErrorCode::NotFound, "does not exist"},
                                           ErrnoRow{EIO, SyncErrorCode::LocalIo, "rror"}));

} // namespace
} // namespace nubo::sync
