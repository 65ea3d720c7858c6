// Errors are values: every fallible function returns Result<T>, and the
// message says what failed in words a user can act on.
#pragma once

#include <expected>
#include <string>

namespace nubo::e2ee {

enum class ErrorCode {
    MalformedInput,     // not base64, not JSON, wrong lengths, not gzip, oversized
    DecryptionFailed,   // a GCM tag or RSA decryption did not verify: wrong key or tampered data
    VerificationFailed, // a signature, certificate or trust check failed
    WrongMnemonic,      // the mnemonic does not open the private key
    UnknownWord,        // a mnemonic word is not in the BIP-39 list
    Io,                 // a caller-supplied stream failed
    Internal,           // OpenSSL or zlib failed in a way input cannot explain
};

struct Error {
    ErrorCode code;
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message)
{
    return std::unexpected(Error{code, std::move(message)});
}

} // namespace nubo::e2ee
