#include "e2ee_transaction.h"

#include "cms_signature.h"
#include "encoding.h"
#include "file_encryptor.h"
#include "item_name.h"
#include "journal.h"
#include "metadata.h"
#include "propagator.h"

#include <QMimeDatabase>

#include <mutex>
#include <set>
#include <unordered_map>
#include <nlohmann/json.hpp>

namespace nubo::sync {

namespace {

using nlohmann::json;

constexpr const char* kLocksSetting = "e2ee-locks";
// Chunked encrypted uploads that can resume: {"<top-level file id>": {"<transfer basis>":
// {"id": …, "key": B64, "nonce": B64}}}. Kept only while such an upload is unfinished.
constexpr const char* kUploadsSetting = "e2ee-uploads";

Result<json> readSettingObject(Journal& journal, const char* key)
{
    auto text = journal.setting(key);
    if (!text)
        return std::unexpected(text.error());
    if (!*text || (*text)->empty())
        return json::object();
    json value = json::parse(**text, nullptr, false);
    return value.is_object() ? value : json::object();
}

SyncError fromE2ee(const e2ee::Error& error, SyncErrorCode code)
{
    return SyncError{code, error.message, 0};
}

std::string lastSegment(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The locks this device holds or held, by top-level folder file id: {"<id>": {"token":…,"counter":…}}.
Result<json> readLocks(Journal& journal)
{
    auto text = journal.setting(kLocksSetting);
    if (!text)
        return std::unexpected(text.error());
    if (!*text || (*text)->empty())
        return json::object();
    json locks = json::parse(**text, nullptr, false);
    return locks.is_object() ? locks : json::object();
}

Result<void> writeLocks(Journal& journal, const json& locks)
{
    return journal.setSetting(kLocksSetting, locks.dump());
}

std::unexpected<SyncError> refusedFolder(const std::string& plainFolder, const std::string& why)
{
    return std::unexpected(SyncError{SyncErrorCode::UntrustedKey,
                                     "the encrypted folder '" + e2ee::printableName(plainFolder) +
                                         "' was not changed: " + why + "; nothing in it is changed on this computer",
                                     0});
}

std::string randomId()
{
    auto random = e2ee::randomBytes(16);
    return random ? e2ee::hexEncode(*random) : std::string();
}

// The mimetype the metadata announces (official clients show it as the file's icon): the one of
// the name's extension, looked up once per extension. Qt matches every glob of the MIME database
// against the whole name, compiling a regular expression per pattern and call: about 6% of the
// CPU time of uploading many small files. (A name Qt knows whole, such as CMakeLists.txt, gets
// its extension's type.)
std::string mimeTypeOf(const std::string& name)
{
    const auto lookUp = [](const std::string& fileName) {
        return QMimeDatabase()
            .mimeTypeForFile(QString::fromStdString(fileName), QMimeDatabase::MatchExtension)
            .name()
            .toStdString();
    };
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
        return lookUp(name);
    const std::string extension = name.substr(dot + 1);
    static std::mutex mutex;
    static std::unordered_map<std::string, std::string> byExtension;
    {
        std::lock_guard lock(mutex);
        if (const auto it = byExtension.find(extension); it != byExtension.end())
            return it->second;
    }
    std::string type = lookUp("file." + extension);
    std::lock_guard lock(mutex);
    if (byExtension.size() > 4096)
        byExtension.clear();
    byExtension.emplace(extension, type);
    return type;
}

// The encrypting pass of an upload: AES-GCM over the content, the tag as trailer. Copies share
// the slot where the tag lands, so the transaction learns it whichever copy finished.
class GcmPass final : public EncodingPass {
public:
    GcmPass(e2ee::FileEncryptor encryptor, std::shared_ptr<std::optional<e2ee::Bytes>> tag)
        : m_encryptor(std::move(encryptor)), m_tag(std::move(tag))
    {
    }
    Result<void> update(char* data, std::int64_t size) override
    {
        auto* bytes = reinterpret_cast<std::uint8_t*>(data);
        if (auto done = m_encryptor.update(e2ee::ByteView(bytes, static_cast<std::size_t>(size)), bytes); !done)
            return std::unexpected(fromE2ee(done.error(), SyncErrorCode::Internal));
        return {};
    }
    Result<std::string> finish() override
    {
        auto tag = m_encryptor.finish();
        if (!tag)
            return std::unexpected(fromE2ee(tag.error(), SyncErrorCode::Internal));
        *m_tag = *tag;
        return std::string(tag->begin(), tag->end());
    }
    Result<std::unique_ptr<EncodingPass>> copy() const override
    {
        auto snapshot = m_encryptor.snapshot();
        if (!snapshot)
            return std::unexpected(fromE2ee(snapshot.error(), SyncErrorCode::Internal));
        return std::make_unique<GcmPass>(std::move(*snapshot), m_tag);
    }

private:
    e2ee::FileEncryptor m_encryptor;
    std::shared_ptr<std::optional<e2ee::Bytes>> m_tag;
};

class GcmEncoder final : public UploadEncoder {
public:
    explicit GcmEncoder(e2ee::FileEncryptor start) : m_start(std::move(start)) {}
    std::int64_t trailerSize() const override { return static_cast<std::int64_t>(e2ee::kGcmTagSize); }
    Result<std::unique_ptr<EncodingPass>> start() override
    {
        auto snapshot = m_start.snapshot();
        if (!snapshot)
            return std::unexpected(fromE2ee(snapshot.error(), SyncErrorCode::Internal));
        return std::make_unique<GcmPass>(std::move(*snapshot), m_tag);
    }
    const e2ee::FileEncryptor& encryptor() const { return m_start; }
    const std::optional<e2ee::Bytes>& tag() const { return *m_tag; }

private:
    e2ee::FileEncryptor m_start;
    std::shared_ptr<std::optional<e2ee::Bytes>> m_tag = std::make_shared<std::optional<e2ee::Bytes>>();
};

class E2eeTransaction final : public FolderTransaction {
public:
    E2eeTransaction(std::shared_ptr<E2eeFolderHook> hook, std::string root, const TransactionContext& context)
        : m_hook(std::move(hook)), m_api(m_hook->api()), m_identity(m_hook->identity()), m_root(std::move(root)),
          m_journal(context.journal), m_database(context.database)
    {
    }
    ~E2eeTransaction() override
    {
        if (!m_token.empty() && !m_finished)
            abort();
    }

    Result<void> start(RemoteFs& remote);

    std::string token() const override { return m_token; }
    Result<TransactionUpload> upload(RemoteFs& remote, const std::string& plainPath, const std::string& serverPath,
                                     bool isNew, const std::filesystem::path& file, UploadOptions options) override;
    Result<RemoteEntry> makeFolder(RemoteFs& remote, const std::string& plainPath,
                                   const std::string& serverPath) override;
    Result<std::string> move(RemoteFs& remote, const std::string& fromPlain, const std::string& fromServerPath,
                             const std::string& toPlain, const std::string& toServerPath) override;
    Result<void> remove(RemoteFs& remote, const std::string& plainPath, const std::string& serverPath,
                        const std::optional<std::string>& ifMatch, const std::string& fileId) override;
    Result<void> prepareUploads(const std::vector<PlannedUpload>& planned) override;
    Result<void> commit() override;
    void abort() override;

private:
    struct Folder {
        std::string fileId;
        std::string serverPath;
        e2ee::FolderMetadata metadata;
        std::optional<std::uint64_t> seenCounter; // what was verified; a write goes above it
        bool changed = false;
        bool create = false; // made in this transaction: its metadata is created, not updated
    };

    // The verified metadata of a folder of the tree, read under the lock (call with m_mutex held).
    Result<Folder*> folder(const std::string& plainFolder);
    Result<std::shared_ptr<const e2ee::VerifiedFolder>> readVerified(const std::string& plainFolder,
                                                                     const std::string& fileId, bool topLevel);
    // The entry name `name` has in a folder's metadata (file or folder), except `exceptId`.
    static bool nameTaken(const Folder& folder, const std::string& name, const std::string& exceptId);
    Result<void> releaseLock(bool abort);
    // Records a write of the tree that failed in a way that leaves open whether the server applied
    // it (call with m_mutex held): the commit then refuses, so that the abort rolls the tree back.
    void noteFailedWrite(const std::string& plainPath, const SyncError& error);
    // Writes the resumable uploads still unfinished (engine thread).
    Result<void> saveResumable();

    std::shared_ptr<E2eeFolderHook> m_hook;
    std::shared_ptr<const E2eeApiClient> m_api;
    std::shared_ptr<const E2eeIdentity> m_identity;
    std::string m_root;
    const JournalView& m_journal;
    Journal& m_database;

    std::mutex m_mutex;
    std::string m_topFileId;
    std::shared_ptr<const e2ee::VerifiedFolder> m_top;
    std::string m_token;
    std::uint64_t m_lockCounter = 0;
    bool m_finished = false;
    std::optional<e2ee::SecureBytes> m_migratedKey; // set when the tree's metadata is 1.x
    json m_resumable = json::object();          // this tree's entry of kUploadsSetting
    std::set<std::string> m_resumableDone;      // transfer bases uploaded in this transaction
    std::map<std::string, Folder> m_folders; // by plain path
    std::optional<std::string> m_unknownOutcome; // the first write whose effect on the server is unknown
};

Result<std::shared_ptr<const e2ee::VerifiedFolder>>
E2eeTransaction::readVerified(const std::string& plainFolder, const std::string& fileId, bool topLevel)
{
    auto stored = m_api->metadata(fileId);
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored)
        return refusedFolder(plainFolder, "the server has no metadata for it");
    const e2ee::TrustRequest request = m_hook->trustRequest(**stored, fileId, topLevel ? nullptr : m_top.get());
    auto verified = e2ee::verifyFolder(request);
    if (!verified)
        return refusedFolder(plainFolder, "its metadata failed the " +
                                              std::string(e2ee::trustCheckName(verified.error().check)) + " check (" +
                                              verified.error().message + ")");
    if (topLevel && !verified->isTopLevel())
        return refusedFolder(plainFolder, "its metadata is that of a nested folder, not of a top-level one");
    return std::make_shared<const e2ee::VerifiedFolder>(std::move(*verified));
}

Result<void> E2eeTransaction::start(RemoteFs&)
{
    const auto record = m_journal.get(m_root);
    if (!record || record->fileId.empty())
        return fail(SyncErrorCode::NotFound, "the encrypted folder '" + e2ee::printableName(m_root) +
                                                 "' is not known here yet; it is compared again next time");
    m_topFileId = record->fileId;
    auto locks = readLocks(m_database);
    if (!locks)
        return std::unexpected(locks.error());
    // A lock of ours that a killed run left: released with abort, so what it staged is rolled back.
    std::uint64_t staleCounter = 0;
    if (locks->contains(m_topFileId)) {
        const json& stale = (*locks)[m_topFileId];
        staleCounter = stale.value("counter", std::uint64_t{0});
        if (const std::string token = stale.value("token", std::string()); !token.empty()) {
            auto released = m_api->unlock(m_topFileId, token, true);
            if (!released && released.error().code != SyncErrorCode::NotFound &&
                released.error().code != SyncErrorCode::Forbidden)
                return std::unexpected(released.error());
        }
        locks->erase(m_topFileId);
        if (auto saved = writeLocks(m_database, *locks); !saved)
            return saved;
    }

    auto top = readVerified(m_root, m_topFileId, true);
    if (!top)
        return std::unexpected(top.error());
    // Someone else wrote since discovery read the folder: this run's plan may be out of date.
    if (const auto seen = m_hook->history(m_topFileId); seen && seen->highestCounter &&
                                                         (*top)->metadata.counter > *seen->highestCounter)
        return fail(SyncErrorCode::PreconditionFailed,
                    "the encrypted folder '" + e2ee::printableName(m_root) +
                        "' changed on the server since this sync looked; it is compared again");
    m_top = *top;
    if (m_top->legacy()) {
        // Metadata 1.x is migrated to 2.0 on this first write, as the official client does: under
        // a new metadata key (anyone can wrap a key to our public key, so the old one proves
        // nothing), for this user, with that key's checksum. 1.x is never written.
        auto fresh = e2ee::generateMetadataKey();
        if (!fresh)
            return std::unexpected(fromE2ee(fresh.error(), SyncErrorCode::Internal));
        m_migratedKey = std::move(*fresh);
    }

    // Lock with the next counter. A counter the server refuses although the metadata did not move
    // is one an aborted lock used up (the server keeps the counter a lock announced): go above it.
    // Servers keep the counter a lock announced even when that lock was aborted, so the steps grow
    // (a counter only has to increase; 2^53 is far away).
    const std::uint64_t base = std::max<std::uint64_t>(m_top->metadata.counter, staleCounter);
    std::uint64_t counter = base + 1;
    Result<std::string> token = std::unexpected(SyncError{SyncErrorCode::Internal, "not locked", 0});
    for (const std::uint64_t step : {1, 2, 3, 16, 256, 4096, 65536}) {
        counter = base + step;
        token = m_api->lock(m_topFileId, counter);
        if (token || token.error().code != SyncErrorCode::PreconditionFailed)
            break;
        auto again = readVerified(m_root, m_topFileId, true);
        if (!again)
            return std::unexpected(again.error());
        if ((*again)->metadata.counter != m_top->metadata.counter)
            return fail(SyncErrorCode::PreconditionFailed,
                        "another client changed the encrypted folder '" + e2ee::printableName(m_root) +
                            "' while this sync prepared its changes; it is compared again");
    }
    if (!token) {
        if (token.error().code == SyncErrorCode::Locked)
            return fail(SyncErrorCode::Locked, "the encrypted folder '" + e2ee::printableName(m_root) +
                                                   "' is locked by another client that is changing it; Nubo tries "
                                                   "again in a later sync");
        return std::unexpected(token.error());
    }
    m_token = *token;
    m_lockCounter = counter;
    // Written before anything else: a run killed from here on leaves a lock the next run finds.
    (*locks)[m_topFileId] = json{{"token", m_token}, {"counter", m_lockCounter}};
    if (auto saved = writeLocks(m_database, *locks); !saved) {
        (void)m_api->unlock(m_topFileId, m_token, true);
        m_token.clear();
        return saved;
    }
    if (auto uploads = readSettingObject(m_database, kUploadsSetting); uploads && uploads->contains(m_topFileId))
        m_resumable = (*uploads)[m_topFileId];
    Folder top_{m_topFileId, record->serverPath, m_top->metadata, m_top->metadata.counter, false, false};
    m_folders.emplace(m_root, std::move(top_));
    return {};
}

Result<E2eeTransaction::Folder*> E2eeTransaction::folder(const std::string& plainFolder)
{
    if (const auto it = m_folders.find(plainFolder); it != m_folders.end())
        return &it->second;
    if (!isInside(plainFolder, m_root))
        return fail(SyncErrorCode::Internal, "'" + e2ee::printableName(plainFolder) + "' is outside the encrypted folder '" +
                                                 e2ee::printableName(m_root) + "'");
    const auto record = m_journal.get(plainFolder);
    if (!record || record->type != ItemType::Directory || record->fileId.empty())
        return fail(SyncErrorCode::NotFound, "the folder '" + e2ee::printableName(plainFolder) +
                                                 "' is not on the server yet; it is compared again next time");
    auto verified = readVerified(plainFolder, record->fileId, false);
    if (!verified)
        return std::unexpected(verified.error());
    Folder entry{record->fileId, record->serverPath, (*verified)->metadata, (*verified)->metadata.counter, false, false};
    return &m_folders.emplace(plainFolder, std::move(entry)).first->second;
}

bool E2eeTransaction::nameTaken(const Folder& folder, const std::string& name, const std::string& exceptId)
{
    for (const auto& [id, file] : folder.metadata.files)
        if (id != exceptId && file.filename == name)
            return true;
    for (const auto& [id, sub] : folder.metadata.folders)
        if (id != exceptId && sub == name)
            return true;
    return false;
}

Result<TransactionUpload> E2eeTransaction::upload(RemoteFs& remote, const std::string& plainPath,
                                                  const std::string& serverPath, bool isNew,
                                                  const std::filesystem::path& file, UploadOptions options)
{
    const std::string name = fileName(plainPath);
    std::string id;
    std::string folderServerPath;
    {
        std::lock_guard lock(m_mutex);
        auto parent = folder(parentPath(plainPath));
        if (!parent)
            return std::unexpected(parent.error());
        folderServerPath = (*parent)->serverPath;
        if (isNew) {
            if (nameTaken(**parent, name, {}))
                return fail(SyncErrorCode::PreconditionFailed,
                            "an item with this name appeared in the encrypted folder on the server; it is compared "
                            "again");
            id = randomId();
        } else {
            id = lastSegment(serverPath);
            if (!(*parent)->metadata.files.contains(id))
                return fail(SyncErrorCode::PreconditionFailed,
                            "its folder's metadata on the server no longer lists it; it is compared again");
        }
    }
    // A fresh key and nonce for every upload, a changed file included; a chunked upload that was
    // cut off resumes under the pair (and name) its first attempt recorded for this very version.
    e2ee::Result<e2ee::FileKey> key = std::unexpected(e2ee::Error{e2ee::ErrorCode::Internal, "no key"});
    const std::string basis = options.transferId;
    {
        std::lock_guard lock(m_mutex);
        if (m_resumable.contains(basis)) {
            const json& entry = m_resumable[basis];
            auto rawKey = e2ee::base64Decode(entry.value("key", std::string()));
            auto rawNonce = e2ee::base64Decode(entry.value("nonce", std::string()));
            if (rawKey && rawNonce)
                key = e2ee::FileKey::forResumedUpload(*rawKey, *rawNonce);
            if (isNew)
                id = entry.value("id", id);
        }
    }
    if (!key)
        key = e2ee::FileKey::generate();
    if (!key)
        return std::unexpected(fromE2ee(key.error(), SyncErrorCode::Internal));
    if (id.size() != 32)
        return fail(SyncErrorCode::Internal, "no random name for the new file");
    auto encryptor = e2ee::FileEncryptor::start(std::move(*key));
    if (!encryptor)
        return std::unexpected(fromE2ee(encryptor.error(), SyncErrorCode::Internal));
    auto encoder = std::make_shared<GcmEncoder>(std::move(*encryptor));
    // A new key is a new transfer: chunks of an attempt under another key must not be reused.
    const std::string session = basis + e2ee::hexEncode(encoder->encryptor().nonce());
    options.transferId =
        "nubo-e-" +
        e2ee::sha256Hex(e2ee::ByteView(reinterpret_cast<const unsigned char*>(session.data()), session.size()))
            .substr(0, 32);
    options.encoder = encoder;
    options.e2eToken = m_token;
    options.checksum.clear();
    options.mustNotExist = isNew;
    if (isNew)
        options.ifMatch.reset();
    const std::string target = joinPath(folderServerPath, id);
    auto sent = remote.upload(target, file, options);
    if (!sent || !encoder->tag()) {
        const SyncError error =
            sent ? SyncError{SyncErrorCode::Internal, "the upload ended without the encryption's tag", 0, true}
                 : sent.error();
        std::lock_guard lock(m_mutex);
        noteFailedWrite(plainPath, error);
        return std::unexpected(error);
    }

    e2ee::FileEntry entry;
    entry.filename = name;
    entry.mimetype = mimeTypeOf(name);
    entry.key = e2ee::toSecure(e2ee::ByteView(encoder->encryptor().key()));
    entry.nonce = encoder->encryptor().nonce();
    entry.authenticationTag = *encoder->tag();
    {
        std::lock_guard lock(m_mutex);
        auto parent = folder(parentPath(plainPath));
        if (!parent)
            return std::unexpected(parent.error());
        (*parent)->metadata.files[id] = std::move(entry);
        (*parent)->changed = true;
        m_resumableDone.insert(basis);
    }
    return TransactionUpload{target, std::move(*sent)};
}

Result<RemoteEntry> E2eeTransaction::makeFolder(RemoteFs& remote, const std::string& plainPath, const std::string&)
{
    const std::string name = fileName(plainPath);
    std::lock_guard lock(m_mutex); // folders are made one after another anyway
    auto parent = folder(parentPath(plainPath));
    if (!parent)
        return std::unexpected(parent.error());
    if (nameTaken(**parent, name, {}))
        return fail(SyncErrorCode::PreconditionFailed,
                    "an item with this name appeared in the encrypted folder on the server; it is compared again");
    const std::string id = randomId();
    const std::string target = joinPath((*parent)->serverPath, id);
    auto made = remote.makeFolder(target, m_token);
    if (!made) {
        noteFailedWrite(plainPath, made.error());
        return std::unexpected(made.error());
    }
    // The folder exists from here on: a failure leaves it unlisted, so the tree is rolled back.
    if (made->fileId.empty()) {
        const SyncError error{SyncErrorCode::Protocol, "the server gave no file id for the new folder", 0, true};
        noteFailedWrite(plainPath, error);
        return std::unexpected(error);
    }
    // Current servers flag a folder made inside an encrypted one themselves; older ones need it.
    if (!made->encrypted) {
        if (auto flagged = m_api->setEncrypted(made->fileId); !flagged) {
            SyncError error = flagged.error();
            error.outcomeUnknown = true;
            noteFailedWrite(plainPath, error);
            return std::unexpected(error);
        }
    }
    made->serverPath = target;
    made->encrypted = true;
    Folder created{made->fileId, target, {}, std::nullopt, true, true};
    m_folders[plainPath] = std::move(created);
    (*parent)->metadata.folders[id] = name;
    (*parent)->changed = true;
    return made;
}

Result<std::string> E2eeTransaction::move(RemoteFs& remote, const std::string& fromPlain,
                                          const std::string& fromServerPath, const std::string& toPlain,
                                          const std::string&)
{
    const std::string id = lastSegment(fromServerPath);
    const std::string newName = fileName(toPlain);
    std::lock_guard lock(m_mutex);
    auto source = folder(parentPath(fromPlain));
    if (!source)
        return std::unexpected(source.error());
    auto destination = folder(parentPath(toPlain));
    if (!destination)
        return std::unexpected(destination.error());
    Folder& from = **source;
    Folder& to = **destination;
    const bool isFile = from.metadata.files.contains(id);
    if (!isFile && !from.metadata.folders.contains(id))
        return fail(SyncErrorCode::PreconditionFailed,
                    "its folder's metadata on the server no longer lists it; it is compared again");
    if (nameTaken(to, newName, id))
        return fail(SyncErrorCode::PreconditionFailed,
                    "an item with the new name is already in the encrypted folder on the server; it is compared again");
    std::string newServerPath = fromServerPath;
    if (&from != &to) {
        // Another folder of the tree: the blob (or folder) moves under its own name; nothing is
        // sent again. Within one folder a rename is a metadata change only.
        newServerPath = joinPath(to.serverPath, id);
        if (auto moved = remote.move(fromServerPath, newServerPath, m_token); !moved) {
            noteFailedWrite(fromPlain, moved.error());
            return std::unexpected(moved.error());
        }
    }
    if (isFile) {
        e2ee::FileEntry entry = std::move(from.metadata.files.at(id));
        from.metadata.files.erase(id);
        entry.filename = newName;
        to.metadata.files[id] = std::move(entry);
    } else {
        from.metadata.folders.erase(id);
        to.metadata.folders[id] = newName;
        // Folders of the moved subtree known to this transaction follow it.
        std::map<std::string, Folder> moved;
        for (auto it = m_folders.begin(); it != m_folders.end();) {
            if (isInside(it->first, fromPlain)) {
                Folder f = std::move(it->second);
                if (isInside(f.serverPath, fromServerPath))
                    f.serverPath = rebase(f.serverPath, fromServerPath, newServerPath);
                moved.emplace(rebase(it->first, fromPlain, toPlain), std::move(f));
                it = m_folders.erase(it);
            } else {
                ++it;
            }
        }
        m_folders.merge(moved);
    }
    from.changed = true;
    to.changed = true;
    return newServerPath;
}

Result<void> E2eeTransaction::remove(RemoteFs& remote, const std::string& plainPath, const std::string& serverPath,
                                     const std::optional<std::string>& ifMatch, const std::string&)
{
    const std::string id = lastSegment(serverPath);
    {
        std::lock_guard lock(m_mutex);
        auto parent = folder(parentPath(plainPath));
        if (!parent)
            return std::unexpected(parent.error());
    }
    auto removed = remote.remove(serverPath, ifMatch, m_token);
    std::lock_guard lock(m_mutex);
    if (!removed && removed.error().code != SyncErrorCode::NotFound) {
        noteFailedWrite(plainPath, removed.error());
        return removed;
    }
    auto parent = folder(parentPath(plainPath));
    if (!parent)
        return std::unexpected(parent.error());
    (*parent)->metadata.files.erase(id);
    (*parent)->metadata.folders.erase(id);
    (*parent)->changed = true;
    for (auto it = m_folders.begin(); it != m_folders.end();)
        it = isInside(it->first, plainPath) ? m_folders.erase(it) : std::next(it);
    return {};
}

Result<void> E2eeTransaction::prepareUploads(const std::vector<PlannedUpload>& planned)
{
    std::lock_guard lock(m_mutex);
    json kept = json::object();
    for (const PlannedUpload& upload : planned) {
        if (m_resumable.contains(upload.transferBasis)) {
            kept[upload.transferBasis] = m_resumable[upload.transferBasis];
            continue;
        }
        auto key = e2ee::randomBytes(e2ee::kFileKeySize);
        auto nonce = e2ee::randomBytes(e2ee::kFileNonceSize);
        if (!key || !nonce)
            return fail(SyncErrorCode::Internal, "no random bytes for a file key");
        const std::string id = upload.isNew ? randomId() : lastSegment(upload.serverPath);
        kept[upload.transferBasis] = json{{"id", id}, {"key", e2ee::base64Encode(*key)}, {"nonce", e2ee::base64Encode(*nonce)}};
    }
    // Entries of versions that are no longer planned (the file changed since) are dropped.
    m_resumable = std::move(kept);
    return saveResumable();
}

Result<void> E2eeTransaction::saveResumable()
{
    auto uploads = readSettingObject(m_database, kUploadsSetting);
    if (!uploads)
        return std::unexpected(uploads.error());
    for (const std::string& done : m_resumableDone)
        m_resumable.erase(done);
    if (m_resumable.empty())
        uploads->erase(m_topFileId);
    else
        (*uploads)[m_topFileId] = m_resumable;
    return m_database.setSetting(kUploadsSetting, uploads->dump());
}

void E2eeTransaction::noteFailedWrite(const std::string& plainPath, const SyncError& error)
{
    // Committing after a write the server may have applied would pair a blob with an entry that
    // does not describe it (an overwritten blob under the old key, a moved blob its folder does
    // not list). A refusal, or a cut chunk (outside the tree), changed nothing here.
    if (error.outcomeUnknown && !m_unknownOutcome)
        m_unknownOutcome = "'" + e2ee::printableName(plainPath) + "' (" + error.message + ")";
}

Result<void> E2eeTransaction::commit()
{
    std::lock_guard lock(m_mutex);
    if (m_finished)
        return fail(SyncErrorCode::Internal, "the transaction is already finished");
    if (m_unknownOutcome)
        return fail(SyncErrorCode::ServerError,
                    "the change of " + *m_unknownOutcome +
                        " failed without a clear refusal, so whether the server applied it is unknown; this run's "
                        "changes in the encrypted folder '" +
                        e2ee::printableName(m_root) + "' were rolled back on the server and are sent again next run");
    std::vector<e2ee::MetadataRecipient> recipients;
    if (m_migratedKey)
        recipients.push_back({m_identity->userId, m_identity->certificate.toPem()});
    else
        for (const e2ee::UserEntry& user : m_top->document.users)
            recipients.push_back({user.userId, user.certificatePem});
    const bool keep21 = m_top->version() == 21;
    const e2ee::SecureBytes& metadataKey = m_migratedKey ? *m_migratedKey : m_top->metadataKey;
    const std::vector<std::string> keyChecksums =
        m_migratedKey ? std::vector<std::string>{e2ee::metadataKeyChecksum(*m_migratedKey)} : m_top->metadata.keyChecksums;

    struct Written {
        std::string fileId;
        std::uint64_t counter;
    };
    std::vector<Written> written;
    for (auto& [plain, f] : m_folders) {
        const bool top = plain == m_root;
        if (!top && !f.changed && !f.create)
            continue;
        e2ee::FolderMetadata metadata = f.metadata;
        // The top-level counter is the one the lock announced; a nested folder's goes one up.
        metadata.counter = top ? m_lockCounter : f.seenCounter.value_or(0) + 1;
        if (top)
            metadata.keyChecksums = keyChecksums;
        else
            metadata.keyChecksums.clear();
        metadata.deleted = false;
        metadata.duplicateIds.clear();
        auto document = e2ee::encryptFolderMetadata(metadata, metadataKey,
                                                    top ? recipients : std::vector<e2ee::MetadataRecipient>{});
        if (!document)
            return std::unexpected(fromE2ee(document.error(), SyncErrorCode::Internal));
        if (top && keep21) {
            // A folder shared by link stays 2.1, with its s: users (PROTOCOL.md §4.5).
            document->version = "2.1";
            document->json["version"] = "2.1";
        }
        const std::string bytes = e2ee::metadataSigningBytes(*document);
        auto signature = e2ee::signDetached(
            e2ee::ByteView(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), m_identity->certificate,
            m_identity->key);
        if (!signature)
            return std::unexpected(fromE2ee(signature.error(), SyncErrorCode::Internal));
        auto stored = m_api->storeMetadata(
            f.fileId, {e2ee::serializeMetadataDocument(*document), e2ee::base64Encode(*signature)}, m_token, f.create);
        if (!stored)
            return std::unexpected(SyncError{stored.error().code,
                                             "writing the metadata of '" + e2ee::printableName(plain) +
                                                 "' failed: " + stored.error().message,
                                             stored.error().httpStatus});
        written.push_back({f.fileId, metadata.counter});
    }
    if (auto released = releaseLock(false); !released)
        return released;
    (void)saveResumable(); // at worst an upload that is done is resumed once more, which is harmless
    // What this device wrote is what it has seen: a rollback below it is caught from now on.
    for (const Written& w : written) {
        E2eeFolderHistory history = m_hook->history(w.fileId).value_or(E2eeFolderHistory{});
        history.highestCounter = std::max(history.highestCounter.value_or(0), w.counter);
        if (w.fileId == m_topFileId)
            for (const std::string& sum : keyChecksums)
                if (std::find(history.keyChecksums.begin(), history.keyChecksums.end(), sum) ==
                    history.keyChecksums.end())
                    history.keyChecksums.push_back(sum);
        std::sort(history.keyChecksums.begin(), history.keyChecksums.end());
        history.highestVersion = std::max(history.highestVersion, keep21 ? 21 : 20);
        m_hook->remember(w.fileId, history);
        if (auto saved = m_database.saveE2eeHistory(w.fileId, history); !saved)
            return saved;
    }
    return {};
}

Result<void> E2eeTransaction::releaseLock(bool abort)
{
    m_finished = true;
    if (m_token.empty())
        return {};
    auto unlocked = m_api->unlock(m_topFileId, m_token, abort);
    if (!unlocked && !abort)
        return unlocked;
    // Forgotten only once the server released it (an abort that failed is retried next run).
    if (unlocked || unlocked.error().code == SyncErrorCode::NotFound) {
        if (auto locks = readLocks(m_database); locks) {
            locks->erase(m_topFileId);
            (void)writeLocks(m_database, *locks);
        }
    }
    m_token.clear();
    return {};
}

void E2eeTransaction::abort()
{
    std::lock_guard lock(m_mutex);
    (void)releaseLock(true);
    // The chunks of unfinished uploads stay on the server (the abort rolls back the folder, not
    // the upload sessions): the next attempt resumes them.
    (void)saveResumable();
}

} // namespace

std::string e2eeLockSettingKey(const std::string& folderFileId)
{
    return std::string(kLocksSetting) + " " + folderFileId;
}

Result<void> abortStaleE2eeLocks(const E2eeApiClient& api, Journal& journal)
{
    auto locks = readLocks(journal);
    if (!locks)
        return std::unexpected(locks.error());
    if (locks->empty())
        return {};
    json kept = json::object();
    for (const auto& [fileId, lock] : locks->items()) {
        if (lock.value("token", std::string()).empty()) {
            kept[fileId] = lock;
            continue;
        }
        auto released = api.unlock(fileId, lock.value("token", std::string()), true);
        // Gone already (expired, or the folder was removed): nothing left to release.
        if (!released && released.error().code != SyncErrorCode::NotFound &&
            released.error().code != SyncErrorCode::Forbidden)
            kept[fileId] = lock; // the server did not answer: try again next run
        else
            kept[fileId] = json{{"token", ""}, {"counter", lock.value("counter", std::uint64_t{0})}};
    }
    return writeLocks(journal, kept);
}

Result<std::unique_ptr<FolderTransaction>> E2eeTransactionFactory::begin(const std::string& encryptedRoot,
                                                                         const TransactionContext& context)
{
    auto transaction = std::make_unique<E2eeTransaction>(m_hook, encryptedRoot, context);
    if (auto started = transaction->start(context.remote); !started)
        return std::unexpected(started.error());
    return transaction;
}

} // namespace nubo::sync
