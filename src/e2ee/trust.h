// What a reader checks before it trusts a folder's metadata (PROTOCOL.md §4.7), as one
// function: either the verified folder, or the first check that failed, by name.
#pragma once

#include <expected>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "item_name.h"
#include "keys.h"
#include "metadata.h"
#include "metadata_v1.h"

namespace nubo::e2ee {

enum class TrustCheck {
    Format,       // not a readable metadata document
    Version,      // unsupported, or lower than a version seen before (downgrade; 1.x after 2.x)
    Users,        // empty users, a user listed twice, this user missing, users on a nested folder
    Certificates, // not issued by the pinned server key, signed with MD5, CN ≠ userId, own certificate ≠ own key
    Signature,    // missing, empty, invalid, not SHA-256, or made by a certificate not in users
    Decryption,   // the metadata key or the metadata does not decrypt
    KeyChecksum,  // the metadata key's hash is not listed, or a hash seen before disappeared; 1.2: a wrong checksum
    Counter,      // lower than the highest counter seen before (rollback)
    KeyMaterial,  // empty or wrongly sized file key, nonce or tag
    Duplicates,   // an id or JSON key named twice, or two entries whose names are the same item on disk
    UnsafeName,   // a name item_name.h refuses, or an id that is not 32 lowercase hex
};
std::string_view trustCheckName(TrustCheck check);

// What this device remembers about a folder between runs; the caller persists it.
struct FolderHistory {
    std::optional<std::uint64_t> highestCounter;
    std::set<std::string> keyChecksums;
    int highestVersion = 0;
};

struct TrustFailure {
    TrustCheck check;
    std::string message; // one line; strings the server supplied are escaped (printableName)
};

class VerifiedFolder;

struct TrustRequest {
    std::string_view metadata;            // the outer document (or the OCS reply holding it)
    ByteView signature;                   // DER or base64
    const PublicKey* serverKey = nullptr; // the pinned server key
    // Who reads: the metadata key is opened from users[userId] with privateKey, and that
    // entry's certificate must match privateKey. Offline tools may pass metadataKey instead,
    // which must then be listed in keyChecksums like any other. 1.x metadata (PROTOCOL.md §4.9)
    // holds its own key wrapped to privateKey, nested or not; a metadataKey given for it is that
    // key, and opens every entry but file-drop ones (wrapped to privateKey).
    std::string_view userId;
    const PrivateKey* privateKey = nullptr;
    std::optional<ByteView> metadataKey;
    // The user's mnemonic, if this device has it (any spacing or case): 1.2 metadata carries a
    // checksum over it that only then can be checked. Unused for 2.x.
    std::optional<std::string_view> mnemonic;
    // For a nested folder: its verified top-level folder. Users, signers and the metadata key
    // come from there; a metadataKey given as well must be the same key. A 2.x folder below a
    // 1.x top-level folder is refused: 1.x lists no certificates to check its signature against.
    const VerifiedFolder* topLevel = nullptr;
    FolderHistory seen;
    // Ids present in the folder on the server, if known: ids without a blob are warned about.
    const std::set<std::string>* serverIds = nullptr;
    // How the local disk compares names: on a case-insensitive one, names that differ only in
    // case are duplicates too.
    NameCase localNames = NameCase::Sensitive;
};

std::expected<VerifiedFolder, TrustFailure> verifyFolder(const TrustRequest& request);

// A folder's metadata that passed every check of verifyFolder(), which alone can make one: a
// caller cannot assemble a "verified" folder from unverified parts (say, as the top-level folder
// of a nested one). Read-only, so it stays what was verified.
//
// Metadata 1.x (legacy(), PROTOCOL.md §4.9) passes with a warning: it has no signature, counter
// or key checksums, so what it says is unauthenticated, and it is refused once 2.x was seen for
// the folder. It is represented in the 2.0 model:
//   - metadata: counter 0, no keyChecksums; sub-folders in `folders`, file-drop entries in `files`;
//   - metadataKey: the folder's own 1.x key (in 1.x every encrypted folder, nested or not, has
//     its own key wrapped to the user);
//   - signerUserId: empty (nobody signed);
//   - document.users: one entry for the reading user (request.userId, with no certificate and no
//     encryptedMetadataKey) when the folder was verified as a top-level folder (no
//     request.topLevel), none when verified as a nested one, so that isTopLevel() tells where it
//     sits as for 2.0. It is not a member list: 1.x has none.
// The first write migrates it (the writer's part): version 2.0 with a NEW metadata key (never
// this metadataKey: anyone can wrap a key to the user's public key, so it may be the server's),
// for a top-level folder users = [self] and keyChecksums = [the new key's], counter 1 or above;
// a nested one is written as a nested 2.0 folder under its top-level folder's 2.0 key, so its
// top-level folder is migrated first. Nothing writes 1.x.
class VerifiedFolder {
public:
    const MetadataDocument document;
    const FolderMetadata metadata;
    const SecureBytes metadataKey;
    const std::string signerUserId;
    const FolderHistory history; // the input history advanced by this metadata: persist it
    const std::vector<std::string> warnings;

    bool isTopLevel() const { return !document.users.empty(); }
    // The metadata version as read: 20, 21; or 10, 11, 12 for 1.0, 1.1, 1.2.
    int version() const { return document.versionNumber(); }
    // Read from unauthenticated 1.x metadata: the next write must migrate it to 2.0 (see above).
    bool legacy() const { return isLegacyMetadataVersion(version()); }

private:
    VerifiedFolder(MetadataDocument document_, FolderMetadata metadata_, SecureBytes metadataKey_,
                   std::string signerUserId_, FolderHistory history_, std::vector<std::string> warnings_)
        : document(std::move(document_)), metadata(std::move(metadata_)), metadataKey(std::move(metadataKey_)),
          signerUserId(std::move(signerUserId_)), history(std::move(history_)), warnings(std::move(warnings_))
    {
    }
    friend std::expected<VerifiedFolder, TrustFailure> verifyFolder(const TrustRequest& request);
};

} // namespace nubo::e2ee
