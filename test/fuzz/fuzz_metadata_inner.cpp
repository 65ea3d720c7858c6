// The decrypted inner document: the input is the plaintext (JSON, or gzip of it), sealed
// under a fixed metadata key so that it authenticates, then read back through the public
// decryptFolderMetadata(). Covers the gzip bomb cap, duplicate-id detection and JSON typing.
// What decrypts must also survive encryptFolderMetadata() and a second read unchanged.
#include <cstddef>
#include <cstdint>

#include "file_cipher.h"
#include "fuzz_common.h"
#include "metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nubo::e2ee;
    auto sealed = seal(nubo::fuzz::metadataKey(), kFileNonceSize, ByteView(data, size));
    if (!sealed) __builtin_trap(); // sealing a buffer under a valid key cannot fail

    MetadataDocument document;
    document.version = "2.0";
    document.nonce = sealed->nonce;
    document.authenticationTag.assign(sealed->ciphertextAndTag.end() - kGcmTagSize, sealed->ciphertextAndTag.end());
    document.ciphertext = std::move(sealed->ciphertextAndTag);

    auto metadata = decryptFolderMetadata(document, nubo::fuzz::metadataKey());
    if (!metadata) return 0;
    const auto json = toJson(*metadata);
    (void)json.dump();

    auto written = encryptFolderMetadata(*metadata, nubo::fuzz::metadataKey(), {});
    if (!written) __builtin_trap(); // names came from parsed JSON, so they are valid UTF-8
    auto reread = decryptFolderMetadata(*written, nubo::fuzz::metadataKey());
    if (!reread || toJson(*reread) != json) __builtin_trap();
    return 0;
}
