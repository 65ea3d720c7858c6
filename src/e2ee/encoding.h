// Base64, hex, SHA-256 and the CSPRNG: the small primitives everything else uses.
#pragma once

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

// Bytes from OpenSSL's CSPRNG; fails only if the generator cannot be seeded.
Result<SecureBytes> randomBytes(std::size_t count);
// A uniformly distributed integer in [0, bound), by rejection sampling (no modulo bias).
Result<std::uint32_t> randomBelow(std::uint32_t bound);

} // namespace nubo::e2ee
