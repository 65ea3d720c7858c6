#include "trust.h"

#include <algorithm>
#include <map>

#include "cms_signature.h"
#include "encoding.h"
#include "file_cipher.h"
#include "item_name.h"

namespace nubo::e2ee {

namespace {

std::unexpected<TrustFailure> refuse(TrustCheck check, std::string message)
{
    return std::unexpected(TrustFailure{check, std::move(message)});
}

// A server-supplied string (user id, id, JSON key, CN, version), escaped and quoted for a message.
std::string printableQuoted(std::string_view text)
{
    return "\"" + printableName(text) + "\"";
}

bool validNonce(const Bytes& nonce)
{
    return nonce.size() == 12 || nonce.size() == 16;
}
bool allZero(ByteView bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

struct Member {
    std::string userId;
    Certificate certificate;
};

// The checks 2.0 and 1.x share: ids named twice, key material, names and ids; and the warnings
// about ids the server does not hold.
std::expected<std::vector<std::string>, TrustFailure> checkEntries(const FolderMetadata& inner,
                                                                   const TrustRequest& request)
{
    if (!inner.duplicateIds.empty()) {
        return refuse(TrustCheck::Duplicates,
                      "the metadata names id " + printableQuoted(inner.duplicateIds.front()) + " twice");
    }

    // Key material and names. Names are never quoted in messages: they are secret.
    std::map<std::string, std::string> nameOwner; // collision key -> id
    const auto checkEntry = [&](const std::string& id, const std::string& name) -> std::optional<TrustFailure> {
        if (auto reason = invalidItemIdReason(id)) {
            return TrustFailure{TrustCheck::UnsafeName, "entry " + printableQuoted(id) + " is refused: " + *reason};
        }
        if (auto reason = invalidNameReason(name)) {
            return TrustFailure{TrustCheck::UnsafeName,
                                "the name of entry " + printableQuoted(id) + " is refused: " + *reason};
        }
        const auto [it, inserted] = nameOwner.emplace(nameCollisionKey(name, request.localNames), id);
        if (!inserted) {
            const std::string& other = it->second;
            const std::string& otherName =
                inner.files.contains(other) ? inner.files.at(other).filename : inner.folders.at(other);
            const std::string why =
                otherName == name ? "have the same name"
                : nameCollisionKey(otherName, NameCase::Sensitive) == nameCollisionKey(name, NameCase::Sensitive)
                    ? "have names that differ only in Unicode normalisation (equal in NFC)"
                    : "have names that differ only in case, and this disk ignores case";
            return TrustFailure{TrustCheck::Duplicates,
                                "entries " + printableQuoted(other) + " and " + printableQuoted(id) + " " + why};
        }
        return std::nullopt;
    };
    for (const auto& [id, file] : inner.files) {
        if (file.key.size() != kFileKeySize || allZero(file.key) || !validNonce(file.nonce) ||
            file.authenticationTag.size() != kGcmTagSize) {
            return refuse(TrustCheck::KeyMaterial,
                          "file " + printableQuoted(id) +
                              " has an empty or wrongly sized key, nonce or authentication tag");
        }
        if (auto failure = checkEntry(id, file.filename)) return std::unexpected(std::move(*failure));
    }
    for (const auto& [id, name] : inner.folders) {
        if (auto failure = checkEntry(id, name)) return std::unexpected(std::move(*failure));
    }
    std::vector<std::string> warnings;
    if (request.serverIds != nullptr) {
        for (const auto& [key, id] : nameOwner) {
            if (!request.serverIds->contains(id)) {
                warnings.push_back("id " + printableQuoted(id) + " is listed in the metadata but not on the server");
            }
        }
    }
    return warnings;
}

} // namespace

std::string_view trustCheckName(TrustCheck check)
{
    switch (check) {
    case TrustCheck::Format: return "format";
    case TrustCheck::Version: return "version";
    case TrustCheck::Users: return "users";
    case TrustCheck::Certificates: return "certificates";
    case TrustCheck::Signature: return "signature";
    case TrustCheck::Decryption: return "decryption";
    case TrustCheck::KeyChecksum: return "key-checksum";
    case TrustCheck::Counter: return "counter";
    case TrustCheck::KeyMaterial: return "key-material";
    case TrustCheck::Duplicates: return "duplicates";
    case TrustCheck::UnsafeName: return "unsafe-name";
    }
    return "unknown";
}

namespace {

// What verifyFolder() makes a VerifiedFolder of, for 1.x.
struct LegacyParts {
    MetadataDocument document;
    FolderMetadata metadata;
    SecureBytes metadataKey;
    FolderHistory history;
    std::vector<std::string> warnings;
};

// 1.x (PROTOCOL.md §4.9): no signature, counter or key checksums to check; the document's own
// key, wrapped to the reader, opens it, nested or not. The version was checked by the caller.
std::expected<LegacyParts, TrustFailure> verifyLegacyFolder(const TrustRequest& request, MetadataDocument doc)
{
    if (!doc.duplicateKeys.empty()) {
        return refuse(TrustCheck::Duplicates,
                      "the metadata document names " + printableQuoted(doc.duplicateKeys.front()) + " twice");
    }
    if (request.privateKey == nullptr && !request.metadataKey) {
        return refuse(TrustCheck::Decryption, "neither a private key nor a metadata key was given");
    }
    LegacyKeys keys;
    keys.privateKey = request.privateKey;
    keys.metadataKey = request.metadataKey;
    auto legacy = decryptLegacyFolderMetadata(doc, keys, request.mnemonic);
    if (!legacy) {
        const ErrorCode code = legacy.error().code;
        return refuse(code == ErrorCode::DecryptionFailed     ? TrustCheck::Decryption
                      : code == ErrorCode::VerificationFailed ? TrustCheck::KeyChecksum
                                                              : TrustCheck::Format,
                      legacy.error().message);
    }
    if (!legacy->duplicateKeys.empty()) {
        return refuse(TrustCheck::Duplicates, legacy->duplicateKeys.front());
    }
    auto entryWarnings = checkEntries(legacy->metadata, request);
    if (!entryWarnings) return std::unexpected(entryWarnings.error());

    const std::string version = printableQuoted(doc.version);
    std::vector<std::string> warnings{
        "metadata version " + version +
        " is not authenticated (1.x has no signature, counter or key checksums: the server could have written or "
        "replayed it); this folder will be upgraded to metadata 2.0 on its next change"};
    if (legacy->checksum == LegacyChecksum::MatchesEmptyMnemonic) {
        warnings.push_back("the 1.2 checksum was written without a mnemonic, so it proves nothing");
    } else if (legacy->checksum == LegacyChecksum::NotCheckedNoMnemonic) {
        warnings.push_back("the 1.2 checksum was not checked: no mnemonic was given");
    }
    warnings.insert(warnings.end(), entryWarnings->begin(), entryWarnings->end());

    // See VerifiedFolder in trust.h: the reading user marks a top-level folder.
    if (request.topLevel == nullptr) doc.users = {UserEntry{std::string(request.userId), {}, {}}};
    FolderHistory history = request.seen;
    history.highestVersion = std::max(request.seen.highestVersion, doc.versionNumber());
    return LegacyParts{std::move(doc), std::move(legacy->metadata), std::move(legacy->metadataKey),
                       std::move(history), std::move(warnings)};
}

} // namespace

std::expected<VerifiedFolder, TrustFailure> verifyFolder(const TrustRequest& request)
{
    const bool nested = request.topLevel != nullptr;
    if (nested && !request.topLevel->isTopLevel()) {
        return refuse(TrustCheck::Users, "the folder given as top-level folder is itself nested: pass the top-level "
                                         "encrypted folder, which holds the users");
    }

    // The document's size is capped here, before any signature check (metadata.h).
    auto parsed = parseMetadataDocument(request.metadata);
    if (!parsed) return refuse(TrustCheck::Format, parsed.error().message);
    const MetadataDocument& doc = *parsed;

    // Version: 2.0 and 2.1 (2.0 plus users "s:<token>" of a public link) are read, 1.x only to
    // migrate it, and never lower than before for this folder.
    const int version = doc.versionNumber();
    if (version < request.seen.highestVersion) {
        return refuse(TrustCheck::Version,
                      "metadata version went down to " + printableQuoted(doc.version) + " (downgrade)" +
                          (isLegacyMetadataVersion(version) && request.seen.highestVersion >= 20
                               ? ": unauthenticated 1.x metadata for a folder seen at 2.0 or later"
                               : ""));
    }
    if (isLegacyMetadataVersion(version)) {
        auto legacy = verifyLegacyFolder(request, std::move(*parsed));
        if (!legacy) return std::unexpected(legacy.error());
        return VerifiedFolder(std::move(legacy->document), std::move(legacy->metadata),
                              std::move(legacy->metadataKey), {}, std::move(legacy->history),
                              std::move(legacy->warnings));
    }
    if (version != 20 && version != 21) {
        return refuse(TrustCheck::Version, "metadata version " + printableQuoted(doc.version) +
                                               " is not supported (expected 2.0, 2.1, or 1.x to migrate)");
    }
    if (request.serverKey == nullptr) return refuse(TrustCheck::Certificates, "no pinned server key to check against");
    if (nested && request.topLevel->legacy()) {
        return refuse(TrustCheck::Users, "the top-level folder's metadata is version " +
                                             printableQuoted(request.topLevel->document.version) +
                                             ", which lists no certificates to check this nested folder's "
                                             "signature against (it is read once the top-level folder is at 2.0)");
    }

    // Users: the members of the top-level folder, each once.
    if (!doc.duplicateKeys.empty()) {
        return refuse(TrustCheck::Duplicates,
                      "the metadata document names " + printableQuoted(doc.duplicateKeys.front()) + " twice");
    }
    std::vector<Member> members;
    if (nested) {
        if (!doc.users.empty()) return refuse(TrustCheck::Users, "a nested folder's metadata lists its own users");
        // Checked when the top-level folder was verified.
        for (const UserEntry& user : request.topLevel->document.users) {
            auto certificate = Certificate::fromPem(user.certificatePem);
            if (certificate) members.push_back({user.userId, std::move(*certificate)});
        }
    } else {
        if (doc.users.empty()) return refuse(TrustCheck::Users, "the metadata lists no users");
        std::set<std::string> ids;
        for (const UserEntry& user : doc.users) {
            if (user.userId.empty()) return refuse(TrustCheck::Users, "a user entry has an empty userId");
            if (!ids.insert(user.userId).second) {
                return refuse(TrustCheck::Users, "user " + printableQuoted(user.userId) + " is listed twice");
            }
        }
        // Certificates: issued by the pinned server key, for the user they are listed under.
        for (const UserEntry& user : doc.users) {
            auto certificate = Certificate::fromPem(user.certificatePem);
            if (!certificate) {
                return refuse(TrustCheck::Certificates,
                              "the certificate of " + printableQuoted(user.userId) + " is unreadable");
            }
            if (!certificate->issuedBy(*request.serverKey)) {
                return refuse(TrustCheck::Certificates, "the certificate of " + printableQuoted(user.userId) +
                                                            " was not issued by the pinned server key");
            }
            if (auto broken = certificate->brokenSignatureReason()) {
                return refuse(TrustCheck::Certificates,
                              "the certificate of " + printableQuoted(user.userId) + " is refused: " + *broken);
            }
            if (certificate->commonName() != user.userId) {
                return refuse(TrustCheck::Certificates, "the certificate listed for " + printableQuoted(user.userId) +
                                                            " belongs to " +
                                                            printableQuoted(certificate->commonName()));
            }
            members.push_back({user.userId, std::move(*certificate)});
        }
        if (request.privateKey != nullptr) {
            const auto self = std::find_if(members.begin(), members.end(),
                                           [&](const Member& m) { return m.userId == request.userId; });
            if (self == members.end()) {
                return refuse(TrustCheck::Users, "user " + printableQuoted(request.userId) + " is not a member");
            }
            if (!self->certificate.matches(*request.privateKey)) {
                return refuse(TrustCheck::Certificates, "the certificate listed for " + printableQuoted(self->userId) +
                                                            " does not match this device's key");
            }
        }
    }

    // Signature: valid over the canonical bytes, made by a member's certificate.
    if (request.signature.empty()) return refuse(TrustCheck::Signature, "the metadata has no signature");
    auto signature = decodeSignature(request.signature);
    if (!signature) return refuse(TrustCheck::Signature, signature.error().message);
    auto signer = verifyDetached(asBytes(metadataSigningBytes(doc)), *signature);
    if (!signer) return refuse(TrustCheck::Signature, signer.error().message);
    const auto member =
        std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.certificate == *signer; });
    if (member == members.end()) {
        return refuse(TrustCheck::Signature, "the signature was made by a certificate (CN " +
                                                 printableQuoted(signer->commonName()) + ") that is not a member's");
    }

    // Decryption: the metadata key, then the metadata. A nested folder has no key of its own.
    SecureBytes metadataKey;
    if (nested) {
        if (request.metadataKey && !equalConstantTime(*request.metadataKey, request.topLevel->metadataKey)) {
            return refuse(TrustCheck::Decryption, "the metadata key given is not the one of the top-level folder, "
                                                  "which a nested folder is encrypted with");
        }
        metadataKey = request.topLevel->metadataKey;
    } else if (request.metadataKey) {
        metadataKey = toSecure(*request.metadataKey);
    } else if (request.privateKey != nullptr) {
        const auto self = std::find_if(doc.users.begin(), doc.users.end(),
                                       [&](const UserEntry& u) { return u.userId == request.userId; });
        auto key = decryptMetadataKey(*self, *request.privateKey);
        if (!key) return refuse(TrustCheck::Decryption, key.error().message);
        metadataKey = std::move(*key);
    } else {
        return refuse(TrustCheck::Decryption, "neither a private key nor a metadata key was given");
    }
    auto decrypted = decryptFolderMetadata(doc, metadataKey);
    if (!decrypted) {
        return refuse(decrypted.error().code == ErrorCode::DecryptionFailed ? TrustCheck::Decryption
                                                                            : TrustCheck::Format,
                      decrypted.error().message);
    }
    const FolderMetadata& inner = *decrypted;

    // Key checksums (top-level folders): this key is listed, no earlier one vanished.
    if (!nested) {
        const std::string checksum = metadataKeyChecksum(metadataKey);
        const std::set<std::string> listed(inner.keyChecksums.begin(), inner.keyChecksums.end());
        if (!listed.contains(checksum)) {
            return refuse(TrustCheck::KeyChecksum, "the metadata key's checksum is not in keyChecksums");
        }
        for (const std::string& previous : request.seen.keyChecksums) {
            if (!listed.contains(previous)) {
                return refuse(TrustCheck::KeyChecksum, "a key checksum seen before (" +
                                                           printableName(previous.substr(0, 12)) +
                                                           "…) is no longer listed");
            }
        }
    }

    // Counter: never lower than before (rollback).
    if (request.seen.highestCounter && inner.counter < *request.seen.highestCounter) {
        return refuse(TrustCheck::Counter, "the metadata counter went back from " +
                                               std::to_string(*request.seen.highestCounter) + " to " +
                                               std::to_string(inner.counter) + " (rollback)");
    }

    auto warnings = checkEntries(inner, request);
    if (!warnings) return std::unexpected(warnings.error());

    FolderHistory history = request.seen;
    history.highestCounter = std::max(request.seen.highestCounter.value_or(0), inner.counter);
    history.keyChecksums.insert(inner.keyChecksums.begin(), inner.keyChecksums.end());
    history.highestVersion = std::max(request.seen.highestVersion, version);
    return VerifiedFolder(std::move(*parsed), std::move(*decrypted), std::move(metadataKey), member->userId,
                          std::move(history), std::move(*warnings));
}

} // namespace nubo::e2ee
