#include "encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ossl.h"

namespace nubo::e2ee {

void secureWipe(void* data, std::size_t size) noexcept
{
    if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

bool equalConstantTime(ByteView a, ByteView b) noexcept
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64Encode(ByteView data)
{
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

namespace {
bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
} // namespace

Result<SecureBytes> base64Decode(std::string_view text)
{
    SecureString clean;
    clean.reserve(text.size() + 3);
    std::size_t padding = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (isSpace(c)) continue;
        if (c == '=') {
            ++padding;
        } else if (!isBase64Char(c) || padding > 0) {
            return fail(ErrorCode::MalformedInput,
                        "invalid base64: unexpected character at offset " + std::to_string(i));
        }
        clean.push_back(c);
    }
    if (padding > 2) return fail(ErrorCode::MalformedInput, "invalid base64: too much padding");
    if (clean.size() % 4 == 1) return fail(ErrorCode::MalformedInput, "invalid base64: truncated input");
    if (padding == 0) {
        while (clean.size() % 4 != 0) {
            clean.push_back('=');
            ++padding;
        }
    } else if (clean.size() % 4 != 0) {
        return fail(ErrorCode::MalformedInput, "invalid base64: padding in the wrong place");
    }
    SecureBytes out(clean.size() / 4 * 3);
    const int written = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                        static_cast<int>(clean.size()));
    if (written < 0) return fail(ErrorCode::MalformedInput, "invalid base64");
    out.resize(static_cast<std::size_t>(written) - padding);
    return out;
}

std::string hexEncode(ByteView data)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

SecureBytes sha256(ByteView data)
{
    SecureBytes out(32);
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr);
    return out;
}

std::string sha256Hex(ByteView data)
{
    return hexEncode(sha256(data));
}

Result<SecureBytes> randomBytes(std::size_t count)
{
    SecureBytes out(count);
    if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
        return fail(ErrorCode::Internal, "the random number generator failed: " + detail::takeOpensslError());
    }
    return out;
}

Result<std::uint32_t> randomBelow(std::uint32_t bound)
{
    if (bound == 0) return fail(ErrorCode::Internal, "randomBelow(0)");
    // Largest multiple of bound that fits; values at or above it are redrawn.
    const std::uint64_t range = std::uint64_t{1} << 32;
    const std::uint64_t limit = range - range % bound;
    for (;;) {
        auto raw = randomBytes(4);
        if (!raw) return std::unexpected(raw.error());
        const std::uint64_t value = (std::uint64_t{(*raw)[0]} << 24) | (std::uint64_t{(*raw)[1]} << 16) |
                                    (std::uint64_t{(*raw)[2]} << 8) | std::uint64_t{(*raw)[3]};
        if (value < limit) return static_cast<std::uint32_t>(value % bound);
    }
}


struct StreamDigest::State {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    bool ok = false;
};

StreamDigest::StreamDigest(Kind kind) : m_state(std::make_unique<State>())
{
    const EVP_MD* md = kind == Kind::Sha1 ? EVP_sha1() : kind == Kind::Md5 ? EVP_md5() : EVP_sha256();
    m_state->ok = m_state->ctx && EVP_DigestInit_ex(m_state->ctx.get(), md, nullptr) == 1;
}

StreamDigest::StreamDigest(StreamDigest&&) noexcept = default;
StreamDigest& StreamDigest::operator=(StreamDigest&&) noexcept = default;
StreamDigest::~StreamDigest() = default;

void StreamDigest::update(const void* data, std::size_t size)
{
    m_state->ok = m_state->ok && EVP_DigestUpdate(m_state->ctx.get(), data, size) == 1;
}

Result<std::string> StreamDigest::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const bool ok = m_state->ok && EVP_DigestFinal_ex(m_state->ctx.get(), digest, &length) == 1;
    m_state->ok = false;
    if (!ok) return fail(ErrorCode::Internal, "computing a content checksum failed: OpenSSL refused");
    return hexEncode(ByteView(digest, length));
}

} // namespace nubo::e2ee
