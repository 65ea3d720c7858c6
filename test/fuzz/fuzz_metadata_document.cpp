// The outer metadata document (or an OCS reply holding it) as a hostile server sends it:
// parse, canonical signing bytes, re-serialisation, and decryption under a fixed key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nubo::e2ee;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto document = parseMetadataDocument(text);
    if (!document) return 0;
    (void)document->versionNumber();
    (void)metadataSigningBytes(*document);
    (void)serializeMetadataDocument(*document);
    auto metadata = decryptFolderMetadata(*document, nubo::fuzz::metadataKey());
    if (metadata) (void)toJson(*metadata);
    return 0;
}
