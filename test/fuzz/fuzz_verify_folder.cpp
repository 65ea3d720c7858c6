// The whole trust check (PROTOCOL.md §4.7) on hostile input: the metadata is the input up to
// its first 0xFF byte (never part of valid UTF-8 JSON), the signature is what follows it.
// Fixed: the pinned server key (test/data/server-key.pem) and the metadata key of
// test/data/metadata-v2-alice-bob.json, so the seed passes every check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "fuzz_common.h"
#include "keys.h"
#include "trust.h"

namespace {

constexpr std::string_view kServerKeyPem = R"(
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtboSMvdYY7J6pF8nrNrc
pQUi4j4nTvU8y278r6epF37WY73oqUtNjdNVt33s5BmO9yGV81fTSxXF2/Cmt8ds
OrFG0I/Y1NtqrGXExghjmsZ33u7UrRnikyM3h9KMehmgUILX5Q/PM1TwQQtCV3pV
WiQZ6UL8ha0Zbt81BCBZ/dVSxGYeRaakFSjHNbktINpkNT3SCBvDdndTJXAed0zS
W156suV1iA+c6YThbpIVJu+DHZfLucuY3Gmd/dZuz6g7SPvh0wLr17o5pw3CD+3z
edt1kiwSQTZcFad5DbpGgkOhqhVdaQVRYBj6Z9bG5z4zbSGPM2i++SxBJNYuiAg8
9QIDAQAB
-----END PUBLIC KEY-----
)";

const nubo::e2ee::PublicKey& serverKey()
{
    static const nubo::e2ee::PublicKey key = [] {
        auto parsed = nubo::e2ee::PublicKey::fromPem(kServerKeyPem);
        if (!parsed) std::abort();
        return std::move(*parsed);
    }();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nubo::e2ee;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = input.find('\xff');

    TrustRequest request;
    request.metadata = input.substr(0, split);
    if (split != std::string_view::npos) request.signature = ByteView(data + split + 1, size - split - 1);
    request.serverKey = &serverKey();
    request.metadataKey = nubo::fuzz::metadataKey();

    auto verified = verifyFolder(request);
    if (verified) {
        (void)toJson(verified->metadata);
    } else {
        (void)trustCheckName(verified.error().check);
    }
    return 0;
}
