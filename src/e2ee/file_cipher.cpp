#include "file_cipher.h"

#include <algorithm>
#include <array>
#include <cstring>

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

    WipedBuffer plain(kChunk), cipher(kChunk);
    for (;;) {
        auto n = in.read(plain.data);
        if (!n) return std::unexpected(n.error());
        if (*n == 0) break;
        result.plaintextSize += *n;
        if (auto ok = update(ctx->get(), ByteView(plain.data).first(*n), cipher.data, out); !ok) {
            return std::unexpected(ok.error());
        }
    }
    int written = 0;
    result.tag.resize(kGcmTagSize);
    if (EVP_EncryptFinal_ex(ctx->get(), cipher.data.data(), &written) != 1 ||
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

    // The last 16 bytes read so far may be the tag, so they are held back until the next read.
    WipedBuffer input(kChunk + kGcmTagSize), plain(kChunk + kGcmTagSize);
    std::size_t held = 0;
    std::uint64_t total = 0;
    for (;;) {
        auto n = in.read(std::span(input.data).subspan(held, kChunk));
        if (!n) return std::unexpected(n.error());
        if (*n == 0) break;
        held += *n;
        if (held <= kGcmTagSize) continue;
        const std::size_t ready = held - kGcmTagSize;
        if (auto ok = update(ctx->get(), ByteView(input.data).first(ready), plain.data, out); !ok) {
            return std::unexpected(ok.error());
        }
        total += ready;
        std::memmove(input.data.data(), input.data.data() + ready, kGcmTagSize);
        held = kGcmTagSize;
    }

    std::array<std::uint8_t, kGcmTagSize> tag{};
    const ByteView tail = ByteView(input.data).first(held);
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
    auto result = decryptInto(key, nonce, expectedTag, in, out);
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
