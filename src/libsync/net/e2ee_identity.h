// This device's end-to-end encryption identity for one account (PROTOCOL.md §4.1–4.3): the
// user's private key (kept in a CredentialStore: the OS keychain, or a private file), the user's
// certificate, and the keys this device pinned on first use. Setting up the first device makes
// the key, has the server certify it and stores it wrapped with a new 12-word mnemonic; every
// further device unwraps that with the 12 words. Nothing is trusted that the pins contradict.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "credential_store.h"
#include "e2ee_api_client.h"
#include "keys.h"
#include "secure_bytes.h"
#include "sync_error.h"

namespace nubo::sync {

// Trust on first use, per account: the server's key and every user certificate seen.
struct E2eePins {
    std::string serverKeyPem;
    std::map<std::string, std::string> certificates; // user id -> PEM
};

// Where one account's key and pins live. Keys: "e2ee-private-key <account>", "e2ee-mnemonic
// <account>" and "e2ee-pins <account>", where <account> is "<user>@<server URL>".
class E2eeKeyStore {
public:
    E2eeKeyStore(std::shared_ptr<CredentialStore> store, std::string account, std::string location);

    Result<std::optional<e2ee::SecureString>> privateKeyPem();
    Result<void> savePrivateKeyPem(std::string_view pem);
    // The 12 words, kept beside the key as the official clients keep them, so the app can show
    // them again later (after the user logged in again). nullopt when this device has none (set
    // up by nubocmd, or before the words were kept). Stored normalised (PROTOCOL.md §4.2).
    Result<std::optional<e2ee::SecureString>> mnemonic();
    Result<void> saveMnemonic(std::string_view words);
    Result<E2eePins> pins();
    Result<void> savePins(const E2eePins& pins);
    // Removes the key, the 12 words and the pins of this account from the store.
    Result<void> forget();

    const std::string& location() const { return m_location; } // for messages: "the OS keychain", a path

private:
    std::shared_ptr<CredentialStore> m_store;
    std::string m_account;
    std::string m_location;
};

enum class KeyStoreKind {
    Keychain, // the OS keychain through QtKeychain (Secret Service, KWallet, macOS, Windows)
    File,     // $XDG_DATA_HOME/nubo/e2ee-keys.json, mode 0600: for machines without a keychain
};
std::filesystem::path e2eeKeyFilePath();

// The account's key store, tried once: a keychain that does not answer is an error that names
// the file store as the way out.
Result<E2eeKeyStore> openE2eeKeyStore(const Account& account, KeyStoreKind kind);

struct E2eeIdentity {
    std::string userId;
    e2ee::PrivateKey key;
    e2ee::Certificate certificate;
    e2ee::PublicKey serverKey;
    // SHA-256 of the certificate (DER), as `openssl x509 -fingerprint -sha256` shows it but
    // lowercase: "ab:cd:...".
    std::string fingerprint() const;
};

struct NewIdentity {
    E2eeIdentity identity;
    e2ee::SecureString mnemonic; // shown to the user once, then forgotten
};

// First device of an account: fails (Config) when the server already stores a key for the user.
Result<NewIdentity> createE2eeIdentity(const E2eeApiClient& api, const std::string& userId, E2eeKeyStore& store);

// A further device: unwraps the server's envelope with the 12 words. WrongMnemonic when they do
// not open it (one unwrap), Config naming the word when a word is not in the list.
Result<E2eeIdentity> addE2eeDevice(const E2eeApiClient& api, const std::string& userId, std::string_view mnemonic,
                                   E2eeKeyStore& store);

// This device's identity from the store; nullopt when it has none. With `api`, the server's
// current key and the user's certificate are compared with the pins (UntrustedKey if changed).
Result<std::optional<E2eeIdentity>> loadE2eeIdentity(const E2eeApiClient* api, const std::string& userId,
                                                     E2eeKeyStore& store);

// Makes an empty server folder an end-to-end encrypted one (PROTOCOL.md §4.8): flags it, locks
// it, writes its first metadata (a new metadata key encrypted to this user, counter 1, the key's
// checksum, signed) and unlocks. On a failure after the flag the lock is aborted and the flag
// cleared, so no half-encrypted folder is left.
Result<void> encryptEmptyFolder(const E2eeApiClient& api, const E2eeIdentity& identity, const std::string& fileId);

} // namespace nubo::sync
