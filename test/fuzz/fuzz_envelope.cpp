// The private key envelope string the server stores (`ct|iv|salt`, the old `fA==` separator,
// or JSON). Only parsing: unwrapping runs PBKDF2 with 600 000 iterations per attempt.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "private_key_envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nubo::e2ee;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto envelope = PrivateKeyEnvelope::parse(text);
    if (!envelope) return 0;
    // A parsed envelope must survive a round trip through its server string.
    auto again = PrivateKeyEnvelope::parse(envelope->toServerString());
    if (!again || again->ciphertextAndTag != envelope->ciphertextAndTag || again->iv != envelope->iv ||
        again->salt != envelope->salt) {
        __builtin_trap();
    }
    return 0;
}
