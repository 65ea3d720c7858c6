#include <sstream>

#include <gtest/gtest.h>

#include "encoding.h"
#include "file_cipher.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using test::b64;
using test::must;

Bytes fromHex(std::string_view hex)
{
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

Bytes pattern(std::size_t size)
{
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 8));
    return data;
}

class RecordingSink final : public AuthenticatedSink {
public:
    Result<void> write(ByteView data) override
    {
        written.insert(written.end(), data.begin(), data.end());
        return {};
    }
    Result<void> commit() override
    {
        ++commits;
        return {};
    }
    void discard() noexcept override { ++discards; }
    Bytes written;
    int commits = 0;
    int discards = 0;
};

class BytesSink final : public ByteSink {
public:
    Result<void> write(ByteView data) override
    {
        out.insert(out.end(), data.begin(), data.end());
        return {};
    }
    Bytes out;
};

// Hands out data a few bytes at a time, as a slow network would.
class TrickleSource final : public ByteSource {
public:
    TrickleSource(ByteView data, std::size_t step) : m_data(data), m_step(step) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        const std::size_t n = std::min({buffer.size(), m_step, m_data.size()});
        std::copy_n(m_data.begin(), n, buffer.begin());
        m_data = m_data.subspan(n);
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_step;
};

// Fails after a number of bytes, like a disk that fills up.
class FailingSink final : public ByteSink {
public:
    explicit FailingSink(std::size_t budget) : m_budget(budget) {}
    Result<void> write(ByteView data) override
    {
        if (data.size() > m_budget) return fail(ErrorCode::Io, "no space left on device");
        m_budget -= data.size();
        return {};
    }

private:
    std::size_t m_budget;
};

struct Encrypted {
    Bytes blob;
    EncryptedFile info;
};

Encrypted encrypt(ByteView plaintext)
{
    MemorySource source(plaintext);
    BytesSink sink;
    auto info = must(encryptFile(must(FileKey::generate()), source, sink));
    return {std::move(sink.out), std::move(info)};
}

TEST(FileCipher, NistKnownAnswerWithTwelveByteNonce)
{
    // NIST GCM specification, test case 3.
    const Bytes key = fromHex("feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const Bytes plaintext = fromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    const Bytes blob = fromHex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                               "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                               "4d5c2af327cd64a62cf35abd2ba6fab4");
    MemorySource source(plaintext);
    BytesSink sink;
    auto info = must(encryptFile(must(FileKey::fromCallerSupplied(key, iv)), source, sink));
    EXPECT_EQ(sink.out, blob);
    EXPECT_EQ(hexEncode(info.tag), "4d5c2af327cd64a62cf35abd2ba6fab4");
    auto opened = must(decryptBlob(key, iv, std::nullopt, blob));
    EXPECT_EQ(Bytes(opened.begin(), opened.end()), plaintext);
}

TEST(FileCipher, NistKnownAnswerTestCase2)
{
    const Bytes zero16(16, 0), zero12(12, 0);
    auto opened = must(decryptBlob(zero16, zero12, std::nullopt,
                                   fromHex("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf")));
    EXPECT_EQ(Bytes(opened.begin(), opened.end()), zero16);
}

TEST(FileCipher, RoundTripsAroundChunkAndTagBoundaries)
{
    constexpr std::size_t chunk = 256 * 1024;
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                                   chunk - 17, chunk - 16, chunk - 1, chunk, chunk + 1, chunk + 16, 3 * chunk + 5}) {
        const Bytes plaintext = pattern(size);
        auto [blob, info] = encrypt(plaintext);
        ASSERT_EQ(blob.size(), size + 16) << size;
        EXPECT_EQ(info.plaintextSize, size);
        EXPECT_EQ(info.key.size(), 16u);
        EXPECT_EQ(info.nonce.size(), 16u);
        EXPECT_TRUE(std::equal(info.tag.begin(), info.tag.end(), blob.end() - 16));
        for (const std::size_t step : {std::size_t{7}, std::size_t{1 << 20}}) {
            TrickleSource source(blob, step);
            RecordingSink sink;
            auto n = decryptFile(info.key, info.nonce, ByteView(info.tag), source, sink);
            ASSERT_TRUE(n) << size << ": " << n.error().message;
            EXPECT_EQ(*n, size);
            EXPECT_EQ(sink.written, plaintext);
            EXPECT_EQ(sink.commits, 1);
            EXPECT_EQ(sink.discards, 0);
        }
    }
}

TEST(FileCipher, EveryFileVersionGetsAFreshKeyAndNonce)
{
    const Bytes plaintext = pattern(100);
    auto first = encrypt(plaintext);
    auto second = encrypt(plaintext);
    EXPECT_NE(first.info.key, second.info.key);
    EXPECT_NE(first.info.nonce, second.info.nonce);
    EXPECT_NE(first.blob, second.blob);
}

TEST(FileCipher, AKeyCannotEncryptTwice)
{
    auto key = must(FileKey::generate());
    const Bytes plaintext = pattern(10);
    MemorySource a(plaintext), b(plaintext);
    BytesSink sink;
    ASSERT_TRUE(encryptFile(std::move(key), a, sink));
    // The moved-from key is empty; using it again fails instead of reusing the nonce.
    auto again = encryptFile(std::move(key), b, sink); // NOLINT(bugprone-use-after-move): the point of the test
    ASSERT_FALSE(again);
    static_assert(!std::is_copy_constructible_v<FileKey>);
}

TEST(FileCipher, FlippedCiphertextByteIsRejectedAndNothingCommitted)
{
    auto [blob, info] = encrypt(pattern(1000));
    blob[500] ^= 0x80;
    MemorySource source(blob);
    RecordingSink sink;
    auto result = decryptFile(info.key, info.nonce, std::nullopt, source, sink);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::DecryptionFailed);
    EXPECT_EQ(sink.commits, 0);
    EXPECT_EQ(sink.discards, 1);
}

TEST(FileCipher, SwappedTagIsRejected)
{
    auto a = encrypt(pattern(64));
    auto b = encrypt(pattern(64));
    Bytes blob = a.blob;
    std::copy(b.info.tag.begin(), b.info.tag.end(), blob.end() - 16);
    EXPECT_FALSE(decryptBlob(a.info.key, a.info.nonce, std::nullopt, blob));
    // The metadata's tag must match the blob's too.
    EXPECT_FALSE(decryptBlob(a.info.key, a.info.nonce, ByteView(b.info.tag), a.blob));
}

TEST(FileCipher, WrongKeyOrNonceIsRejected)
{
    auto [blob, info] = encrypt(pattern(64));
    SecureBytes key = info.key;
    key[0] ^= 1;
    EXPECT_FALSE(decryptBlob(key, info.nonce, std::nullopt, blob));
    Bytes nonce = info.nonce;
    nonce[15] ^= 1;
    EXPECT_FALSE(decryptBlob(info.key, nonce, std::nullopt, blob));
}

TEST(FileCipher, TruncatedBlobIsRejected)
{
    auto [blob, info] = encrypt(pattern(64));
    blob.pop_back();
    EXPECT_FALSE(decryptBlob(info.key, info.nonce, std::nullopt, blob));
    auto tooShort = decryptBlob(info.key, info.nonce, std::nullopt, Bytes(10));
    ASSERT_FALSE(tooShort);
    EXPECT_EQ(tooShort.error().code, ErrorCode::MalformedInput);
}

TEST(FileCipher, BlobWithoutTrailingTagOpensWithTheMetadataTag)
{
    auto [blob, info] = encrypt(pattern(300));
    blob.resize(blob.size() - 16);
    auto opened = must(decryptBlob(info.key, info.nonce, ByteView(info.tag), blob));
    EXPECT_EQ(Bytes(opened.begin(), opened.end()), pattern(300));
}

TEST(FileCipher, BadKeyAndNonceSizesAreReported)
{
    EXPECT_FALSE(FileKey::fromCallerSupplied(Bytes(15), Bytes(16)));
    EXPECT_FALSE(FileKey::fromCallerSupplied(Bytes(16), Bytes(8)));
    auto result = decryptBlob(Bytes(16), Bytes(16), ByteView(Bytes(3)), Bytes(40));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::MalformedInput);
}

TEST(FileCipher, AFailingSinkStopsEncryption)
{
    const Bytes plaintext = pattern(1 << 20);
    MemorySource source(plaintext);
    FailingSink sink(1000);
    auto result = encryptFile(must(FileKey::generate()), source, sink);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Io);
}

TEST(FileCipher, DecryptsTheVectorBlobsWrittenWithSixteenByteNonces)
{
    const auto vectors = test::dataJson("metadata-v2-alice-bob.json");
    const auto& expected = vectors["expected"];
    for (const auto* inner : {&expected["rootInner"], &expected["nestedInner"]}) {
        for (const auto& [id, file] : (*inner)["files"].items()) {
            const auto& blob = expected["files"][id];
            const Bytes nonce = b64(file["nonce"].get<std::string>());
            ASSERT_EQ(nonce.size(), 16u);
            const Bytes tag = b64(file["authenticationTag"].get<std::string>());
            auto plain = decryptBlob(b64(file["key"].get<std::string>()), nonce, ByteView(tag),
                                     b64(blob["encryptedBlob_b64"].get<std::string>()));
            ASSERT_TRUE(plain) << id << ": " << plain.error().message;
            EXPECT_EQ(Bytes(plain->begin(), plain->end()), b64(blob["plaintext_b64"].get<std::string>()));
        }
    }
}

TEST(FileCipher, StreamsThroughIostreams)
{
    const Bytes plaintext = pattern(70000);
    std::stringstream cipherStream, plainStream;
    std::istringstream in(std::string(plaintext.begin(), plaintext.end()));
    IstreamSource source(in);
    OstreamSink sink(cipherStream);
    auto info = must(encryptFile(must(FileKey::generate()), source, sink));
    IstreamSource cipherSource(cipherStream);
    SecureBufferSink plain;
    ASSERT_TRUE(decryptFile(info.key, info.nonce, std::nullopt, cipherSource, plain));
    const auto out = plain.take();
    EXPECT_EQ(Bytes(out.begin(), out.end()), plaintext);
}

TEST(SecureBufferSink, HandsOutNothingUnlessCommitted)
{
    SecureBufferSink sink;
    ASSERT_TRUE(sink.write(test::bytesOf("secret")));
    EXPECT_TRUE(sink.take().empty());
}

} // namespace
} // namespace nubo::e2ee
