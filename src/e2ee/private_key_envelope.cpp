#include "private_key_envelope.h"

#include <array>
#include <vector>

#include <nlohmann/json.hpp>

#include "encoding.h"
#include "file_cipher.h"
#include "mnemonic.h"

namespace nubo::e2ee {

namespace {
constexpr std::size_t kSaltSize = 40;
constexpr std::size_t kIvSize = 12;
constexpr std::size_t kMaxEnvelopeSize = 256 * 1024; // an RSA-8192 key is about 9 KiB here
constexpr std::array kReadOrder{KdfVariant::Sha256x600000, KdfVariant::Sha1x600000, KdfVariant::Sha1x1024};

std::vector<std::string_view> split(std::string_view text, std::string_view separator)
{
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t at = text.find(separator, start);
        parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) return parts;
        start = at + separator.size();
    }
}

Result<PrivateKeyEnvelope> fromParts(std::string_view ct, std::string_view iv, std::string_view salt)
{
    auto c = base64Decode(ct);
    auto i = base64Decode(iv);
    auto s = base64Decode(salt);
    if (!c || !i || !s) return fail(ErrorCode::MalformedInput, "the private key envelope is not valid base64");
    if (i->size() != 12 && i->size() != 16) {
        return fail(ErrorCode::MalformedInput,
                    "the private key envelope's IV has " + std::to_string(i->size()) + " bytes, expected 12 or 16");
    }
    if (s->empty()) return fail(ErrorCode::MalformedInput, "the private key envelope has an empty salt");
    if (c->size() <= kGcmTagSize) return fail(ErrorCode::MalformedInput, "the private key envelope is too short");
    return PrivateKeyEnvelope{Bytes(c->begin(), c->end()), Bytes(i->begin(), i->end()), Bytes(s->begin(), s->end())};
}

// Old writers separated with "fA==" (base64 of "|"), which can also end a base64 field; try
// every way of cutting the string into three fields until one decodes.
Result<PrivateKeyEnvelope> parseOldSeparator(std::string_view text)
{
    const auto pieces = split(text, "fA==");
    if (pieces.size() > 8) return fail(ErrorCode::MalformedInput, "the private key envelope has too many fields");
    const auto join = [&](std::size_t from, std::size_t to) {
        std::string out;
        for (std::size_t k = from; k < to; ++k) {
            if (k > from) out += "fA==";
            out += pieces[k];
        }
        return out;
    };
    for (std::size_t a = 1; a + 1 < pieces.size(); ++a) {
        for (std::size_t b = a + 1; b < pieces.size(); ++b) {
            auto envelope = fromParts(join(0, a), join(a, b), join(b, pieces.size()));
            if (envelope) return envelope;
        }
    }
    return fail(ErrorCode::MalformedInput,
                "the private key envelope is not \"ciphertext|iv|salt\" in base64, nor JSON with "
                "encryptedPrivateKey, iv and salt");
}
} // namespace

std::string_view kdfVariantName(KdfVariant variant)
{
    switch (variant) {
    case KdfVariant::Sha256x600000: return "PBKDF2-HMAC-SHA256, 600000 iterations";
    case KdfVariant::Sha1x600000: return "PBKDF2-HMAC-SHA1, 600000 iterations";
    case KdfVariant::Sha1x1024: return "PBKDF2-HMAC-SHA1, 1024 iterations";
    }
    return "unknown";
}

std::string PrivateKeyEnvelope::toServerString() const
{
    return base64Encode(ciphertextAndTag) + "|" + base64Encode(iv) + "|" + base64Encode(salt);
}

Result<PrivateKeyEnvelope> PrivateKeyEnvelope::parse(std::string_view text)
{
    if (text.size() > kMaxEnvelopeSize) {
        return fail(ErrorCode::MalformedInput,
                    "the private key envelope is larger than " + std::to_string(kMaxEnvelopeSize) + " bytes");
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    while (!text.empty() && (text.front() == '\n' || text.front() == '\r' || text.front() == ' '))
        text.remove_prefix(1);
    if (text.starts_with("{")) {
        const auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_discarded() || !json.is_object()) {
            return fail(ErrorCode::MalformedInput, "the private key envelope is not valid JSON");
        }
        const auto field = [&](const char* name) -> std::string {
            const auto it = json.find(name);
            return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        const std::string ct = field("encryptedPrivateKey"), iv = field("iv"), salt = field("salt");
        if (ct.empty() || iv.empty() || salt.empty()) {
            return fail(ErrorCode::MalformedInput,
                        "the private key envelope JSON needs string fields encryptedPrivateKey, iv and salt");
        }
        // The ciphertext field may itself be a full server string.
        if (ct.find('|') != std::string::npos) return parse(ct);
        return fromParts(ct, iv, salt);
    }
    const auto parts = split(text, "|");
    if (parts.size() == 3) return fromParts(parts[0], parts[1], parts[2]);
    if (parts.size() == 1) return parseOldSeparator(text);
    return fail(ErrorCode::MalformedInput, "the private key envelope has " + std::to_string(parts.size()) +
                                               " fields separated by '|', expected 3 (ciphertext|iv|salt)");
}

Result<SecureBytes> pbkdf2(const EVP_MD* digest, unsigned iterations, std::string_view password, ByteView salt,
                           std::size_t size)
{
    SecureBytes out(size);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), digest, static_cast<int>(size),
                          out.data()) != 1) {
        return fail(ErrorCode::Internal, "PBKDF2 failed: " + detail::takeOpensslError());
    }
    return out;
}

Result<SecureBytes> pbkdf2(KdfVariant variant, std::string_view password, ByteView salt, std::size_t size)
{
    switch (variant) {
    case KdfVariant::Sha256x600000: return pbkdf2(EVP_sha256(), 600000, password, salt, size);
    case KdfVariant::Sha1x600000: return pbkdf2(EVP_sha1(), 600000, password, salt, size);
    case KdfVariant::Sha1x1024: return pbkdf2(EVP_sha1(), 1024, password, salt, size);
    }
    return fail(ErrorCode::Internal, "unknown KDF variant");
}

Result<PrivateKeyEnvelope> wrapPrivateKey(const PrivateKey& key, std::string_view mnemonic)
{
    auto normalized = parseMnemonic(mnemonic);
    if (!normalized) return std::unexpected(normalized.error());
    auto salt = randomBytes(kSaltSize);
    if (!salt) return std::unexpected(salt.error());
    auto derived = pbkdf2(KdfVariant::Sha256x600000, mnemonicPassword(*normalized), *salt);
    if (!derived) return std::unexpected(derived.error());
    const SecureString pem = key.toPkcs8Pem();
    std::string plaintext = base64Encode(asBytes(pem));
    auto sealed = seal(*derived, kIvSize, asBytes(plaintext));
    secureWipe(plaintext.data(), plaintext.size());
    if (!sealed) return std::unexpected(sealed.error());
    return PrivateKeyEnvelope{std::move(sealed->ciphertextAndTag), std::move(sealed->nonce),
                              Bytes(salt->begin(), salt->end())};
}

Result<UnwrappedKey> unwrapPrivateKey(const PrivateKeyEnvelope& envelope, std::string_view mnemonic)
{
    auto normalized = parseMnemonic(mnemonic);
    if (!normalized) return std::unexpected(normalized.error());
    const SecureString password = mnemonicPassword(*normalized);
    for (const KdfVariant variant : kReadOrder) {
        auto derived = pbkdf2(variant, password, envelope.salt);
        if (!derived) return std::unexpected(derived.error());
        auto plaintext = decryptBlob(*derived, envelope.iv, std::nullopt, envelope.ciphertextAndTag);
        if (!plaintext) continue;
        const std::string_view text = asChars(*plaintext);
        // Writers store base64(PEM); accept a bare PEM too.
        Result<SecureBytes> pem = text.starts_with("-----BEGIN") ? Result<SecureBytes>(*plaintext) : base64Decode(text);
        if (!pem) {
            return fail(ErrorCode::MalformedInput, "the mnemonic opened the envelope, but it does not hold a key");
        }
        auto key = PrivateKey::fromPem(asChars(*pem));
        if (!key) {
            return fail(ErrorCode::MalformedInput,
                        "the mnemonic opened the envelope, but it does not hold a key: " + key.error().message);
        }
        return UnwrappedKey{std::move(*key), variant};
    }
    return fail(ErrorCode::WrongMnemonic,
                "wrong mnemonic: it does not open this private key (tried PBKDF2 SHA-256/600000, SHA-1/600000 and "
                "SHA-1/1024)");
}

} // namespace nubo::e2ee
