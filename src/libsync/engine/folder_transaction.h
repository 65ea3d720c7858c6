// Propagation groups the actions inside one end-to-end encrypted folder tree into one
// transaction: one lock, many blob transfers, one signed metadata write per changed folder, one
// unlock. The server-side steps of the actions inside the tree go through the transaction, which
// knows the server names and what the metadata must say; plain folders need none.
#pragma once

#include "remote_fs.h"
#include "sync_error.h"
#include "sync_types.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nubo::sync {

class Journal;
class JournalView;

// What a write inside the tree produced: the server path the item now has (for a new item of an
// encrypted folder, a fresh 32-hex name) and the server's reply.
struct TransactionUpload {
    std::string serverPath;
    UploadResult result;
};

class FolderTransaction {
public:
    virtual ~FolderTransaction() = default;
    // The lock's token, which every write inside the tree carries.
    virtual std::string token() const = 0;

    // The server-side step of each kind of action inside the tree. plainPath is the item's plain
    // path; serverPath its server path as the journal knows it, or, for a new item (isNew), its
    // parent's server path plus the plain name. The defaults do what a plain folder does, with
    // the token attached (what tests of the grouping need); the E2EE transaction overrides them.
    virtual Result<TransactionUpload> upload(RemoteFs& remote, const std::string& plainPath,
                                             const std::string& serverPath, bool isNew,
                                             const std::filesystem::path& file, UploadOptions options);
    virtual Result<RemoteEntry> makeFolder(RemoteFs& remote, const std::string& plainPath,
                                           const std::string& serverPath);
    // Returns the item's new server path. toServerPath is the destination folder's server path
    // plus the new plain name.
    virtual Result<std::string> move(RemoteFs& remote, const std::string& fromPlain, const std::string& fromServerPath,
                                     const std::string& toPlain, const std::string& toServerPath);
    virtual Result<void> remove(RemoteFs& remote, const std::string& plainPath, const std::string& serverPath,
                                const std::optional<std::string>& ifMatch, const std::string& fileId);

    // Called on the engine's thread before the transfers start, with the uploads of the group that
    // will be chunked: a transaction may record what it needs to resume them after a crash.
    struct PlannedUpload {
        std::string plainPath;
        std::string serverPath; // as for upload()
        bool isNew = false;
        std::string transferBasis; // UploadOptions::transferId the upload will carry
    };
    virtual Result<void> prepareUploads(const std::vector<PlannedUpload>&) { return {}; }

    virtual Result<void> commit() = 0; // write metadata, unlock
    virtual void abort() = 0;          // roll back, unlock
};

// What a transaction may read and record while it begins and ends, on the engine's thread.
struct TransactionContext {
    const JournalView& journal; // the items of the tree as this run knows them
    Journal& database;          // the journal's database (lock tokens survive a crash there)
    RemoteFs& remote;
};

class TransactionFactory {
public:
    virtual ~TransactionFactory() = default;
    // encryptedRoot: the plain path of the outermost encrypted folder of the group.
    virtual Result<std::unique_ptr<FolderTransaction>> begin(const std::string& encryptedRoot,
                                                             const TransactionContext& context) = 0;
};

} // namespace nubo::sync
