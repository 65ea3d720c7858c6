#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

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

// ---- The two-thread pipeline (a reader thread, the caller writing) ----

constexpr std::size_t kBuffer = detail::kPipelineChunkSize;
constexpr std::size_t kSlots = detail::kPipelineSlots;

// Hands out `total` pattern bytes, at most `maxRead` a read, and counts them; fails (or
// throws) once `failAt` bytes were handed out. Records which threads read it.
class CountingSource final : public ByteSource {
public:
    enum class Failure { None, Error, Throw };
    CountingSource(std::uint64_t total, std::uint64_t failAt = UINT64_MAX, Failure failure = Failure::None,
                   std::size_t maxRead = SIZE_MAX)
        : m_total(total), m_failAt(failAt), m_failure(failure), m_maxRead(maxRead)
    {
    }
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        EXPECT_FALSE(m_inRead.exchange(true)) << "two reads at once";
        readers.insert(std::this_thread::get_id());
        auto done = [&](Result<std::size_t> r) {
            m_inRead = false;
            return r;
        };
        if (m_position >= m_failAt) {
            m_inRead = false;
            if (m_failure == Failure::Throw) throw std::runtime_error("the disk went away");
            return done(fail(ErrorCode::Io, "input/output error"));
        }
        const std::uint64_t limit = std::min(m_total, m_failAt);
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>({buffer.size(), m_maxRead, limit - m_position}));
        for (std::size_t i = 0; i < n; ++i)
            buffer[i] = byteAt(m_position + i);
        m_position += n;
        return done(n);
    }
    static std::uint8_t byteAt(std::uint64_t i) { return static_cast<std::uint8_t>((i * 131) ^ (i >> 8)); }
    std::uint64_t position() const { return m_position; }
    std::set<std::thread::id> readers;

private:
    std::uint64_t m_total, m_failAt;
    Failure m_failure;
    std::size_t m_maxRead;
    std::uint64_t m_position = 0;
    std::atomic<bool> m_inRead{false};
};

// Keeps the ciphertext; fails (or throws) at the write that would pass `budget` bytes.
class CheckingSink final : public AuthenticatedSink {
public:
    enum class Failure { Error, Throw };
    explicit CheckingSink(std::uint64_t budget = UINT64_MAX, Failure failure = Failure::Error)
        : m_budget(budget), m_failure(failure)
    {
    }
    Result<void> write(ByteView data) override
    {
        writers.insert(std::this_thread::get_id());
        if (data.size() > m_budget) {
            if (m_failure == Failure::Throw) throw std::runtime_error("the sink exploded");
            return fail(ErrorCode::Io, "no space left on device");
        }
        m_budget -= data.size();
        bytes.insert(bytes.end(), data.begin(), data.end());
        ++writes;
        return {};
    }
    Result<void> commit() override
    {
        ++commits;
        return {};
    }
    void discard() noexcept override { ++discards; }
    Bytes bytes;
    int writes = 0, commits = 0, discards = 0;
    std::set<std::thread::id> writers;

private:
    std::uint64_t m_budget;
    Failure m_failure;
};

Bytes countingPattern(std::size_t size)
{
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = CountingSource::byteAt(i);
    return data;
}

TEST(FileCipherPipeline, RoundTripsAtBufferBoundaries)
{
    for (const std::size_t size : {std::size_t{0}, kBuffer - 1, kBuffer, kBuffer + 1, kBuffer - 16, kBuffer + 16,
                                   kSlots * kBuffer, kSlots * kBuffer + 1, 3 * kBuffer, 3 * kBuffer + 1,
                                   (2 * kSlots + 1) * kBuffer, (2 * kSlots + 1) * kBuffer + 1}) {
        const Bytes plaintext = countingPattern(size);
        {
            // Odd-sized short reads (as from a pipe): passed on as they come.
            CountingSource source(size, UINT64_MAX, CountingSource::Failure::None, 300 * 1024 + 7);
            CheckingSink sink;
            auto info = encryptFile(must(FileKey::generate()), source, sink);
            ASSERT_TRUE(info) << size << ": " << info.error().message;
            EXPECT_EQ(info->plaintextSize, size);
            EXPECT_EQ(sink.bytes, must(detail::aesGcmEncryptForTest(info->key, info->nonce, plaintext))) << size;
        }
        CountingSource source(size);
        CheckingSink sink;
        auto info = encryptFile(must(FileKey::generate()), source, sink);
        ASSERT_TRUE(info) << size << ": " << info.error().message;
        EXPECT_EQ(info->plaintextSize, size);
        ASSERT_EQ(sink.bytes.size(), size + kGcmTagSize) << size;
        EXPECT_TRUE(std::equal(info->tag.begin(), info->tag.end(), sink.bytes.end() - 16)) << size;
        // Reads that fill the buffer (as from a file): each buffer's ciphertext is one write, then the tag.
        EXPECT_EQ(sink.writes, static_cast<int>((size + kBuffer - 1) / kBuffer) + 1) << size;
        // The same bytes as one-shot AES-GCM with that key and nonce.
        EXPECT_EQ(sink.bytes, must(detail::aesGcmEncryptForTest(info->key, info->nonce, plaintext))) << size;

        for (const bool withTag : {false, true}) {
            TrickleSource blob(sink.bytes, withTag ? 1000 : SIZE_MAX);
            CheckingSink plain;
            auto n = decryptFile(info->key, info->nonce, withTag ? std::optional<ByteView>(info->tag) : std::nullopt,
                                 blob, plain);
            ASSERT_TRUE(n) << size << ": " << n.error().message;
            EXPECT_EQ(*n, size);
            EXPECT_EQ(plain.bytes, plaintext) << size;
            EXPECT_EQ(plain.commits, 1);
            EXPECT_EQ(plain.discards, 0);
        }
        // Without the trailing tag, the metadata's tag opens it; the held-back bytes are data.
        if (size >= kGcmTagSize) {
            MemorySource blob(ByteView(sink.bytes).first(size));
            CheckingSink plain;
            auto n = decryptFile(info->key, info->nonce, ByteView(info->tag), blob, plain);
            ASSERT_TRUE(n) << size << ": " << n.error().message;
            EXPECT_EQ(plain.bytes, plaintext) << size;
            EXPECT_EQ(plain.commits, 1);
        }
    }
}

TEST(FileCipherPipeline, ReadsOnOneThreadAndWritesOnTheCallers)
{
    CountingSource source(5 * kBuffer + 3);
    CheckingSink sink;
    ASSERT_TRUE(encryptFile(must(FileKey::generate()), source, sink));
    EXPECT_EQ(sink.writers, std::set<std::thread::id>{std::this_thread::get_id()});
    // The first buffer is read here, the rest by the worker: never two reads at once (checked
    // by the source), and never more than one worker.
    EXPECT_LE(source.readers.size(), 2u);
}

// Hands out one piece, then waits (up to 20 s) until the sink has seen it before it ends.
class PipeLikeSource final : public ByteSource {
public:
    PipeLikeSource(std::size_t piece, const std::atomic<std::size_t>& sunk) : m_piece(piece), m_sunk(sunk) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        if (m_given == 0) {
            m_given = std::min(buffer.size(), m_piece);
            std::fill_n(buffer.begin(), m_given, std::uint8_t{7});
            return m_given;
        }
        for (int i = 0; i < 2000 && m_sunk.load() == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        sawDataPassedOn = m_sunk.load() > 0;
        return 0;
    }
    bool sawDataPassedOn = false;

private:
    std::size_t m_piece;
    const std::atomic<std::size_t>& m_sunk;
    std::size_t m_given = 0;
};

class CountingSink final : public ByteSink {
public:
    Result<void> write(ByteView data) override
    {
        bytes += data.size();
        return {};
    }
    std::atomic<std::size_t> bytes{0};
};

TEST(FileCipherPipeline, WhatAPipeHasIsPassedOnWithoutWaitingForAFullBuffer)
{
    CountingSink sink;
    PipeLikeSource source(100 * 1024, sink.bytes);
    auto info = encryptFile(must(FileKey::generate()), source, sink);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(source.sawDataPassedOn) << "the sink got nothing until the source ended";
    EXPECT_EQ(info->plaintextSize, 100u * 1024);
}

TEST(FileCipherPipeline, SmallInputsStartNoThread)
{
    // Below 64 KiB (what a short read must bring to be passed on at once) the first buffer holds
    // the whole input, so encrypting it needs no thread.
    CountingSource source(60 * 1024);
    CheckingSink sink;
    ASSERT_TRUE(encryptFile(must(FileKey::generate()), source, sink));
    EXPECT_EQ(source.readers, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(FileCipherPipeline, ASourceFailingMidwayStopsEncryption)
{
    for (const std::uint64_t failAt : {std::uint64_t{0}, std::uint64_t{kBuffer / 2}, std::uint64_t{kBuffer},
                                       std::uint64_t{7 * kBuffer + 12345}}) {
        CountingSource source(64 * kBuffer, failAt, CountingSource::Failure::Error);
        CheckingSink sink;
        auto result = encryptFile(must(FileKey::generate()), source, sink);
        ASSERT_FALSE(result) << failAt;
        EXPECT_EQ(result.error().code, ErrorCode::Io);
        EXPECT_EQ(result.error().message, "input/output error");
        // Nothing read at the failure point was written, and no tag.
        EXPECT_LE(sink.bytes.size(), failAt) << failAt;
    }
}

TEST(FileCipherPipeline, ASourceThrowingOnTheReaderThreadThrowsOnTheCallers)
{
    for (const std::uint64_t failAt : {std::uint64_t{0}, std::uint64_t{6 * kBuffer + 1}}) {
        CountingSource source(64 * kBuffer, failAt, CountingSource::Failure::Throw);
        CheckingSink sink;
        try {
            (void)encryptFile(must(FileKey::generate()), source, sink);
            ADD_FAILURE() << "no exception";
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "the disk went away");
        }
        EXPECT_LE(sink.bytes.size(), failAt);
    }
    // Decryption discards what it wrote before the exception leaves it.
    CountingSource source(64 * kBuffer, 6 * kBuffer + 1, CountingSource::Failure::Throw);
    CheckingSink sink;
    EXPECT_THROW((void)decryptFile(Bytes(16, 1), Bytes(16, 2), std::nullopt, source, sink), std::runtime_error);
    EXPECT_EQ(sink.commits, 0);
    EXPECT_EQ(sink.discards, 1);
}

TEST(FileCipherPipeline, ASinkFailingMidwayStopsTheReader)
{
    for (const std::uint64_t budget : {std::uint64_t{0}, std::uint64_t{kBuffer}, std::uint64_t{5 * kBuffer + 1}}) {
        // Far more input than the ring holds: the reader must stop, not read it all.
        CountingSource source(1024 * kBuffer);
        CheckingSink sink(budget);
        auto result = encryptFile(must(FileKey::generate()), source, sink);
        ASSERT_FALSE(result) << budget;
        EXPECT_EQ(result.error().code, ErrorCode::Io);
        // Read-ahead is bounded by the ring (and the buffer being written when it failed).
        EXPECT_LE(source.position(), budget + (kSlots + 2) * kBuffer) << budget;
    }
}

TEST(FileCipherPipeline, ASinkThrowingStillStopsAndJoinsTheReader)
{
    CountingSource source(1024 * kBuffer);
    CheckingSink sink(3 * kBuffer, CheckingSink::Failure::Throw);
    EXPECT_THROW((void)encryptFile(must(FileKey::generate()), source, sink), std::runtime_error);
    EXPECT_LE(source.position(), (3 + kSlots + 2) * kBuffer);
}

TEST(FileCipherPipeline, ATagFailingAfterManyBuffersDiscardsAndNeverCommits)
{
    constexpr std::size_t size = 9 * kBuffer + 100;
    CountingSource source(size);
    CheckingSink encrypted;
    auto info = must(encryptFile(must(FileKey::generate()), source, encrypted));
    for (const std::size_t flip : {std::size_t{3}, size - 1, size + 15}) { // early data, last data byte, the tag
        Bytes blob = encrypted.bytes;
        blob[flip] ^= 0x01;
        for (const bool withTag : {false, true}) {
            MemorySource in(blob);
            CheckingSink plain;
            auto result = decryptFile(info.key, info.nonce,
                                      withTag ? std::optional<ByteView>(info.tag) : std::nullopt, in, plain);
            ASSERT_FALSE(result) << flip;
            EXPECT_EQ(result.error().code, ErrorCode::DecryptionFailed) << flip;
            EXPECT_EQ(plain.commits, 0) << flip;
            EXPECT_EQ(plain.discards, 1) << flip;
            // The unauthenticated plaintext did reach the sink, many buffers of it: discard() is
            // what keeps it from being used.
            EXPECT_GE(plain.writes, 9) << flip;
        }
    }
}

TEST(FileCipherPipeline, ASourceFailingMidwayDiscardsTheDecryption)
{
    CountingSource source(64 * kBuffer, 5 * kBuffer + 77, CountingSource::Failure::Error);
    CheckingSink sink;
    auto result = decryptFile(Bytes(16, 1), Bytes(16, 2), std::nullopt, source, sink);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Io);
    EXPECT_EQ(sink.commits, 0);
    EXPECT_EQ(sink.discards, 1);
}

TEST(FileCipherPipeline, ASinkFailingMidwayDiscardsTheDecryption)
{
    CountingSource plain(16 * kBuffer);
    CheckingSink encrypted;
    auto info = must(encryptFile(must(FileKey::generate()), plain, encrypted));
    MemorySource in(encrypted.bytes);
    CheckingSink sink(2 * kBuffer);
    auto result = decryptFile(info.key, info.nonce, ByteView(info.tag), in, sink);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Io);
    EXPECT_EQ(sink.commits, 0);
    EXPECT_EQ(sink.discards, 1);
}

TEST(FileCipherPipeline, AnEmptyBlobIsTooShort)
{
    MemorySource in(ByteView{});
    CheckingSink sink;
    auto result = decryptFile(Bytes(16, 1), Bytes(16, 2), std::nullopt, in, sink);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::MalformedInput);
    EXPECT_EQ(sink.commits, 0);
    EXPECT_EQ(sink.discards, 1);
}

TEST(SecureBufferSink, HandsOutNothingUnlessCommitted)
{
    SecureBufferSink sink;
    ASSERT_TRUE(sink.write(test::bytesOf("secret")));
    EXPECT_TRUE(sink.take().empty());
}

} // namespace
} // namespace nubo::e2ee
