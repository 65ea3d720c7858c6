// Propagation: carries out a reconciled plan. Moves first (in order), then replaced items, then
// folders top-down, then transfers and deletes in parallel; the journal follows each completed
// action in memory and is written in batches by the engine's thread.
#pragma once

#include "reconcile.h"
#include "remote_fs.h"
#include "sync_engine.h"
#include "sync_types.h"

#include <atomic>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace nubo::sync {

class Journal;
class Trash;
class TransactionFactory;
class FolderTransaction;

// What an action may do to the journal. Thread-safe.
class JournalView {
public:
    virtual ~JournalView() = default;
    virtual void upsert(const std::string& path, JournalRecord record) = 0;
    virtual void removeTree(const std::string& path) = 0;
    // Moves a subtree; server paths that equal their plain path follow it, and with fromServer
    // given, server paths inside fromServer are rebased onto toServer instead (an encrypted tree,
    // whose server names are not its plain names).
    virtual void moveTree(const std::string& from, const std::string& to, const std::string& fromServer = {},
                          const std::string& toServer = {}) = 0;
    virtual std::optional<JournalRecord> get(const std::string& path) const = 0;
};

// The journal as propagation changes it: an in-memory tree plus the paths changed since the last
// flush, written to SQLite in one transaction per batch.
class JournalState final : public JournalView {
public:
    explicit JournalState(JournalTree initial) : m_tree(std::move(initial)) {}

    void upsert(const std::string& path, JournalRecord record) override;
    void removeTree(const std::string& path) override;
    void moveTree(const std::string& from, const std::string& to, const std::string& fromServer = {},
                  const std::string& toServer = {}) override;
    std::optional<JournalRecord> get(const std::string& path) const override;
    JournalTree snapshot() const;
    JournalTree subtree(const std::string& root) const;
    // Whether anything lies below `root` (not counting root itself); copies nothing.
    bool hasChildren(const std::string& root) const;

    // Writes what changed since the last flush; call from the thread that owns `journal`.
    Result<void> flush(Journal& journal);

private:
    mutable std::mutex m_mutex;
    JournalTree m_tree;
    std::set<std::string> m_dirty;     // upserted since the last flush
    std::vector<std::string> m_deleted; // subtrees removed since the last flush, in order
};

// The journal changes of one end-to-end encrypted folder tree, held back until its transaction
// commits: if the metadata write fails, the journal must not claim the items are synced.
class StagedJournal final : public JournalView {
public:
    StagedJournal(const JournalView& base, std::string root, JournalTree subtree);

    void upsert(const std::string& path, JournalRecord record) override;
    void removeTree(const std::string& path) override;
    void moveTree(const std::string& from, const std::string& to, const std::string& fromServer = {},
                  const std::string& toServer = {}) override;
    std::optional<JournalRecord> get(const std::string& path) const override;

    // Applies the recorded changes, in order.
    void replayInto(JournalView& target) const;

private:
    struct Change {
        enum Kind { Upsert, Remove, Move } kind;
        std::string path, to, fromServer, toServer;
        JournalRecord record;
    };
    const JournalView& m_base;
    std::string m_root;
    JournalState m_inside;
    mutable std::mutex m_mutex;
    std::vector<Change> m_changes;
};

struct PropagationContext {
    std::filesystem::path localRoot;
    RemoteFs* remote = nullptr;
    const SyncOptions* options = nullptr;
    Trash* trash = nullptr;           // null: deletions remove
    std::string clientId;             // salts upload transfer ids
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const ItemReport&)> started;
    std::function<void(const ItemReport&)> finished;
    std::function<void(std::int64_t delta)> transferred; // bytes moved over the network
    std::function<void()> tick;       // called on the engine's thread while workers run (journal flush)
    // The plain path of the outermost end-to-end encrypted folder holding a path, or "" when the
    // path is in a plain folder. May be empty (everything plain).
    std::function<std::string(const std::string& path)> encryptionRoot;
    TransactionFactory* transactions = nullptr; // may be null: encrypted groups then fail
    Journal* database = nullptr;                // for transactions; owned by the engine's thread
};

class Propagator {
public:
    Propagator(PropagationContext context, JournalState& journal);

    // Runs every action; returns one report per action that did something or failed.
    std::vector<ItemReport> run(const std::vector<Action>& actions);
    // run() left work that only another pass over fresh trees can do: an edit made on the server
    // to a file this computer moved across an encrypted folder's boundary stays at the old place
    // (see run()), and comes down there in the next pass.
    bool needsAnotherPass() const { return m_needsAnotherPass; }

private:
    void runGroup(const std::vector<const Action*>& actions, std::vector<ItemReport>& reports);
    void runEncryptedGroup(const std::string& root, const std::vector<const Action*>& actions,
                           std::vector<ItemReport>& reports);
    // The journal the current thread's actions write to: the engine's, or a group's staging.
    JournalView& journal() const;
    ItemReport execute(const Action& action);
    // A transfer's progress callback: tells the context the bytes moved since its last call.
    std::function<void(std::int64_t bytesDone)> progressReporter() const;
    // What execute() does before and after an action: a refusal of an unsafe path (reported
    // finished), or the started report; then the finished report.
    std::optional<ItemReport> begin(const Action& action);
    ItemReport end(const Action& action, ItemReport report);

    // A file about to be uploaded: read and hashed, unchanged while it was.
    struct PreparedUpload {
        std::filesystem::path file;
        LocalEntry before;     // as it was hashed
        std::string checksum;  // "SHA1:<hex>"; empty while pendingChecksum runs
        // A large file hashed while its chunks go up (only the final MOVE needs the checksum):
        // its SHA1, or FileChanged when the file changed while it was hashed.
        std::shared_future<Result<std::string>> pendingChecksum;
        std::string serverPath;
        std::int64_t mtime = 0; // what the server gets
    };
    // The report instead when there is nothing to send (an error, or only the time changed).
    // hashWhileSending: a large file that is new on the server (nothing to compare the hash with
    // before sending) is hashed on a thread of its own while it is uploaded.
    std::expected<PreparedUpload, ItemReport> prepareUpload(const Action& action, bool hashWhileSending = false);
    // The journal row and report of an upload the server confirmed.
    ItemReport recordUpload(const Action& action, const PreparedUpload& prepared, const std::string& uploadedPath,
                            const UploadResult& result);
    ItemReport upload(const Action& action);
    // Whether an action may go in a bulk upload, and the uploads of a batch of such actions (each
    // file the bulk did not store goes up on its own).
    bool bulkCandidate(const Action& action) const;
    std::vector<ItemReport> uploadBatch(const std::vector<const Action*>& batch);
    ItemReport download(const Action& action);
    ItemReport conflict(const Action& action);
    ItemReport makeLocalFolder(const Action& action);
    ItemReport makeRemoteFolder(const Action& action);
    ItemReport moveRemote(const Action& action);
    // After a move made on the server for a move made here: the local fields of the moved item.
    void recordMovedHere(const Action& action);
    ItemReport moveLocal(const Action& action);
    void moveJournalAlongTheServer(const Action& action);
    ItemReport deleteLocal(const Action& action);
    ItemReport deleteRemote(const Action& action);
    ItemReport updateJournal(const Action& action);

    void runParallel(const std::vector<const Action*>& actions, std::vector<ItemReport>& reports);
    std::string serverPathOf(const std::string& plainPath) const;
    RemoteEntry movedAlong(RemoteEntry remote) const;
    std::filesystem::path localPath(const std::string& plainPath) const;
    Result<void> ensureRemoteParents(const std::string& plainPath);
    std::string transferId(const std::string& path, const LocalEntry& entry) const;
    std::string encryptedTransferBasis(const std::string& path, const LocalEntry& entry) const;
    // GET of a file into `target`; a file of an encrypted folder arrives decrypted, and only once
    // its tag verified. The result's checksum and size are those of what `target` holds.
    Result<DownloadResult> fetch(const RemoteEntry& remote, const std::string& serverPath, const std::filesystem::path& target,
                                 DownloadOptions options);

    PropagationContext m_context;
    JournalState& m_journal;
    // The transaction of the encrypted tree whose actions run now; null for plain folders.
    FolderTransaction* m_transaction = nullptr;
    std::atomic<bool> m_diskFull{false};
    std::string m_diskFullMessage;
    std::mutex m_messageMutex;
    // Server-side folder moves this run made inside encrypted trees: (from, to) server paths.
    // Plain folders whose server name is spelled otherwise than here (set before any worker runs).
    std::map<std::string, std::string> m_serverSpelling;
    bool m_needsAnotherPass = false;
    mutable std::mutex m_movesMutex;
    std::vector<std::pair<std::string, std::string>> m_serverFolderMoves;
};

} // namespace nubo::sync
