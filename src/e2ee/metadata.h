// Folder metadata v2.0 (PROTOCOL.md §4.5–4.6): the typed model, the outer document
// codec, encryption of the inner document, and the canonical bytes that are signed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "error.h"
#include "keys.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

inline constexpr std::size_t kMetadataKeySize = 16;
// Caps on what a reader accepts, checked before any signature, so that a hostile server cannot
// exhaust memory: reading a document costs several times its text (a 65 MB one took 447 MB).
// Real outer documents hold about 3 kB per user plus the ciphertext of the inner one, itself
// about 250 bytes per entry before gzip: 16 MiB is room for thousands of users and a folder of
// well over 100 000 entries, and keeps reading and verifying one under about 150 MB (measured
// with nubocmd on the costliest shapes: one 16 MiB string, or the most values allowed).
inline constexpr std::size_t kMaxMetadataDocumentSize = 16 * 1024 * 1024;
// The inner document after gzip: JSON shrinks about 3 to 4 times, so an outer document within
// its cap never legitimately inflates beyond this; a gzip bomb stops here.
inline constexpr std::size_t kMaxInnerMetadataSize = 64 * 1024 * 1024;
// The highest counter a reader accepts (2^53). Servers keep the counter as a signed 64-bit
// integer and JavaScript clients as a double: one signed write of 2^64-1 would leave a folder
// that no later write can exceed, and above 2^53 a double no longer counts by one.
inline constexpr std::uint64_t kMaxMetadataCounter = std::uint64_t{1} << 53;

struct FileEntry {
    std::string filename;
    std::string mimetype;
    SecureBytes key;
    Bytes nonce;
    Bytes authenticationTag;
};

// The decrypted inner document.
struct FolderMetadata {
    std::uint64_t counter = 0; // required, at most kMaxMetadataCounter
    bool deleted = false;
    std::map<std::string, FileEntry> files;     // server id -> file
    std::map<std::string, std::string> folders; // server id -> plain name
    std::vector<std::string> keyChecksums;      // top-level folder only
    // Ids the JSON named more than once (a JSON reader would silently keep one of them);
    // the trust checks refuse such metadata.
    std::vector<std::string> duplicateIds;
};

struct UserEntry {
    std::string userId;
    std::string certificatePem;
    std::string encryptedMetadataKey; // base64, as stored
};

// The outer document, as stored on the server.
struct MetadataDocument {
    std::string version; // "2.0"
    Bytes ciphertext;    // encrypted gzip(inner JSON), normally with the tag appended
    Bytes nonce;
    Bytes authenticationTag;
    std::vector<UserEntry> users; // empty for nested folders
    nlohmann::json json;          // the whole document, unknown fields and filedrop included
    std::vector<std::string> duplicateKeys;

    // Major*10+minor: 20 for "2.0", "2" or 2.0; 10, 11, 12 for 1.x (1 reads as 1.0); 0 when unreadable.
    int versionNumber() const;
};

// Parses the outer document, or an OCS reply whose ocs.data["meta-data"] holds it. A 1.x
// document (PROTOCOL.md §4.9) is parsed only as far as its version, with the same caps: its
// entries are in `json`, for decryptLegacyFolderMetadata() (metadata_v1.h).
Result<MetadataDocument> parseMetadataDocument(std::string_view text);
std::string serializeMetadataDocument(const MetadataDocument& document);

// The bytes a v2 signature covers: base64 of the canonical JSON (sorted keys, compact,
// UTF-8 unescaped) of the document without filedrop and without encryptedFiledropKey.
std::string metadataSigningBytes(const MetadataDocument& document);

// RSA-OAEP-decrypts the user's entry (undoing the extra base64 layer some writers add).
Result<SecureBytes> decryptMetadataKey(const UserEntry& user, const PrivateKey& key);

Result<FolderMetadata> decryptFolderMetadata(const MetadataDocument& document, ByteView metadataKey);

// The inner document as JSON, in the layout the official clients write (keys base64). It holds
// the file keys: nlohmann::json does not wipe them when freed.
nlohmann::json toJson(const FolderMetadata& metadata);

struct MetadataRecipient {
    std::string userId;
    std::string certificatePem;
};
// Writes the document the official clients write: gzip, AES-128-GCM under the metadata key
// with a fresh 16-byte nonce, `ciphertext` as base64(ct‖tag)|base64(nonce), version "2.0",
// and the metadata key encrypted to each recipient (none for a nested folder). Refuses a counter
// above kMaxMetadataCounter and a recipient whose key is weak (PublicKey::weaknessReason).
Result<MetadataDocument> encryptFolderMetadata(const FolderMetadata& metadata, ByteView metadataKey,
                                               const std::vector<MetadataRecipient>& recipients);

// Lowercase hex SHA-256 of a raw metadata key, as listed in keyChecksums.
std::string metadataKeyChecksum(ByteView metadataKey);
Result<SecureBytes> generateMetadataKey();

// Whether a mimetype marks a folder entry written by older clients into "files".
bool isFolderMimetype(std::string_view mimetype);

namespace detail {
// The strict JSON reading of metadata.cpp, shared with the 1.x reader (metadata_v1.cpp) so that
// both refuse the same things; not for other callers.
struct StrictJson {
    nlohmann::json value;
    std::vector<std::string> duplicates; // object keys named twice in one object
};
// At most 32 levels and `maxValues` values (a value costs far more parsed than as text); an
// object, or an error saying what (`what`) was refused.
Result<StrictJson> parseStrictJson(std::string_view text, std::string_view what, std::size_t maxValues);
// Wipes every string in `root` (nlohmann::json frees them unwiped; they may hold keys).
void wipeJsonStrings(nlohmann::json& root);
// A string member; a missing or null one is an error only when `required`.
Result<std::string> jsonStringField(const nlohmann::json& object, const char* name, std::string_view where,
                                    bool required);
// A base64 member, decoded without leaving an unwiped copy; missing or null as for jsonStringField.
Result<SecureBytes> jsonBase64Field(const nlohmann::json& object, const char* name, std::string_view where,
                                    bool required);
} // namespace detail

} // namespace nubo::e2ee
