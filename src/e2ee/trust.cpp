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

bool isServerId(std::string_view id)
{
    return id.size() == 32 &&
           std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
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

bool isSafeName(std::string_view name)
{
    return !invalidNameReason(name);
}

std::expected<VerifiedFolder, TrustFailure> verifyFolder(const TrustRequest& request)
{
    if (request.serverKey == nullptr) return refuse(TrustCheck::Certificates, "no pinned server key to check against");

    auto parsed = parseMetadataDocument(request.metadata);
    if (!parsed) return refuse(TrustCheck::Format, parsed.error().message);
    VerifiedFolder out;
    out.document = std::move(*parsed);
    const MetadataDocument& doc = out.document;
    const bool nested = request.topLevel != nullptr;

    // Version: only 2.0 is read, and never lower than before for this folder.
    const int version = doc.versionNumber();
    if (version != 20) {
        return refuse(TrustCheck::Version, "metadata version \"" + doc.version + "\" is not supported (expected 2.0)");
    }
    if (version < request.seen.highestVersion) {
        return refuse(TrustCheck::Version, "metadata version went down to " + doc.version + " (downgrade)");
    }

    // Users: the members of the top-level folder, each once.
    if (!doc.duplicateKeys.empty()) {
        return refuse(TrustCheck::Duplicates,
                      "the metadata document names \"" + doc.duplicateKeys.front() + "\" twice");
    }
    std::vector<Member> members;
    if (nested) {
        if (!doc.users.empty()) return refuse(TrustCheck::Users, "a nested folder's metadata lists its own users");
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
                return refuse(TrustCheck::Users, "user \"" + user.userId + "\" is listed twice");
            }
        }
        // Certificates: issued by the pinned server key, for the user they are listed under.
        for (const UserEntry& user : doc.users) {
            auto certificate = Certificate::fromPem(user.certificatePem);
            if (!certificate) {
                return refuse(TrustCheck::Certificates, "the certificate of \"" + user.userId + "\" is unreadable");
            }
            if (!certificate->issuedBy(*request.serverKey)) {
                return refuse(TrustCheck::Certificates,
                              "the certificate of \"" + user.userId + "\" was not issued by the pinned server key");
            }
            if (certificate->commonName() != user.userId) {
                return refuse(TrustCheck::Certificates, "the certificate listed for \"" + user.userId +
                                                            "\" belongs to \"" + certificate->commonName() + "\"");
            }
            members.push_back({user.userId, std::move(*certificate)});
        }
        if (request.privateKey != nullptr) {
            const auto self = std::find_if(members.begin(), members.end(),
                                           [&](const Member& m) { return m.userId == request.userId; });
            if (self == members.end()) {
                return refuse(TrustCheck::Users, "user \"" + std::string(request.userId) + "\" is not a member");
            }
            if (!self->certificate.matches(*request.privateKey)) {
                return refuse(TrustCheck::Certificates,
                              "the certificate listed for \"" + self->userId + "\" does not match this device's key");
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
        return refuse(TrustCheck::Signature, "the signature was made by a certificate (CN \"" + signer->commonName() +
                                                 "\") that is not a member's");
    }
    out.signerUserId = member->userId;

    // Decryption: the metadata key, then the metadata.
    if (request.metadataKey) {
        out.metadataKey = toSecure(*request.metadataKey);
    } else if (nested) {
        out.metadataKey = request.topLevel->metadataKey;
    } else if (request.privateKey != nullptr) {
        const auto self = std::find_if(doc.users.begin(), doc.users.end(),
                                       [&](const UserEntry& u) { return u.userId == request.userId; });
        auto key = decryptMetadataKey(*self, *request.privateKey);
        if (!key) return refuse(TrustCheck::Decryption, key.error().message);
        out.metadataKey = std::move(*key);
    } else {
        return refuse(TrustCheck::Decryption, "neither a private key nor a metadata key was given");
    }
    auto metadata = decryptFolderMetadata(doc, out.metadataKey);
    if (!metadata) {
        return refuse(metadata.error().code == ErrorCode::DecryptionFailed ? TrustCheck::Decryption
                                                                           : TrustCheck::Format,
                      metadata.error().message);
    }
    out.metadata = std::move(*metadata);
    const FolderMetadata& inner = out.metadata;

    // Key checksums (top-level folders): this key is listed, no earlier one vanished.
    if (!nested) {
        const std::string checksum = metadataKeyChecksum(out.metadataKey);
        const std::set<std::string> listed(inner.keyChecksums.begin(), inner.keyChecksums.end());
        if (!listed.contains(checksum)) {
            return refuse(TrustCheck::KeyChecksum, "the metadata key's checksum is not in keyChecksums");
        }
        for (const std::string& previous : request.seen.keyChecksums) {
            if (!listed.contains(previous)) {
                return refuse(TrustCheck::KeyChecksum,
                              "a key checksum seen before (" + previous.substr(0, 12) + "…) is no longer listed");
            }
        }
    }

    // Counter: never lower than before (rollback).
    if (request.seen.highestCounter && inner.counter < *request.seen.highestCounter) {
        return refuse(TrustCheck::Counter, "the metadata counter went back from " +
                                               std::to_string(*request.seen.highestCounter) + " to " +
                                               std::to_string(inner.counter) + " (rollback)");
    }

    if (!inner.duplicateIds.empty()) {
        return refuse(TrustCheck::Duplicates, "the metadata names id \"" + inner.duplicateIds.front() + "\" twice");
    }

    // Key material and names.
    std::map<std::string, std::string> nameOwner;
    const auto checkEntry = [&](const std::string& id, const std::string& name) -> std::optional<TrustFailure> {
        if (!isSafeName(id)) return TrustFailure{TrustCheck::UnsafeName, "an entry has an unsafe id"};
        if (!isSafeName(name)) {
            return TrustFailure{TrustCheck::UnsafeName, "entry \"" + id +
                                                            "\" has an unsafe name (empty, \".\", "
                                                            "\"..\", or containing \"/\" or NUL)"};
        }
        if (const auto [it, inserted] = nameOwner.emplace(name, id); !inserted) {
            return TrustFailure{TrustCheck::Duplicates,
                                "entries \"" + it->second + "\" and \"" + id + "\" have the same name"};
        }
        if (!isServerId(id)) out.warnings.push_back("id \"" + id + "\" is not 32 lowercase hex characters");
        return std::nullopt;
    };
    for (const auto& [id, file] : inner.files) {
        if (file.key.size() != kFileKeySize || allZero(file.key) || !validNonce(file.nonce) ||
            file.authenticationTag.size() != kGcmTagSize) {
            return refuse(TrustCheck::KeyMaterial,
                          "file \"" + id + "\" has an empty or wrongly sized key, nonce or authentication tag");
        }
        if (auto failure = checkEntry(id, file.filename)) return std::unexpected(std::move(*failure));
    }
    for (const auto& [id, name] : inner.folders) {
        if (auto failure = checkEntry(id, name)) return std::unexpected(std::move(*failure));
    }
    if (request.serverIds != nullptr) {
        for (const auto& [name, id] : nameOwner) {
            if (!request.serverIds->contains(id)) {
                out.warnings.push_back("id \"" + id + "\" is listed in the metadata but not on the server");
            }
        }
    }

    out.history = request.seen;
    out.history.highestCounter = std::max(request.seen.highestCounter.value_or(0), inner.counter);
    out.history.keyChecksums.insert(inner.keyChecksums.begin(), inner.keyChecksums.end());
    out.history.highestVersion = std::max(request.seen.highestVersion, version);
    return out;
}

} // namespace nubo::e2ee
