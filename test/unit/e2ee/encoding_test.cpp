#include <array>

#include <gtest/gtest.h>

#include "encoding.h"
#include "gzip.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using test::bytesOf;

TEST(Base64, RoundTripsEveryLengthAroundPadding)
{
    for (std::size_t n = 0; n < 10; ++n) {
        Bytes data(n);
        for (std::size_t i = 0; i < n; ++i)
            data[i] = static_cast<std::uint8_t>(i * 37 + 1);
        const std::string text = base64Encode(data);
        auto decoded = base64Decode(text);
        ASSERT_TRUE(decoded) << n;
        EXPECT_EQ(Bytes(decoded->begin(), decoded->end()), data);
    }
}

TEST(Base64, KnownAnswers)
{
    EXPECT_EQ(base64Encode(bytesOf("foobar")), "Zm9vYmFy");
    EXPECT_EQ(base64Encode(bytesOf("fo")), "Zm8=");
    EXPECT_EQ(test::b64("Zm8="), bytesOf("fo"));
}

TEST(Base64, ToleratesLineBreaksAndMissingPadding)
{
    EXPECT_EQ(test::b64("Zm9v\nYmFy\r\n"), bytesOf("foobar"));
    EXPECT_EQ(test::b64("Zm8"), bytesOf("fo"));
}

TEST(Base64, RejectsMalformedInputWithAPosition)
{
    auto bad = base64Decode("Zm9v*mFy");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::MalformedInput);
    EXPECT_NE(bad.error().message.find("offset 4"), std::string::npos);
    EXPECT_FALSE(base64Decode("Zm9vY")); // truncated
    EXPECT_FALSE(base64Decode("Zm=9v")); // padding in the middle
    EXPECT_FALSE(base64Decode("Zg===")); // too much padding
}

TEST(Sha256, KnownAnswer)
{
    EXPECT_EQ(sha256Hex(bytesOf("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StreamDigest, KnownAnswersInAnyPiecesAndOnlyOnce)
{
    const std::pair<StreamDigest::Kind, const char*> cases[] = {
        {StreamDigest::Kind::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {StreamDigest::Kind::Md5, "900150983cd24fb0d6963f7d28e17f72"},
        {StreamDigest::Kind::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}};
    for (const auto& [kind, expected] : cases) {
        StreamDigest whole(kind);
        whole.update("abc", 3);
        EXPECT_EQ(whole.hex().value_or("failed"), expected);
        StreamDigest pieces(kind);
        pieces.update("a", 1);
        pieces.update("", 0);
        pieces.update("bc", 2);
        EXPECT_EQ(pieces.hex().value_or("failed"), expected);
        EXPECT_FALSE(pieces.hex().has_value()); // ended: a second result is an error, not a wrong digest
    }
}

TEST(Random, BytesDifferAndBoundsHold)
{
    auto a = randomBytes(32), b = randomBytes(32);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    std::array<int, 3> counts{};
    for (int i = 0; i < 3000; ++i) {
        auto v = randomBelow(3);
        ASSERT_TRUE(v);
        ASSERT_LT(*v, 3u);
        ++counts[*v];
    }
    for (const int c : counts)
        EXPECT_GT(c, 800); // each third is hit; a stuck generator would not be
    EXPECT_FALSE(randomBelow(0));
}

TEST(Gzip, RoundTripAndCaps)
{
    const std::string text(100000, 'x');
    auto compressed = gzipCompress(bytesOf(text));
    ASSERT_TRUE(compressed);
    EXPECT_EQ((*compressed)[0], 0x1f);
    EXPECT_EQ((*compressed)[1], 0x8b);
    auto back = gzipDecompress(*compressed, text.size());
    ASSERT_TRUE(back);
    EXPECT_EQ(std::string(asChars(*back)), text);

    auto bomb = gzipDecompress(*compressed, text.size() - 1);
    ASSERT_FALSE(bomb);
    EXPECT_NE(bomb.error().message.find("limit"), std::string::npos);

    Bytes truncated(compressed->begin(), compressed->end() - 5);
    EXPECT_FALSE(gzipDecompress(truncated, text.size()));
    EXPECT_FALSE(gzipDecompress(bytesOf("not gzip at all"), 1000));
}

} // namespace
} // namespace nubo::e2ee
