// Base64, hex, SHA-256 and the CSPRNG: the small primitives everything else uses.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "error.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

std::string base64Encode(ByteView data);
// Standard alphabet. Line breaks and surrounding whitespace are ignored, missing
// padding is tolerated; any other character is an error naming its position.
Result<SecureBytes> base64Decode(std::string_view text);

std::string hexEncode(ByteView data);

SecureBytes sha256(ByteView data);
std::string sha256Hex(ByteView data);

// A digest of content as it passes, in constant memory: the sync engine's content checksums.
// OpenSSL's, which uses the CPU's SHA instructions (QCryptographicHash's SHA-1 took half of a
// download's CPU time).
class StreamDigest {
public:
    enum class Kind { Sha1, Md5, Sha256 };
    explicit StreamDigest(Kind kind);
    StreamDigest(StreamDigest&&) noexcept;
    StreamDigest& operator=(StreamDigest&&) noexcept;
    ~StreamDigest();

    void update(const void* data, std::size_t size);
    // Lower-case hex of the digest; ends it. An error when OpenSSL refused at any step.
    Result<std::string> hex();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// Bytes from OpenSSL's CSPRNG; fails only if the generator cannot be seeded.
Result<SecureBytes> randomBytes(std::size_t count);
// A uniformly distributed integer in [0, bound), by rejection sampling (no modulo bias).
Result<std::uint32_t> randomBelow(std::uint32_t bound);

} // namespace nubo::e2ee
