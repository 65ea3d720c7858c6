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

namespace nubo::e2ee {

enum class TrustCheck {
    Format,       // not a readable metadata document
    Version,      // unsupported, or lower than a version seen before (downgrade)
    Users,        // empty users, a user listed twice, this user missing, users on a nested folder
    Certificates, // not issued by the pinned server key, signed with MD5, CN ≠ userId, own certificate ≠ own key
    Signature,    // missing, empty, invalid, not SHA-256, or made by a certificate not in users
    Decryption,   // the metadata key or the metadata does not decrypt
    KeyChecksum,  // the metadata key's hash is not listed, or a hash seen before disappeared
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
    // which must then be listed in keyChecksums like any other.
    std::string_view userId;
    const PrivateKey* privateKey = nullptr;
    std::optional<ByteView> metadataKey;
    // For a nested folder: its verified top-level folder. Users, signers and the metadata key
    // come from there; a metadataKey given as well must be the same key.
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
class VerifiedFolder {
public:
    const MetadataDocument document;
    const FolderMetadata metadata;
    const SecureBytes metadataKey;
    const std::string signerUserId;
    const FolderHistory history; // the input history advanced by this metadata: persist it
    const std::vector<std::string> warnings;

    bool isTopLevel() const { return !document.users.empty(); }

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
