// Folder metadata 1.0, 1.1 and 1.2 (PROTOCOL.md §4.9), as the official clients wrote it before
// 2.0: read only, into the 2.0 model, so that a folder can be migrated to 2.0 on its first write.
// Nothing in Nubo writes 1.x.
//
// 1.x has no signature, no counter and no key checksums: anyone can wrap a metadata key to a
// user's public key and write a document this reader opens. What it reads is unauthenticated;
// verifyFolder() (trust.h) says so in a warning and refuses it for a folder seen at 2.0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "keys.h"
#include "metadata.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

// At most this many RSA decryptions per document (the 1.0 "metadataKeys", and one per file-drop
// entry): each costs about a millisecond, and a 16 MiB document could otherwise ask for tens of
// thousands. Real documents hold one metadata key and a handful of dropped files.
inline constexpr std::size_t kMaxLegacyKeyUnwraps = 2048;

// Whether versionNumber() (metadata.h) is one of 1.x: 10, 11 or 12.
constexpr bool isLegacyMetadataVersion(int versionNumber)
{
    return versionNumber >= 10 && versionNumber < 20;
}

// What the 1.2 "checksum" was found to be.
enum class LegacyChecksum {
    NotWritten,           // 1.0 and 1.1 have none
    Matches,              // it matches the mnemonic given
    MatchesEmptyMnemonic, // it matches an empty mnemonic: its writer had no mnemonic loaded
    NotCheckedNoMnemonic, // no mnemonic was given, and it does not match an empty one
};

// How the metadata keys of a 1.x document are opened: with the reader's private key, or (offline
// tools) with the raw metadata key, which then opens every entry; file-drop entries, whose keys
// are wrapped to the private key, then need the private key too.
struct LegacyKeys {
    const PrivateKey* privateKey = nullptr;
    std::optional<ByteView> metadataKey;
};

// A 1.x document, decrypted into the 2.0 model.
struct LegacyFolder {
    // counter 0 and no keyChecksums (1.x has neither); sub-folders (mimetype
    // "httpd/unix-directory" in "files") in `folders`; file-drop entries merged into `files`, as
    // the official desktop client does. Ids named twice (in "files" and "filedrop", or a folder
    // also listed as a file) are in duplicateIds, for the trust checks to refuse.
    FolderMetadata metadata;
    // The folder's metadata key: 1.1 and 1.2 have one; for 1.0 the one of the highest index that
    // opens (the desktop client's choice; entries are opened with whichever of them fits). A
    // writer never reuses it (trust.h says why).
    SecureBytes metadataKey;
    LegacyChecksum checksum = LegacyChecksum::NotWritten;
    std::size_t filedropEntries = 0;
    // One message per JSON key named twice inside an entry's encrypted part ("filename" twice:
    // readers keep either one), escaped; verifyFolder() refuses such a document.
    std::vector<std::string> duplicateKeys;
};

// Decrypts a 1.x document read by parseMetadataDocument() (isLegacyMetadataVersion()). Each
// entry's "encrypted" part is opened with the metadata key (1.0: the entry's "metadataKey" index
// first, then every other key), a file-drop entry's with its own "encryptedKey". `mnemonic` (the
// user's words, any spacing or case) checks the 1.2 checksum; a mismatch with it, and with an
// empty mnemonic, is a VerificationFailed error. Errors: MalformedInput for the layout,
// DecryptionFailed for a key or an entry that does not decrypt (wrong key, or tampered).
// Names, ids and key material sizes are checked by verifyFolder(), as for 2.0.
Result<LegacyFolder> decryptLegacyFolderMetadata(const MetadataDocument& document, const LegacyKeys& keys,
                                                 std::optional<std::string_view> mnemonic = std::nullopt);

// The 1.2 checksum: lowercase hex SHA-256 of the mnemonic without spaces, then every id of
// "files" in ascending order, then the wrapped metadata key exactly as stored.
std::string legacyMetadataChecksum(std::string_view mnemonicWithoutSpaces, const std::vector<std::string>& sortedIds,
                                   std::string_view wrappedMetadataKey);

} // namespace nubo::e2ee
