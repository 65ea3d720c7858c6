#include "e2ee_identity.h"

#include "cms_signature.h"
#include "encoding.h"
#include "metadata.h"
#include "mnemonic.h"
#include "private_key_envelope.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace nubo::sync {

namespace {

SyncError fromE2ee(const e2ee::Error& error, SyncErrorCode code = SyncErrorCode::Protocol)
{
    return SyncError{code, error.message, 0};
}

std::unexpected<SyncError> untrusted(std::string message)
{
    return std::unexpected(SyncError{SyncErrorCode::UntrustedKey, std::move(message), 0});
}

// The certificate is the user's, issued by the server key, for this private key.
Result<e2ee::Certificate> checkedCertificate(const std::string& pem, const std::string& userId,
                                             const e2ee::PublicKey& serverKey, const e2ee::PrivateKey& key)
{
    auto certificate = e2ee::Certificate::fromPem(pem);
    if (!certificate)
        return untrusted("the server's certificate for " + userId + " cannot be read: " + certificate.error().message);
    if (certificate->commonName() != userId)
        return untrusted("the server's certificate for " + userId + " names someone else (CN " +
                         certificate->commonName() + "); nothing was changed");
    if (!certificate->issuedBy(serverKey))
        return untrusted("the server's certificate for " + userId +
                         " is not issued by the server's key: a server that wants to read your files could present "
                         "such a certificate, so it is refused");
    if (!certificate->matches(key))
        return untrusted("the server's certificate for " + userId +
                         " does not belong to your private key; the account's keys were replaced on the server, or "
                         "the server is not trustworthy");
    return std::move(*certificate);
}

// The server's current key must be the pinned one (or becomes it, on first use).
Result<e2ee::PublicKey> checkedServerKey(const E2eeApiClient& api, E2eePins& pins)
{
    auto pem = api.serverKey();
    if (!pem)
        return std::unexpected(pem.error());
    auto key = e2ee::PublicKey::fromPem(*pem);
    if (!key)
        return fail(SyncErrorCode::Protocol, "the server's key cannot be read: " + key.error().message);
    if (!pins.serverKeyPem.empty()) {
        auto pinned = e2ee::PublicKey::fromPem(pins.serverKeyPem);
        if (!pinned || !(*pinned == *key))
            return untrusted("the server's end-to-end encryption key changed since this device first saw it. A "
                             "server that swaps its key can certify keys of its own and read what is encrypted "
                             "next, so every encrypted folder of this account stops until you check with the "
                             "server's administrator");
    } else {
        pins.serverKeyPem = key->toPem();
    }
    return std::move(*key);
}

Result<void> pinOwnCertificate(E2eePins& pins, const std::string& userId, const e2ee::Certificate& certificate)
{
    const auto pinned = pins.certificates.find(userId);
    if (pinned != pins.certificates.end()) {
        auto before = e2ee::Certificate::fromPem(pinned->second);
        if (!before || !(*before == certificate))
            return untrusted("the certificate of " + userId +
                             " changed since this device first saw it; nothing is encrypted to a key that is not "
                             "pinned, so every encrypted folder of this account stops");
        return {};
    }
    pins.certificates[userId] = certificate.toPem();
    return {};
}

} // namespace

// ---- the store ---------------------------------------------------------------------------------

E2eeKeyStore::E2eeKeyStore(std::shared_ptr<CredentialStore> store, std::string account, std::string location)
    : m_store(std::move(store)), m_account(std::move(account)), m_location(std::move(location))
{
}

Result<std::optional<e2ee::SecureString>> E2eeKeyStore::privateKeyPem()
{
    auto secret = m_store->read("e2ee-private-key " + m_account);
    if (!secret)
        return std::unexpected(secret.error());
    if (!*secret)
        return std::optional<e2ee::SecureString>();
    e2ee::SecureString pem((*secret)->begin(), (*secret)->end());
    OPENSSL_cleanse((*secret)->data(), (*secret)->size());
    return std::optional<e2ee::SecureString>(std::move(pem));
}

Result<void> E2eeKeyStore::savePrivateKeyPem(std::string_view pem)
{
    std::string copy(pem);
    auto written = m_store->write("e2ee-private-key " + m_account, copy);
    OPENSSL_cleanse(copy.data(), copy.size());
    return written;
}

Result<std::optional<e2ee::SecureString>> E2eeKeyStore::mnemonic()
{
    auto secret = m_store->read("e2ee-mnemonic " + m_account);
    if (!secret)
        return std::unexpected(secret.error());
    if (!*secret)
        return std::optional<e2ee::SecureString>();
    e2ee::SecureString words = e2ee::normalizeMnemonic(**secret);
    OPENSSL_cleanse((*secret)->data(), (*secret)->size());
    return std::optional<e2ee::SecureString>(std::move(words));
}

Result<void> E2eeKeyStore::saveMnemonic(std::string_view words)
{
    const e2ee::SecureString normalized = e2ee::normalizeMnemonic(words);
    std::string copy(normalized.begin(), normalized.end());
    auto written = m_store->write("e2ee-mnemonic " + m_account, copy);
    OPENSSL_cleanse(copy.data(), copy.size());
    return written;
}

Result<E2eePins> E2eeKeyStore::pins()
{
    auto text = m_store->read("e2ee-pins " + m_account);
    if (!text)
        return std::unexpected(text.error());
    E2eePins pins;
    if (!*text)
        return pins;
    const nlohmann::json json = nlohmann::json::parse(**text, nullptr, false);
    if (!json.is_object() || !json.value("serverKey", nlohmann::json()).is_string())
        return fail(SyncErrorCode::Config, "the pinned keys in " + m_location +
                                               " are damaged; run `nubocmd e2ee forget` and set this device up again");
    pins.serverKeyPem = json["serverKey"].get<std::string>();
    const nlohmann::json certificates = json.value("certificates", nlohmann::json::object());
    for (const auto& [user, pem] : certificates.items())
        if (pem.is_string())
            pins.certificates[user] = pem.get<std::string>();
    return pins;
}

Result<void> E2eeKeyStore::savePins(const E2eePins& pins)
{
    nlohmann::json json{{"version", 1}, {"serverKey", pins.serverKeyPem}, {"certificates", pins.certificates}};
    return m_store->write("e2ee-pins " + m_account, json.dump());
}

Result<void> E2eeKeyStore::forget()
{
    if (auto removed = m_store->remove("e2ee-private-key " + m_account); !removed)
        return removed;
    if (auto removed = m_store->remove("e2ee-mnemonic " + m_account); !removed)
        return removed;
    return m_store->remove("e2ee-pins " + m_account);
}

std::filesystem::path e2eeKeyFilePath()
{
    const char* data = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path base =
        data && *data ? std::filesystem::path(data) : std::filesystem::path(home ? home : ".") / ".local/share";
    return base / "nubo" / "e2ee-keys.json";
}

Result<E2eeKeyStore> openE2eeKeyStore(const Account& account, KeyStoreKind kind)
{
    const std::string id = account.davUser() + "@" + account.serverUrl().toString().toStdString();
    if (kind == KeyStoreKind::File) {
        const std::filesystem::path file = e2eeKeyFilePath();
        std::error_code ignored;
        std::filesystem::create_directories(file.parent_path(), ignored);
        E2eeKeyStore store(std::make_shared<FileCredentialStore>(file), id, file.string());
        if (auto probe = store.privateKeyPem(); !probe)
            return std::unexpected(probe.error());
        return store;
    }
    E2eeKeyStore store(std::make_shared<KeychainCredentialStore>(), id, "the OS keychain");
    if (auto probe = store.privateKeyPem(); !probe) {
        SyncError error = probe.error();
        error.message = "the OS keychain does not answer (" + error.message +
                        "). On a machine without a Secret Service (gnome-keyring, KWallet), use --key-store file: the "
                        "key is then kept in " + e2eeKeyFilePath().string() + ", readable by you only";
        return std::unexpected(std::move(error));
    }
    return store;
}

std::string E2eeIdentity::fingerprint() const
{
    const std::string hex = e2ee::sha256Hex(certificate.toDer());
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out += (i ? ":" : "") + hex.substr(i, 2);
    return out;
}

// ---- setting up ----------------------------------------------------------------------------------

Result<NewIdentity> createE2eeIdentity(const E2eeApiClient& api, const std::string& userId, E2eeKeyStore& store)
{
    auto existing = api.privateKeyEnvelope();
    if (!existing)
        return std::unexpected(existing.error());
    if (*existing)
        return fail(SyncErrorCode::Config, "end-to-end encryption is already set up for " + userId +
                                               "; add this device with the 12 words instead");
    auto pins = store.pins();
    if (!pins)
        return std::unexpected(pins.error());
    auto serverKey = checkedServerKey(api, *pins);
    if (!serverKey)
        return std::unexpected(serverKey.error());

    auto key = e2ee::PrivateKey::generateRsa(2048);
    if (!key)
        return std::unexpected(fromE2ee(key.error(), SyncErrorCode::Internal));
    auto csr = e2ee::createCsr(*key, userId);
    if (!csr)
        return std::unexpected(fromE2ee(csr.error(), SyncErrorCode::Internal));
    auto pem = api.signCsr(*csr);
    if (!pem) {
        if (pem.error().code == SyncErrorCode::Conflict)
            return fail(SyncErrorCode::Config,
                        "the server holds a certificate for " + userId +
                            " but no private key: an earlier setup stopped half-way, or another app keeps the key to "
                            "itself. Nothing was changed; ask the administrator to reset your end-to-end "
                            "encryption keys, then set up again");
        return std::unexpected(pem.error());
    }
    auto certificate = checkedCertificate(*pem, userId, *serverKey, *key);
    if (!certificate)
        return std::unexpected(certificate.error());
    if (auto pinned = pinOwnCertificate(*pins, userId, *certificate); !pinned)
        return std::unexpected(pinned.error());

    auto mnemonic = e2ee::generateMnemonic();
    if (!mnemonic)
        return std::unexpected(fromE2ee(mnemonic.error(), SyncErrorCode::Internal));
    auto envelope = e2ee::wrapPrivateKey(*key, *mnemonic);
    if (!envelope)
        return std::unexpected(fromE2ee(envelope.error(), SyncErrorCode::Internal));
    // The key is kept here before the server learns the envelope: if storing fails, nothing on
    // the server refers to a key this device lost.
    if (auto saved = store.savePrivateKeyPem(key->toPkcs8Pem()); !saved)
        return std::unexpected(saved.error());
    if (auto saved = store.savePins(*pins); !saved)
        return std::unexpected(saved.error());
    if (auto stored = api.storePrivateKeyEnvelope(envelope->toServerString()); !stored)
        return std::unexpected(stored.error());
    NewIdentity out{E2eeIdentity{userId, std::move(*key), std::move(*certificate), std::move(*serverKey)},
                    std::move(*mnemonic)};
    return out;
}

Result<E2eeIdentity> addE2eeDevice(const E2eeApiClient& api, const std::string& userId, std::string_view mnemonic,
                                   E2eeKeyStore& store)
{
    auto words = e2ee::parseMnemonic(mnemonic);
    if (!words)
        return fail(SyncErrorCode::WrongMnemonic, words.error().message);
    auto text = api.privateKeyEnvelope();
    if (!text)
        return std::unexpected(text.error());
    if (!*text)
        return fail(SyncErrorCode::Config, "end-to-end encryption is not set up for " + userId +
                                               " yet; set it up (without the 12 words) on this or another device");
    auto envelope = e2ee::PrivateKeyEnvelope::parse(**text);
    if (!envelope)
        return fail(SyncErrorCode::Protocol, "the private key the server stores cannot be read: " +
                                                 envelope.error().message);
    auto unwrapped = e2ee::unwrapPrivateKey(*envelope, *words);
    if (!unwrapped) {
        if (unwrapped.error().code == e2ee::ErrorCode::WrongMnemonic)
            return fail(SyncErrorCode::WrongMnemonic, "these 12 words do not open the key of " + userId +
                                                          "; check them (the order matters) and try again");
        return std::unexpected(fromE2ee(unwrapped.error()));
    }
    auto pins = store.pins();
    if (!pins)
        return std::unexpected(pins.error());
    auto serverKey = checkedServerKey(api, *pins);
    if (!serverKey)
        return std::unexpected(serverKey.error());
    auto certificates = api.certificates({userId});
    if (!certificates)
        return std::unexpected(certificates.error());
    if (!certificates->contains(userId))
        return untrusted("the server stores a private key for " + userId + " but no certificate");
    auto certificate = checkedCertificate(certificates->at(userId), userId, *serverKey, unwrapped->key);
    if (!certificate)
        return std::unexpected(certificate.error());
    if (auto pinned = pinOwnCertificate(*pins, userId, *certificate); !pinned)
        return std::unexpected(pinned.error());
    if (auto saved = store.savePrivateKeyPem(unwrapped->key.toPkcs8Pem()); !saved)
        return std::unexpected(saved.error());
    if (auto saved = store.savePins(*pins); !saved)
        return std::unexpected(saved.error());
    return E2eeIdentity{userId, std::move(unwrapped->key), std::move(*certificate), std::move(*serverKey)};
}

Result<std::optional<E2eeIdentity>> loadE2eeIdentity(const E2eeApiClient* api, const std::string& userId,
                                                     E2eeKeyStore& store)
{
    auto pem = store.privateKeyPem();
    if (!pem)
        return std::unexpected(pem.error());
    if (!*pem)
        return std::optional<E2eeIdentity>();
    auto key = e2ee::PrivateKey::fromPem(**pem);
    if (!key)
        return fail(SyncErrorCode::Config, "the private key in " + store.location() +
                                               " cannot be read; run `nubocmd e2ee forget` and add this device again");
    auto pins = store.pins();
    if (!pins)
        return std::unexpected(pins.error());
    if (pins->serverKeyPem.empty() || !pins->certificates.contains(userId))
        return fail(SyncErrorCode::Config, "the pinned keys in " + store.location() +
                                               " are missing; run `nubocmd e2ee forget` and add this device again");
    if (api) {
        // What the server says now must still agree with what this device pinned.
        if (auto serverKey = checkedServerKey(*api, *pins); !serverKey)
            return std::unexpected(serverKey.error());
    }
    auto pinnedServerKey = e2ee::PublicKey::fromPem(pins->serverKeyPem);
    if (!pinnedServerKey)
        return fail(SyncErrorCode::Config, "the pinned server key cannot be read");
    auto certificate = checkedCertificate(pins->certificates.at(userId), userId, *pinnedServerKey, *key);
    if (!certificate)
        return std::unexpected(certificate.error());
    if (api) {
        auto current = api->certificates({userId});
        if (!current)
            return std::unexpected(current.error());
        if (!current->contains(userId))
            return untrusted("the server no longer has a certificate for " + userId);
        auto now = e2ee::Certificate::fromPem(current->at(userId));
        if (!now || !(*now == *certificate))
            return untrusted("the server now presents another certificate for " + userId +
                             " than this device pinned; every encrypted folder of this account stops");
    }
    return std::optional<E2eeIdentity>(
        E2eeIdentity{userId, std::move(*key), std::move(*certificate), std::move(*pinnedServerKey)});
}

Result<void> encryptEmptyFolder(const E2eeApiClient& api, const E2eeIdentity& identity, const std::string& fileId)
{
    // Everything that can fail without the server is done first.
    auto metadataKey = e2ee::generateMetadataKey();
    if (!metadataKey)
        return std::unexpected(fromE2ee(metadataKey.error(), SyncErrorCode::Internal));
    e2ee::FolderMetadata metadata;
    metadata.counter = 1; // the web client's first counter; every reader accepts it
    metadata.keyChecksums.push_back(e2ee::metadataKeyChecksum(*metadataKey));
    auto document = e2ee::encryptFolderMetadata(metadata, *metadataKey,
                                                {{identity.userId, identity.certificate.toPem()}});
    if (!document)
        return std::unexpected(fromE2ee(document.error(), SyncErrorCode::Internal));
    const std::string signingBytes = e2ee::metadataSigningBytes(*document);
    auto signature = e2ee::signDetached(
        e2ee::ByteView(reinterpret_cast<const unsigned char*>(signingBytes.data()), signingBytes.size()),
        identity.certificate, identity.key);
    if (!signature)
        return std::unexpected(fromE2ee(signature.error(), SyncErrorCode::Internal));
    const E2eeApiClient::StoredMetadata stored{e2ee::serializeMetadataDocument(*document),
                                               e2ee::base64Encode(*signature)};

    if (auto flagged = api.setEncrypted(fileId); !flagged)
        return flagged;
    const auto undoFlag = [&](SyncError error) -> Result<void> {
        (void)api.clearEncrypted(fileId); // best effort: the folder is empty
        return std::unexpected(std::move(error));
    };
    auto token = api.lock(fileId, metadata.counter);
    if (!token)
        return undoFlag(token.error());
    if (auto written = api.storeMetadata(fileId, stored, *token, true); !written) {
        (void)api.unlock(fileId, *token, true);
        return undoFlag(written.error());
    }
    if (auto unlocked = api.unlock(fileId, *token, false); !unlocked) {
        (void)api.unlock(fileId, *token, true);
        return undoFlag(unlocked.error());
    }
    return {};
}

} // namespace nubo::sync
