// Shared fixtures for the libFuzzer targets.
#pragma once

#include <array>
#include <cstdint>

#include "secure_bytes.h"

namespace nubo::fuzz {

// The metadata key of test/data/metadata-v2-alice-bob.json ("metadataKey_b64"), so that the
// seed documents decrypt and mutations that keep the ciphertext reach the inner document.
inline constexpr std::array<std::uint8_t, 16> kMetadataKey{0xdb, 0x5f, 0xf3, 0x31, 0xf5, 0xa8, 0x99, 0x68,
                                                           0xa2, 0xe9, 0x17, 0x1f, 0x08, 0xd3, 0x56, 0xd6};

inline e2ee::ByteView metadataKey()
{
    return {kMetadataKey.data(), kMetadataKey.size()};
}

} // namespace nubo::fuzz
