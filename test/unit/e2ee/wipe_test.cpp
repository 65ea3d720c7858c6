// Secrets are wiped when freed: this binary replaces the global operator new and delete, and
// while a search is armed, every block freed is scanned for the secrets of one metadata round
// trip before it goes back to the heap. Its own executable, as the replacement is global.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "encoding.h"
#include "file_cipher.h"
#include "gzip.h"
#include "metadata.h"
#include "test_support.h"

namespace {

// Each block carries its requested size in front; new blocks are zeroed so that stale heap
// contents are never mistaken for a leak.
constexpr std::size_t kHeader = alignof(std::max_align_t);

std::atomic<bool> g_armed{false};
const std::vector<std::string>* g_needles = nullptr;
std::atomic<int> g_leaks{0};

void* allocate(std::size_t size)
{
    auto* block = static_cast<unsigned char*>(std::malloc(kHeader + size));
    if (block == nullptr) throw std::bad_alloc();
    std::memcpy(block, &size, sizeof size);
    std::memset(block + kHeader, 0, size);
    return block + kHeader;
}

void release(void* pointer) noexcept
{
    if (pointer == nullptr) return;
    auto* block = static_cast<unsigned char*>(pointer) - kHeader;
    std::size_t size = 0;
    std::memcpy(&size, block, sizeof size);
    if (g_armed.load()) {
        const std::string_view contents(static_cast<const char*>(pointer), size);
        for (const std::string& needle : *g_needles) {
            if (contents.find(needle) != std::string_view::npos) ++g_leaks;
        }
    }
    std::free(block);
}

} // namespace

void* operator new(std::size_t size)
{
    return allocate(size);
}
void* operator new[](std::size_t size)
{
    return allocate(size);
}
void operator delete(void* pointer) noexcept
{
    release(pointer);
}
void operator delete[](void* pointer) noexcept
{
    release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept
{
    release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept
{
    release(pointer);
}

namespace nubo::e2ee {
namespace {

using test::must;

// Counts the freed blocks that held a needle while `work` ran.
template <typename Work>
int leaksDuring(const std::vector<std::string>& needles, Work work)
{
    g_needles = &needles;
    g_leaks = 0;
    g_armed = true;
    work();
    g_armed = false;
    return g_leaks.load();
}

std::string asString(ByteView bytes)
{
    return std::string(asChars(bytes));
}

TEST(Wiping, TheDetectorSeesAnUnwipedCopy)
{
    const std::vector<std::string> needles{"a secret of forty bytes, never in clear"};
    // The empty asm keeps the compiler from eliding the allocation.
    EXPECT_EQ(leaksDuring(needles,
                          [&] {
                              const std::string copy = needles[0];
                              asm volatile("" : : "g"(copy.data()) : "memory");
                          }),
              1);
    EXPECT_EQ(leaksDuring(needles,
                          [&] {
                              const SecureString copy(needles[0].begin(), needles[0].end());
                              asm volatile("" : : "g"(copy.data()) : "memory");
                          }),
              0);
}

TEST(Wiping, FileKeysLeaveNoCopyWhenMetadataIsWrittenAndRead)
{
    const SecureBytes metadataKey = must(generateMetadataKey());
    FolderMetadata metadata;
    metadata.counter = 1;
    // Enough entries for the writer's buffers to grow while it writes.
    for (int i = 0; i < 40; ++i) {
        const std::string id = std::string(30, 'a') + std::to_string(10 + i);
        metadata.files[id] = {"file " + std::to_string(i) + ".txt", "text/plain", must(randomBytes(16)), Bytes(16, 2),
                              Bytes(16, 3)};
    }
    std::vector<std::string> needles;
    for (const auto& [id, file] : metadata.files) {
        needles.push_back(base64Encode(file.key));
    }
    // The compressed inner document is plaintext too: the writer makes exactly these bytes.
    const auto compressed = must(gzipCompress(asBytes(toJson(metadata).dump())));
    needles.push_back(asString(ByteView(compressed).subspan(compressed.size() / 2, 24)));

    const int leaks = leaksDuring(needles, [&] {
        auto document = must(encryptFolderMetadata(metadata, metadataKey, {}));
        auto reread = must(decryptFolderMetadata(document, metadataKey));
        EXPECT_EQ(reread.files.size(), metadata.files.size());
    });
    EXPECT_EQ(leaks, 0) << "freed blocks still held a file key or the compressed plaintext";
}

// A source that hands out its data and then fails in the middle of a buffer, having written
// plaintext it does not report into the buffer it was given.
class FailingLateSource final : public ByteSource {
public:
    FailingLateSource(ByteView data, std::size_t failAt) : m_data(data), m_failAt(failAt) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        const std::size_t n = std::min(buffer.size(), m_data.size() - m_offset);
        std::memcpy(buffer.data(), m_data.data() + m_offset, n);
        if (m_offset + n > m_failAt) return fail(ErrorCode::Io, "input/output error");
        m_offset += n;
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_failAt;
    std::size_t m_offset = 0;
};

class DiscardingSink final : public ByteSink {
public:
    Result<void> write(ByteView) override { return {}; }
};

TEST(Wiping, TheFileCipherBuffersLeaveNoPlaintext)
{
    // Several of the pipeline's buffers of plaintext that repeats one sentence, so that any
    // unwiped piece of a buffer holds the needle.
    const std::string sentence = "plaintext that must never be freed in clear, ";
    std::string text;
    while (text.size() < 3 * detail::kPipelineChunkSize + 1000)
        text += sentence;
    const Bytes plaintext(text.begin(), text.end());
    const std::vector<std::string> needles{sentence.substr(0, 40)};
    const auto key = must(randomBytes(16));
    const auto nonce = must(randomBytes(16));
    Bytes blob;
    EXPECT_EQ(leaksDuring(needles,
                          [&] {
                              MemorySource source(plaintext);
                              DiscardingSink sink;
                              must(encryptFile(must(FileKey::fromCallerSupplied(key, nonce)), source, sink));
                          }),
              0);
    blob = must(detail::aesGcmEncryptForTest(key, nonce, plaintext));
    EXPECT_EQ(leaksDuring(needles,
                          [&] {
                              MemorySource source(blob);
                              SecureBufferSink sink;
                              must(decryptFile(key, nonce, std::nullopt, source, sink));
                              EXPECT_EQ(sink.take().size(), plaintext.size());
                          }),
              0)
        << "decryption";
    EXPECT_EQ(leaksDuring(needles,
                          [&] {
                              FailingLateSource source(plaintext, 2 * detail::kPipelineChunkSize + 4096);
                              DiscardingSink sink;
                              EXPECT_FALSE(encryptFile(must(FileKey::fromCallerSupplied(key, nonce)), source, sink));
                          }),
              0)
        << "a source that failed";
}

} // namespace
} // namespace nubo::e2ee
