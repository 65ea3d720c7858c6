// The mnemonic-protected private key that the server stores (PROTOCOL.md §4.3).
#pragma once

#include <string>
#include <string_view>

#include "error.h"
#include "keys.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

enum class KdfVariant {
    Sha256x600000, // what current clients write
    Sha1x600000,
    Sha1x1024, // older clients
};
std::string_view kdfVariantName(KdfVariant variant);

struct PrivateKeyEnvelope {
    Bytes ciphertextAndTag;
    Bytes iv;
    Bytes salt;

    // `base64(ct‖tag)|base64(iv)|base64(salt)`.
    std::string toServerString() const;
    // The server string (with `|` or the old `fA==` separator), or a JSON object with
    // "encryptedPrivateKey", "iv" and "salt" (the ciphertext may carry the tag or not).
    static Result<PrivateKeyEnvelope> parse(std::string_view text);
};

// Wraps with PBKDF2-HMAC-SHA256/600 000 over the mnemonic, a fresh 40-byte salt and 12-byte IV.
Result<PrivateKeyEnvelope> wrapPrivateKey(const PrivateKey& key, std::string_view mnemonic);

struct UnwrappedKey {
    PrivateKey key;
    KdfVariant variant;
};
// Tries every KDF variant writers have used; ErrorCode::WrongMnemonic when none opens it.
Result<UnwrappedKey> unwrapPrivateKey(const PrivateKeyEnvelope& envelope, std::string_view mnemonic);

// The raw derivation, exposed for known-answer tests and benchmarks.
Result<SecureBytes> pbkdf2(KdfVariant variant, std::string_view password, ByteView salt, std::size_t size = 32);
Result<SecureBytes> pbkdf2(const EVP_MD* digest, unsigned iterations, std::string_view password, ByteView salt,
                           std::size_t size);

} // namespace nubo::e2ee
