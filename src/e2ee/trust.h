// What a reader checks before it trusts a folder's metadata (PROTOCOL.md §4.7), as one
// function: either the verified folder, or the first check that failed, by name.
#pragma once

#include <expected>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "keys.h"
#include "metadata.h"

namespace nubo::e2ee {

enum class TrustCheck {
    Format,       // not a readable metadata document
    Version,      // unsupported, or lower than a version seen before (downgrade)
    Users,        // empty users, a user listed twice, this user missing, users on a nested folder
    Certificates, // a certificate not issued by the pinned server key, CN ≠ userId, own certificate ≠ own key
    Signature,    // missing, empty, invalid, or made by a certificate not in users
    Decryption,   // the metadata key or the metadata does not decrypt
    KeyChecksum,  // the metadata key's hash is not listed, or a hash seen before disappeared
    Counter,      // lower than the highest counter seen before (rollback)
    KeyMaterial,  // empty or wrongly sized file key, nonce or tag
    Duplicates,   // an id named twice, or two entries with the same plain name
    UnsafeName,   // a name or id that could escape its folder ("..", "/", NUL, empty)
};
std::string_view trustCheckName(TrustCheck check);

// What this device remembers about a folder between runs; the caller persists it.
struct FolderHistory {
    std::optional<std::uint64_t> highestCounter;
    std::set<std::string> keyChecksums;
    int highestVersion = 0;
};

struct VerifiedFolder {
    MetadataDocument document;
    FolderMetadata metadata;
    SecureBytes metadataKey;
    std::string signerUserId;
    FolderHistory history; // the input history advanced by this metadata: persist it
    std::vector<std::string> warnings;
};

struct TrustFailure {
    TrustCheck check;
    std::string message;
};

struct TrustRequest {
    std::string_view metadata;            // the outer document (or the OCS reply holding it)
    ByteView signature;                   // DER or base64
    const PublicKey* serverKey = nullptr; // the pinned server key
    // Who reads: the metadata key is opened from users[userId] with privateKey, and that
    // entry's certificate must match privateKey. Offline tools may pass metadataKey instead.
    std::string_view userId;
    const PrivateKey* privateKey = nullptr;
    std::optional<ByteView> metadataKey;
    // For a nested folder: its verified top-level folder (users and metadata key come from there).
    const VerifiedFolder* topLevel = nullptr;
    FolderHistory seen;
    // Ids present in the folder on the server, if known: ids without a blob are warned about.
    const std::set<std::string>* serverIds = nullptr;
};

std::expected<VerifiedFolder, TrustFailure> verifyFolder(const TrustRequest& request);

// A plain name that is safe to create inside a local folder (item_name.h has the rule).
bool isSafeName(std::string_view name);

} // namespace nubo::e2ee
