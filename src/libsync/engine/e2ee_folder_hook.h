// End-to-end encrypted folders in discovery: each listed encrypted folder's metadata is fetched
// and verified (every check of PROTOCOL.md §4.7, against the history this device keeps in the
// journal), and its 32-hex server names become the plain names the metadata gives. A folder
// whose metadata fails a check is an error for that folder only: discovery then keeps the
// journal's view of it, so nothing in it looks deleted and nothing local is touched.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "e2ee_api_client.h"
#include "e2ee_identity.h"
#include "journal.h"
#include "remote_discovery.h"
#include "secure_bytes.h"
#include "sync_engine.h"
#include "trust.h"

namespace nubo::sync {

struct EncryptedFileInfo {
    e2ee::SecureBytes key;
    e2ee::Bytes nonce;
    e2ee::Bytes tag;
    std::string mimetype;
};

// GET of a file into `target`; a file of an encrypted folder (entry.encryptedFile) arrives
// decrypted, and only once its GCM tag verified: the blob goes to a temporary file of its own,
// and a blob that does not match its signed metadata leaves nothing behind (UntrustedKey). The
// result's checksum and size are those of what `target` holds.
Result<DownloadResult> downloadFile(RemoteFs& remote, const RemoteEntry& entry, const std::string& serverPath,
                                    const std::filesystem::path& target, DownloadOptions options);

class E2eeFolderHook final : public RemoteFolderHook {
public:
    E2eeFolderHook(std::shared_ptr<const E2eeApiClient> api, std::shared_ptr<const E2eeIdentity> identity,
                   bool caseInsensitiveDisk = false);

    Result<std::vector<std::pair<std::string, RemoteEntry>>> translate(const std::string& plainFolder,
                                                                        const RemoteListing& listing) override;
    Result<void> beforeDiscovery(Journal& journal) override;
    Result<void> afterDiscovery(Journal& journal) override;

    // For the transactions of this run (e2ee_transaction.h): what this device has seen of a
    // folder (the journal's history, advanced by this run's reads), and what it wrote itself.
    std::optional<E2eeFolderHistory> history(const std::string& fileId);
    void remember(const std::string& fileId, const E2eeFolderHistory& history);
    void withdraw(const std::string& plainFolder, const std::string& fileId) override;
    // The request that verifies `stored` (folder `fileId`'s metadata as the server returned it;
    // it must outlive the request) with this device's identity, against what the journal saw of
    // that folder. `topLevel`: the verified top-level folder above a nested one, else null.
    e2ee::TrustRequest trustRequest(const E2eeApiClient::StoredMetadata& stored, const std::string& fileId,
                                    const e2ee::VerifiedFolder* topLevel);
    const std::shared_ptr<const E2eeApiClient>& api() const { return m_api; }
    const std::shared_ptr<const E2eeIdentity>& identity() const { return m_identity; }
    bool caseInsensitiveDisk() const { return m_caseInsensitive; }

private:
    std::shared_ptr<const E2eeApiClient> m_api;
    std::shared_ptr<const E2eeIdentity> m_identity;
    bool m_caseInsensitive;
    std::mutex m_mutex;
    std::map<std::string, E2eeFolderHistory> m_histories; // by file id
    std::set<std::string> m_advanced;                      // file ids whose history moved this run
    // Their histories before this run's reads (nullopt: none), for withdraw().
    std::map<std::string, std::optional<E2eeFolderHistory>> m_before;
    // Verified folders of this run by plain path, and the top-level folder each belongs to.
    std::map<std::string, std::shared_ptr<const e2ee::VerifiedFolder>> m_topLevelOf;
};

// The rescue path (`nubocmd e2ee export`): the encrypted folder `serverFolder` (a top-level one)
// and everything below it, verified with `hook` and written decrypted below `outDir`, which must be
// empty or missing; no journal is read or written, nothing on the server changes. Each item that
// cannot be verified or decrypted is reported through onFailure (printable path, reason) and
// left out; the rest goes on. Fails only when the folder itself cannot be read.
struct ExportSummary {
    int files = 0, folders = 0, failures = 0;
    std::int64_t bytes = 0;
};
Result<ExportSummary> exportEncryptedFolder(RemoteFs& remote, RemoteFolderHook& hook, const std::string& serverFolder,
                                            const std::filesystem::path& outDir,
                                            const std::function<void(const std::string&, const SyncError&)>& onFailure);

// Stands in for E2eeFolderHook when this device cannot trust the account's keys (a changed server
// key, a swapped certificate, a damaged key store): every encrypted folder is an error with that
// reason, and the journal's view stands in for it, so nothing in it is deleted or overwritten.
class RefusingFolderHook final : public RemoteFolderHook {
public:
    explicit RefusingFolderHook(SyncError reason) : m_reason(std::move(reason)) {}
    Result<std::vector<std::pair<std::string, RemoteEntry>>> translate(const std::string& plainFolder,
                                                                        const RemoteListing&) override;

private:
    SyncError m_reason;
};

// How a sync connection treats end-to-end encrypted folders, from the account and this device's key
// store: with the key, a hook that reads and writes them; with keys the pins contradict (a changed
// server key or certificate), a hook that refuses every encrypted folder and the reason, for the
// user to see; without a key (or without E2EE on the server), no hook: encrypted folders wait.
// `kind`: where the key is; nullopt means the keychain when there is one, else nothing.
struct E2eeSetup {
    std::shared_ptr<RemoteFolderHook> hook;
    std::optional<SyncError> problem;
};
E2eeSetup e2eeSetupFor(const std::shared_ptr<const Account>& account, std::optional<KeyStoreKind> kind);

// Gives `engine` the hook, and with an E2eeFolderHook the transactions that write encrypted folders.
void useFolderHook(SyncEngine& engine, std::shared_ptr<RemoteFolderHook> hook);

} // namespace nubo::sync
