#include "file_cipher.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <openssl/crypto.h>

#include "encoding.h"
#include "ossl.h"

namespace nubo::e2ee {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

const EVP_CIPHER* gcmFor(std::size_t keySize)
{
    switch (keySize) {
    case 16: return EVP_aes_128_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return nullptr;
    }
}

Result<detail::CipherCtxPtr> startGcm(ByteView key, ByteView nonce, bool encrypt)
{
    const EVP_CIPHER* cipher = gcmFor(key.size());
    if (cipher == nullptr) {
        return fail(ErrorCode::MalformedInput,
                    "an AES-GCM key has 16 or 32 bytes, this one has " + std::to_string(key.size()));
    }
    if (nonce.size() < 12 || nonce.size() > 16) {
        return fail(ErrorCode::MalformedInput,
                    "an AES-GCM nonce has 12 or 16 bytes, this one has " + std::to_string(nonce.size()));
    }
    detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    const auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
    if (!ctx || init(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        init(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1) {
        return fail(ErrorCode::Internal, "cannot start AES-GCM: " + detail::takeOpensslError());
    }
    return ctx;
}

// Runs `data` through the cipher into `out`, using `scratch` (at least data.size() bytes).
Result<void> update(EVP_CIPHER_CTX* ctx, ByteView data, std::span<std::uint8_t> scratch, ByteSink& out)
{
    if (data.empty()) return {};
    int written = 0;
    if (EVP_CipherUpdate(ctx, scratch.data(), &written, data.data(), static_cast<int>(data.size())) != 1) {
        return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
    }
    return out.write(scratch.first(static_cast<std::size_t>(written)));
}

struct WipedBuffer {
    explicit WipedBuffer(std::size_t size) : data(size) {}
    ~WipedBuffer() { secureWipe(data.data(), data.size()); }
    std::vector<std::uint8_t> data;
};

// ---- Two-thread pipeline for the file cipher ---------------------------------------------
//
// A worker thread runs `produce` (read the source, and run the cipher in place) into a ring
// of kPipelineSlots buffers of kPipelineChunkSize bytes; the calling thread runs `consume`
// (write the sink) on each filled buffer, in order. So the source is only ever read by one
// thread at a time, the sink only written by the caller, and memory stays constant whatever
// the size of the file. The first buffer is produced on the calling thread: when it already
// holds the whole input (small files, metadata blobs) no thread is started at all.
//
// Either side failing stops both: a failed `produce` ends the worker and the caller returns
// its error; a failed `consume` makes the worker stop at its next buffer. Exceptions behave as
// they would on one thread: one thrown by `produce` (a source's read) ends the worker and is
// rethrown on the calling thread, and one out of `consume` (a sink's write) propagates to the
// caller; either way the worker is stopped and joined first. Nothing leaves the worker's
// thread function by exception.

// What `produce` made of one buffer: its first `length` bytes go to `consume`; `last` ends
// the input.
struct Chunk {
    std::size_t length = 0;
    bool last = false;
};

// One buffer of the ring: allocated when first used, and wiped up to the furthest byte ever
// written into it (it holds plaintext), so a small file does not pay for a whole buffer.
class Slot {
public:
    Slot() = default;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot()
    {
        if (m_data) secureWipe(m_data.get(), m_used);
    }
    std::span<std::uint8_t> buffer()
    {
        if (!m_data) m_data = std::make_unique_for_overwrite<std::uint8_t[]>(detail::kPipelineChunkSize);
        return {m_data.get(), detail::kPipelineChunkSize};
    }
    // Called by `produce`'s side after it wrote up to `bytes` into buffer().
    void touched(std::size_t bytes) { m_used = std::max(m_used, bytes); }

private:
    std::unique_ptr<std::uint8_t[]> m_data;
    std::size_t m_used = 0;
};

// What both threads share; every member is guarded by `mutex` except the slots' bytes, which
// belong to the producer between "claimed" and "produced" and to the consumer between
// "produced" and "consumed" (the counters, under the mutex, hand them over).
struct Ring {
    std::mutex mutex;
    std::condition_variable spaceFree; // the producer waits for a consumed slot
    std::condition_variable dataReady; // the consumer waits for a produced slot
    std::uint64_t produced = 0;
    std::uint64_t consumed = 0;
    bool finished = false; // the producer delivered its last chunk or failed
    bool stop = false;     // the consumer gave up, or the pipeline is over
    std::optional<Error> error;   // the producer's
    std::exception_ptr exception; // what the producer threw
    std::array<Slot, detail::kPipelineSlots> slots;
    std::array<Chunk, detail::kPipelineSlots> chunks;
};

// What fill() read into a buffer.
struct Filled {
    std::size_t bytes = 0;
    bool end = false; // the source has no more
};

// A short read of at least this much is passed on at once instead of filling the whole buffer:
// a pipe or a socket hands out what it has, and that should reach the sink without waiting
// for a full buffer; a trickle of tiny reads is still gathered into hand-overs this large.
constexpr std::size_t kPassOnAtLeast = 64 * 1024;

// Reads into slot.buffer() from `offset` until it is full, the source ends, or a short read
// brought at least kPassOnAtLeast. Tells the slot how far it was written, all of it when a
// read fails or throws (the source may have written more than it could report).
Result<Filled> fill(ByteSource& in, Slot& slot, std::size_t offset)
{
    const auto buffer = slot.buffer();
    slot.touched(offset);
    std::size_t done = offset;
    while (done < buffer.size()) {
        const std::size_t asked = buffer.size() - done;
        Result<std::size_t> n = [&] {
            try {
                return in.read(buffer.subspan(done));
            } catch (...) {
                slot.touched(buffer.size());
                throw;
            }
        }();
        if (!n) {
            slot.touched(buffer.size());
            return std::unexpected(n.error());
        }
        if (*n == 0) return Filled{done - offset, true};
        if (*n > asked) {
            slot.touched(buffer.size());
            return fail(ErrorCode::Internal, "the input claimed more bytes than it was asked for");
        }
        done += *n;
        slot.touched(done);
        if (*n < asked && done - offset >= kPassOnAtLeast) break;
    }
    return Filled{done - offset, false};
}

template <typename Produce>
void runProducer(Ring& ring, Produce& produce) noexcept
{
    try {
        for (;;) {
            std::size_t index = 0;
            {
                std::unique_lock lock(ring.mutex);
                ring.spaceFree.wait(lock, [&] { return ring.stop || ring.produced - ring.consumed < ring.slots.size(); });
                if (ring.stop) break;
                index = static_cast<std::size_t>(ring.produced % ring.slots.size());
            }
            Result<Chunk> chunk = produce(ring.slots[index]);
            {
                std::lock_guard lock(ring.mutex);
                if (chunk) {
                    ring.chunks[index] = *chunk;
                    ++ring.produced;
                    ring.finished = chunk->last;
                } else {
                    ring.error = std::move(chunk.error());
                    ring.finished = true;
                }
            }
            ring.dataReady.notify_one();
            if (!chunk || chunk->last) break;
        }
    } catch (...) {
        // Carried over to the calling thread, which throws it there (as a single-threaded
        // encryptFile() would have). Only `produce` can throw: the locks do not in practice, and
        // one that did here would find nothing sane left to do (noexcept: std::terminate).
        std::exception_ptr exception = std::current_exception();
        {
            std::lock_guard lock(ring.mutex);
            ring.exception = std::move(exception);
            ring.finished = true;
        }
        ring.dataReady.notify_one();
    }
    // libcrypto's per-thread state (its error queue) goes with the thread, now.
    OPENSSL_thread_stop();
}

// Runs produce(Slot&) -> Result<Chunk> and consume(std::span<std::uint8_t>) -> Result<void>
// over the whole input, as described above. Returns the first error of either.
template <typename Produce, typename Consume>
Result<void> pipeline(Produce produce, Consume consume)
{
    auto ring = std::make_unique<Ring>();

    // The first chunk, here: if it is the last one no thread is needed.
    auto first = produce(ring->slots[0]);
    if (!first) return std::unexpected(first.error());
    auto sequential = [&](Chunk chunk) -> Result<void> {
        Slot& slot = ring->slots[0];
        for (;;) {
            if (chunk.length > 0) {
                if (auto ok = consume(slot.buffer().first(chunk.length)); !ok) return ok;
            }
            if (chunk.last) return {};
            auto next = produce(slot);
            if (!next) return std::unexpected(next.error());
            chunk = *next;
        }
    };
    if (first->last) return sequential(*first);

    ring->chunks[0] = *first;
    ring->produced = 1;

    // Declared after `ring`, so it is destroyed first: stops and joins the worker on every
    // way out of this function, exceptions from `consume` included.
    struct Worker {
        Ring& ring;
        std::thread thread;
        ~Worker()
        {
            if (!thread.joinable()) return;
            {
                std::lock_guard lock(ring.mutex);
                ring.stop = true;
            }
            ring.spaceFree.notify_one();
            thread.join();
        }
    } worker{*ring, {}};
    try {
        worker.thread = std::thread([&ring = *ring, &produce] { runProducer(ring, produce); });
    } catch (const std::system_error&) {
        return sequential(*first); // no thread to be had: the same work, one step after the other
    }

    for (;;) {
        std::size_t index = 0;
        Chunk chunk;
        {
            std::unique_lock lock(ring->mutex);
            ring->dataReady.wait(lock, [&] { return ring->consumed < ring->produced || ring->finished; });
            if (ring->exception) {
                const std::exception_ptr exception = ring->exception;
                lock.unlock();
                std::rethrow_exception(exception); // `worker` joins the thread on the way out
            }
            if (ring->error) return std::unexpected(std::move(*ring->error));
            if (ring->consumed == ring->produced) return {}; // finished, and everything consumed
            index = static_cast<std::size_t>(ring->consumed % ring->slots.size());
            chunk = ring->chunks[index];
        }
        if (chunk.length > 0) {
            if (auto ok = consume(ring->slots[index].buffer().first(chunk.length)); !ok) return ok;
        }
        {
            std::lock_guard lock(ring->mutex);
            ++ring->consumed;
        }
        ring->spaceFree.notify_one();
        if (chunk.last) return {};
    }
}

// Runs the cipher over `data` in place (AES-GCM allows it).
Result<void> cipherInPlace(EVP_CIPHER_CTX* ctx, std::span<std::uint8_t> data)
{
    if (data.empty()) return {};
    int written = 0;
    if (EVP_CipherUpdate(ctx, data.data(), &written, data.data(), static_cast<int>(data.size())) != 1 ||
        static_cast<std::size_t>(written) != data.size()) {
        return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
    }
    return {};
}

} // namespace

Result<FileKey> FileKey::generate()
{
    auto key = randomBytes(kFileKeySize);
    if (!key) return std::unexpected(key.error());
    auto nonce = randomBytes(kFileNonceSize);
    if (!nonce) return std::unexpected(nonce.error());
    return FileKey(std::move(*key), Bytes(nonce->begin(), nonce->end()));
}

Result<FileKey> FileKey::fromCallerSupplied(ByteView key, ByteView nonce)
{
    if (key.size() != kFileKeySize) {
        return fail(ErrorCode::MalformedInput, "a file key has 16 bytes, this one has " + std::to_string(key.size()));
    }
    if (nonce.size() != 12 && nonce.size() != 16) {
        return fail(ErrorCode::MalformedInput,
                    "a file nonce has 16 (or 12) bytes, this one has " + std::to_string(nonce.size()));
    }
    return FileKey(toSecure(key), Bytes(nonce.begin(), nonce.end()));
}

Result<EncryptedFile> encryptFile(FileKey fileKey, ByteSource& in, ByteSink& out)
{
    if (fileKey.m_key.empty()) return fail(ErrorCode::Internal, "this file key was already used");
    EncryptedFile result{std::move(fileKey.m_key), std::move(fileKey.m_nonce), {}, 0};
    auto ctx = startGcm(result.key, result.nonce, true);
    if (!ctx) return std::unexpected(ctx.error());

    // Worker: read and encrypt in place. Caller: write the ciphertext.
    std::uint64_t plaintextSize = 0; // the worker's until the pipeline is over
    // (Measured: this split beats reading alone on the worker and encrypting with the writes,
    // as writing a file costs the kernel more than reading a cached one.)
    auto produce = [&](Slot& slot) -> Result<Chunk> {
        auto filled = fill(in, slot, 0);
        if (!filled) return std::unexpected(filled.error());
        const auto plaintext = slot.buffer().first(filled->bytes);
        if (auto ok = cipherInPlace(ctx->get(), plaintext); !ok) return std::unexpected(ok.error());
        plaintextSize += plaintext.size();
        return Chunk{plaintext.size(), filled->end};
    };
    auto consume = [&](std::span<std::uint8_t> ciphertext) { return out.write(ciphertext); };
    if (auto ok = pipeline(produce, consume); !ok) return std::unexpected(ok.error());
    result.plaintextSize = plaintextSize;

    std::array<std::uint8_t, 16> none{}; // GCM's final step outputs nothing
    int written = 0;
    result.tag.resize(kGcmTagSize);
    if (EVP_EncryptFinal_ex(ctx->get(), none.data(), &written) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, result.tag.data()) != 1) {
        return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
    }
    if (auto ok = out.write(result.tag); !ok) return std::unexpected(ok.error());
    return result;
}

namespace {

Result<std::uint64_t> decryptInto(ByteView key, ByteView nonce, std::optional<ByteView> expectedTag, ByteSource& in,
                                  ByteSink& out)
{
    if (expectedTag && expectedTag->size() != kGcmTagSize) {
        return fail(ErrorCode::MalformedInput,
                    "an authentication tag has 16 bytes, this one has " + std::to_string(expectedTag->size()));
    }
    auto ctx = startGcm(key, nonce, false);
    if (!ctx) return std::unexpected(ctx.error());

    // Worker: read and decrypt in place. Caller: write the (still unauthenticated) plaintext.
    // The last 16 bytes read so far may be the tag, so they are held back: each buffer starts
    // with the bytes the previous one held back, and holds back its own last 16.
    std::array<std::uint8_t, kGcmTagSize> carry{};
    std::size_t held = 0;
    std::uint64_t total = 0;
    auto produce = [&](Slot& slot) -> Result<Chunk> {
        const auto buffer = slot.buffer();
        std::copy_n(carry.begin(), held, buffer.begin());
        auto filled = fill(in, slot, held);
        if (!filled) return std::unexpected(filled.error());
        const std::size_t size = held + filled->bytes;
        const bool last = filled->end;
        if (size <= kGcmTagSize) {
            std::copy_n(buffer.begin(), size, carry.begin());
            held = size;
            return Chunk{0, last};
        }
        const std::size_t ready = size - kGcmTagSize;
        std::copy_n(buffer.begin() + static_cast<std::ptrdiff_t>(ready), kGcmTagSize, carry.begin());
        held = kGcmTagSize;
        if (auto ok = cipherInPlace(ctx->get(), buffer.first(ready)); !ok) return std::unexpected(ok.error());
        total += ready;
        return Chunk{ready, last};
    };
    auto consume = [&](std::span<std::uint8_t> plaintext) { return out.write(plaintext); };
    if (auto ok = pipeline(produce, consume); !ok) return std::unexpected(ok.error());

    std::array<std::uint8_t, kGcmTagSize> tag{};
    const ByteView tail = ByteView(carry).first(held);
    WipedBuffer plain(kGcmTagSize);
    if (expectedTag && !(held == kGcmTagSize && equalConstantTime(tail, *expectedTag))) {
        // No trailing copy of the tag: the held bytes are ciphertext, the metadata's tag decides.
        if (auto ok = update(ctx->get(), tail, plain.data, out); !ok) return std::unexpected(ok.error());
        total += held;
        std::copy(expectedTag->begin(), expectedTag->end(), tag.begin());
    } else if (held == kGcmTagSize) {
        std::copy(tail.begin(), tail.end(), tag.begin());
    } else {
        return fail(ErrorCode::MalformedInput, "the encrypted data is too short to hold an authentication tag");
    }
    int written = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx->get(), plain.data.data(), &written) != 1) {
        detail::takeOpensslError();
        return fail(ErrorCode::DecryptionFailed,
                    "the authentication tag does not verify: wrong key or nonce, or the data was tampered with");
    }
    return total;
}

} // namespace

Result<std::uint64_t> decryptFile(ByteView key, ByteView nonce, std::optional<ByteView> expectedTag, ByteSource& in,
                                  AuthenticatedSink& out)
{
    auto result = [&] {
        try {
            return decryptInto(key, nonce, expectedTag, in, out);
        } catch (...) {
            out.discard(); // a source or sink that threw: nothing written may be used
            throw;
        }
    }();
    if (!result) {
        out.discard();
        return result;
    }
    if (auto ok = out.commit(); !ok) {
        out.discard();
        return std::unexpected(ok.error());
    }
    return result;
}

Result<SecureBytes> decryptBlob(ByteView key, ByteView nonce, std::optional<ByteView> expectedTag, ByteView blob)
{
    MemorySource source(blob);
    SecureBufferSink sink;
    if (auto ok = decryptFile(key, nonce, expectedTag, source, sink); !ok) return std::unexpected(ok.error());
    return sink.take();
}

namespace {
class BytesSink final : public ByteSink {
public:
    explicit BytesSink(Bytes& out) : m_out(out) {}
    Result<void> write(ByteView data) override
    {
        m_out.insert(m_out.end(), data.begin(), data.end());
        return {};
    }

private:
    Bytes& m_out;
};

Result<Bytes> encryptWith(ByteView key, ByteView nonce, ByteView plaintext)
{
    auto ctx = startGcm(key, nonce, true);
    if (!ctx) return std::unexpected(ctx.error());
    Bytes out;
    out.reserve(plaintext.size() + kGcmTagSize);
    BytesSink sink(out);
    WipedBuffer scratch(std::min(plaintext.size(), kChunk) + 1);
    for (std::size_t offset = 0; offset < plaintext.size(); offset += kChunk) {
        const auto piece = plaintext.subspan(offset, std::min(kChunk, plaintext.size() - offset));
        if (auto ok = update(ctx->get(), piece, scratch.data, sink); !ok) return std::unexpected(ok.error());
    }
    int written = 0;
    std::array<std::uint8_t, kGcmTagSize> tag{};
    if (EVP_EncryptFinal_ex(ctx->get(), scratch.data.data(), &written) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, tag.data()) != 1) {
        return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
    }
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
}
} // namespace

Result<SealedBox> seal(ByteView key, std::size_t nonceSize, ByteView plaintext)
{
    auto nonce = randomBytes(nonceSize);
    if (!nonce) return std::unexpected(nonce.error());
    auto sealed = encryptWith(key, *nonce, plaintext);
    if (!sealed) return std::unexpected(sealed.error());
    return SealedBox{Bytes(nonce->begin(), nonce->end()), std::move(*sealed)};
}

Result<Bytes> detail::aesGcmEncryptForTest(ByteView key, ByteView nonce, ByteView plaintext)
{
    return encryptWith(key, nonce, plaintext);
}

} // namespace nubo::e2ee
