#include "e2ee_folder_hook.h"

#include "e2ee_transaction.h"

#include "file_cipher.h"
#include "file_encryptor.h"
#include "item_name.h"
#include "local_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <span>
#include <unistd.h>

#include <algorithm>

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

e2ee::FolderHistory toE2ee(const E2eeFolderHistory& history)
{
    e2ee::FolderHistory out;
    out.highestCounter = history.highestCounter;
    out.keyChecksums.insert(history.keyChecksums.begin(), history.keyChecksums.end());
    out.highestVersion = history.highestVersion;
    return out;
}

E2eeFolderHistory fromE2ee(const e2ee::FolderHistory& history)
{
    return E2eeFolderHistory{history.highestCounter, {history.keyChecksums.begin(), history.keyChecksums.end()},
                             history.highestVersion};
}

std::unexpected<SyncError> refused(const std::string& plainFolder, std::string why)
{
    return std::unexpected(SyncError{SyncErrorCode::UntrustedKey,
                                     "the encrypted folder '" + e2ee::printableName(plainFolder) + "' is left alone: " +
                                         why + "; nothing in it is changed on this computer",
                                     0});
}

} // namespace

E2eeFolderHook::E2eeFolderHook(std::shared_ptr<const E2eeApiClient> api, std::shared_ptr<const E2eeIdentity> identity,
                               bool caseInsensitiveDisk)
    : m_api(std::move(api)), m_identity(std::move(identity)), m_caseInsensitive(caseInsensitiveDisk)
{
}

std::optional<E2eeFolderHistory> E2eeFolderHook::history(const std::string& fileId)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_histories.find(fileId);
    if (it == m_histories.end())
        return std::nullopt;
    return it->second;
}

void E2eeFolderHook::remember(const std::string& fileId, const E2eeFolderHistory& history)
{
    std::lock_guard lock(m_mutex);
    m_histories[fileId] = history;
}

Result<void> E2eeFolderHook::beforeDiscovery(Journal& journal)
{
    // A run killed while it held a lock left it on the server: released with abort first, so
    // what it staged is rolled back and this run lists what the server committed.
    if (auto released = abortStaleE2eeLocks(*m_api, journal); !released)
        return released;
    auto histories = journal.e2eeHistories();
    if (!histories)
        return std::unexpected(histories.error());
    std::lock_guard lock(m_mutex);
    m_histories = std::move(*histories);
    m_advanced.clear();
    m_before.clear();
    m_topLevelOf.clear();
    return {};
}

e2ee::TrustRequest E2eeFolderHook::trustRequest(const E2eeApiClient::StoredMetadata& stored, const std::string& fileId,
                                                const e2ee::VerifiedFolder* topLevel)
{
    e2ee::TrustRequest request;
    request.metadata = stored.document;
    request.signature =
        e2ee::ByteView(reinterpret_cast<const unsigned char*>(stored.signature.data()), stored.signature.size());
    request.serverKey = &m_identity->serverKey;
    request.userId = m_identity->userId;
    request.privateKey = &m_identity->key;
    request.topLevel = topLevel;
    request.localNames = m_caseInsensitive ? e2ee::NameCase::Insensitive : e2ee::NameCase::Sensitive;
    std::lock_guard lock(m_mutex);
    if (const auto it = m_histories.find(fileId); it != m_histories.end())
        request.seen = toE2ee(it->second);
    return request;
}

void E2eeFolderHook::withdraw(const std::string& plainFolder, const std::string& fileId)
{
    std::lock_guard lock(m_mutex);
    m_topLevelOf.erase(plainFolder);
    const auto before = m_before.find(fileId);
    if (before == m_before.end())
        return;
    if (before->second)
        m_histories[fileId] = *before->second;
    else
        m_histories.erase(fileId);
    m_advanced.erase(fileId);
}

Result<void> E2eeFolderHook::afterDiscovery(Journal& journal)
{
    std::lock_guard lock(m_mutex);
    // Persisted whatever the run does next: a rollback must be caught on the next run too.
    for (const std::string& fileId : m_advanced)
        if (auto saved = journal.saveE2eeHistory(fileId, m_histories.at(fileId)); !saved)
            return saved;
    m_advanced.clear();
    return {};
}

Result<std::vector<std::pair<std::string, RemoteEntry>>> E2eeFolderHook::translate(const std::string& plainFolder,
                                                                                    const RemoteListing& listing)
{
    const std::string& fileId = listing.self.fileId;
    if (fileId.empty())
        return refused(plainFolder, "the server gave no file id for it");
    auto stored = m_api->metadata(fileId);
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored)
        return refused(plainFolder, "the server has no metadata for it (it was never set up, or the server lost it)");

    // An encrypted folder inside a verified one is nested: its keys and signers come from there.
    std::shared_ptr<const e2ee::VerifiedFolder> topLevel;
    {
        std::lock_guard lock(m_mutex);
        for (std::string above = plainFolder; !above.empty();) {
            above = parentPath(above);
            if (const auto it = m_topLevelOf.find(above); it != m_topLevelOf.end()) {
                topLevel = it->second;
                break;
            }
            if (above.empty())
                break;
        }
    }
    std::set<std::string> serverIds;
    for (const auto& [name, entry] : listing.children)
        serverIds.insert(name);
    e2ee::TrustRequest request = trustRequest(**stored, fileId, topLevel.get());
    request.serverIds = &serverIds;
    auto verified = e2ee::verifyFolder(request);
    if (!verified)
        return refused(plainFolder, "its metadata failed the " + std::string(e2ee::trustCheckName(verified.error().check)) +
                                        " check (" + verified.error().message + ")");
    auto folder = std::make_shared<const e2ee::VerifiedFolder>(std::move(*verified));

    // Every file the metadata names must have its blob: otherwise the server (or a client that
    // stopped half-way) lost it, and treating the file as deleted would delete the local copy.
    for (const auto& [id, file] : folder->metadata.files)
        if (!serverIds.contains(id))
            return refused(plainFolder, "the server holds no blob for '" + e2ee::printableName(file.filename) +
                                            "', which its metadata lists");
    for (const auto& [id, name] : folder->metadata.folders)
        if (!serverIds.contains(id))
            return refused(plainFolder, "the server holds no folder for '" + e2ee::printableName(name) +
                                            "', which its metadata lists");

    std::vector<std::pair<std::string, RemoteEntry>> children;
    for (const auto& [id, entry] : listing.children) {
        RemoteEntry plain = entry;
        plain.serverPath = joinPath(listing.self.serverPath, id);
        plain.encrypted = true;
        if (const auto file = folder->metadata.files.find(id); file != folder->metadata.files.end()) {
            if (entry.type != ItemType::File)
                return refused(plainFolder, "'" + e2ee::printableName(file->second.filename) +
                                                "' is a file in its metadata but a folder on the server");
            auto info = std::make_shared<EncryptedFileInfo>();
            info->key = file->second.key;
            info->nonce = file->second.nonce;
            info->tag = file->second.authenticationTag;
            info->mimetype = file->second.mimetype;
            plain.encryptedFile = std::move(info);
            plain.checksum.clear(); // the server's checksum is the blob's, not the content's
            plain.size = std::max<std::int64_t>(0, entry.size - static_cast<std::int64_t>(e2ee::kGcmTagSize));
            children.emplace_back(file->second.filename, std::move(plain));
        } else if (const auto sub = folder->metadata.folders.find(id); sub != folder->metadata.folders.end()) {
            if (entry.type != ItemType::Directory)
                return refused(plainFolder, "'" + e2ee::printableName(sub->second) +
                                                "' is a folder in its metadata but a file on the server");
            children.emplace_back(sub->second, std::move(plain));
        }
        // Anything else is a blob the metadata does not name (an upload another client had not
        // finished): not an item of the folder.
    }

    std::lock_guard lock(m_mutex);
    if (!m_before.contains(fileId)) {
        const auto it = m_histories.find(fileId);
        m_before[fileId] = it == m_histories.end() ? std::nullopt : std::optional(it->second);
    }
    m_histories[fileId] = fromE2ee(folder->history);
    m_advanced.insert(fileId);
    m_topLevelOf[plainFolder] = topLevel ? topLevel : folder;
    return children;
}

Result<ExportSummary> exportEncryptedFolder(RemoteFs& remote, RemoteFolderHook& hook, const std::string& serverFolder,
                                            const fs::path& outDir,
                                            const std::function<void(const std::string&, const SyncError&)>& onFailure)
{
    std::error_code error;
    if (fs::exists(outDir, error) && !fs::is_empty(outDir, error))
        return fail(SyncErrorCode::Config, "'" + outDir.string() + "' is not empty: export writes into an empty or new "
                                                                   "folder only, so nothing is overwritten");
    fs::create_directories(outDir, error);
    if (error)
        return std::unexpected(errnoError(error.value(), "creating", outDir));
    auto top = remote.list(serverFolder);
    if (!top)
        return std::unexpected(top.error());
    if (!top->self.encrypted)
        return fail(SyncErrorCode::Config, "'" + e2ee::printableName(serverFolder) + "' is not end-to-end encrypted");

    ExportSummary summary;
    struct Pending {
        std::string plain; // relative to outDir
        RemoteListing listing;
    };
    std::vector<Pending> pending{{"", std::move(*top)}};
    while (!pending.empty()) {
        Pending folder = std::move(pending.back());
        pending.pop_back();
        // The hook knows folders by plain path; the exported folder is its own root here. (Not
        // joinPath(serverFolder, ""): "vault/" would not be found as the parent of "vault/sub", and
        // every nested folder would then be checked as a top-level one and refused.)
        auto children = hook.translate(folder.plain.empty() ? serverFolder : joinPath(serverFolder, folder.plain),
                                       folder.listing);
        if (!children) {
            ++summary.failures;
            onFailure(folder.plain.empty() ? "." : e2ee::printableName(folder.plain), children.error());
            continue;
        }
        for (auto& [name, entry] : *children) {
            const std::string plain = joinPath(folder.plain, name);
            if (auto invalid = e2ee::invalidNameReason(name)) {
                ++summary.failures;
                onFailure(e2ee::printableName(plain), SyncError{SyncErrorCode::NameNotAllowed, *invalid, 0});
                continue;
            }
            const fs::path target = outDir / plain;
            if (entry.type == ItemType::Directory) {
                fs::create_directory(target, error);
                auto listing = error ? Result<RemoteListing>(std::unexpected(errnoError(error.value(), "creating", target)))
                                     : remote.list(entry.serverPath);
                if (!listing) {
                    ++summary.failures;
                    onFailure(e2ee::printableName(plain), listing.error());
                    continue;
                }
                ++summary.folders;
                pending.push_back({plain, std::move(*listing)});
                continue;
            }
            const fs::path temp = temporaryPathFor(target);
            auto got = downloadFile(remote, entry, entry.serverPath, temp, {});
            Result<void> placed = got ? renameNoReplace(temp, target) : Result<void>(std::unexpected(got.error()));
            if (got && placed && entry.mtime > 0)
                (void)setModificationTime(target, entry.mtime);
            if (!got || !placed) {
                fs::remove(temp, error);
                ++summary.failures;
                onFailure(e2ee::printableName(plain), got ? placed.error() : got.error());
                continue;
            }
            ++summary.files;
            summary.bytes += got->size;
        }
    }
    return summary;
}

Result<std::vector<std::pair<std::string, RemoteEntry>>> RefusingFolderHook::translate(const std::string& plainFolder,
                                                                                        const RemoteListing&)
{
    return refused(plainFolder, m_reason.message);
}



namespace {

// Decrypts a blob as it arrives (e2ee::FileDecryptor): the target receives plaintext, which counts
// only once finish() verified the tag against the signed metadata's.
class GcmDecoder final : public DownloadDecoder {
public:
    explicit GcmDecoder(e2ee::FileDecryptor decryptor) : m_decryptor(std::move(decryptor)) {}
    Result<void> update(const char* data, std::int64_t size, std::string& out) override
    {
        // Straight into `out`, without zero-filling or copying it first.
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
        const std::size_t at = out.size();
        SyncError error;
        out.resize_and_overwrite(at + static_cast<std::size_t>(size) + e2ee::kGcmTagSize,
                                 [&](char* buffer, std::size_t) -> std::size_t {
                                     auto written = m_decryptor.update(
                                         e2ee::ByteView(bytes, static_cast<std::size_t>(size)),
                                         reinterpret_cast<std::uint8_t*>(buffer) + at);
                                     if (!written) {
                                         error = SyncError{SyncErrorCode::Internal, written.error().message, 0};
                                         return at;
                                     }
                                     return at + *written;
                                 });
        if (!error.message.empty())
            return std::unexpected(error);
        return {};
    }
    Result<void> finish(std::string& out) override
    {
        m_buffer.clear();
        if (auto done = m_decryptor.finish(m_buffer); !done)
            return fail(SyncErrorCode::UntrustedKey, "its content on the server does not match its signed metadata (" +
                                                         done.error().message +
                                                         "): it was tampered with or damaged; nothing was written here");
        out.append(reinterpret_cast<const char*>(m_buffer.data()), m_buffer.size());
        return {};
    }

private:
    e2ee::FileDecryptor m_decryptor;
    e2ee::Bytes m_buffer;
};

} // namespace

Result<DownloadResult> downloadFile(RemoteFs& remoteFs, const RemoteEntry& remote, const std::string& serverPath,
                                    const fs::path& target, DownloadOptions options)
{
    if (!remote.encryptedFile)
        return remoteFs.download(serverPath, target, options);
    const EncryptedFileInfo& info = *remote.encryptedFile;
    // Decrypted while it arrives, into `target` (a temporary file the caller renames into place
    // only after this returns, i.e. after the tag verified; on any failure it is removed).
    auto decryptor = e2ee::FileDecryptor::start(info.key, info.nonce, info.tag);
    if (!decryptor)
        return fail(SyncErrorCode::UntrustedKey, "its key material in the metadata is not usable (" +
                                                     decryptor.error().message + "); nothing was written here");
    options.expectedChecksum.clear(); // the GCM tag checks every byte
    options.decoder = std::make_shared<GcmDecoder>(std::move(*decryptor));
    auto got = remoteFs.download(serverPath, target, options);
    if (!got && got.error().code == SyncErrorCode::UntrustedKey && !remote.etag.empty()) {
        // Another device that replaces the file writes the blob first and the metadata with its
        // tag at the end of its run: a download in between reads a new blob against the old tag.
        // Then the blob's ETag moved on since the listing, and the next run reads both again.
        // (Nothing is written either way; a server that keeps doing this is named as suspect.)
        if (auto now = remoteFs.stat(serverPath); now && !now->etag.empty() && now->etag != remote.etag)
            return fail(SyncErrorCode::PreconditionFailed,
                        "it changed on the server while it was downloaded (most likely another device is writing "
                        "it right now), so it did not match its metadata; nothing was written here, and it is read "
                        "again with its new metadata. If this keeps happening, the server may be tampering with it");
    }
    return got;
}

E2eeSetup e2eeSetupFor(const std::shared_ptr<const Account>& account, std::optional<KeyStoreKind> kind)
{
    if (!account->capabilities().e2eeEnabled)
        return {};
    auto api = E2eeApiClient::forAccount(*account);
    if (!api)
        return {};
    auto store = openE2eeKeyStore(*account, kind.value_or(KeyStoreKind::Keychain));
    if (!store) {
        if (!kind)
            return {}; // no keychain here and none asked for: encrypted folders wait
        return {std::make_shared<RefusingFolderHook>(store.error()), store.error()};
    }
    auto identity = loadE2eeIdentity(&*api, account->davUser(), *store);
    if (!identity)
        return {std::make_shared<RefusingFolderHook>(identity.error()), identity.error()};
    if (!*identity)
        return {};
    return {std::make_shared<E2eeFolderHook>(std::make_shared<E2eeApiClient>(std::move(*api)),
                                             std::make_shared<E2eeIdentity>(std::move(**identity))),
            std::nullopt};
}

void useFolderHook(SyncEngine& engine, std::shared_ptr<RemoteFolderHook> hook)
{
    if (!hook)
        return;
    if (auto e2ee = std::dynamic_pointer_cast<E2eeFolderHook>(hook))
        engine.setTransactionFactory(std::make_shared<E2eeTransactionFactory>(e2ee));
    engine.setFolderHook(std::move(hook));
}

} // namespace nubo::sync
