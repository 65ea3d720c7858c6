// One sync run of a local folder against a server folder: discovery on both sides, reconcile,
// the mass-delete guard, propagation in parallel, journal. The same engine runs in nubocmd, the
// GUI and the tests; it reports progress through Qt signals emitted from its worker threads (use
// Qt::QueuedConnection in a GUI, Qt::DirectConnection in a CLI).
#pragma once

#include "exclude_list.h"
#include "folder_lock.h"
#include "reconcile.h"
#include "remote_fs.h"
#include "sync_error.h"

#include <QObject>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nubo::sync {

class Account;
class Journal;
struct RemoteDiscovery;

class RemoteFolderHook;
class TransactionFactory;

// What a run does when it would delete more than the mass-delete guard allows.
enum class MassDeleteDecision : std::uint8_t {
    Refuse,  // stop before anything is touched, with SyncErrorCode::MassDelete and a MassDeleteReport
    Delete,  // propagate the deletions (nubocmd --allow-mass-delete)
    Restore, // delete nothing on either side; bring every item the run would delete back from the
             // side that still has it (see ReconcileOptions::restoreDeletions)
};

// What a refused mass deletion would have removed, in SyncError::massDelete. The run that was
// refused changed nothing, so the same items are still there to delete or restore.
struct MassDeleteReport {
    // Where most of the items were deleted: on the server (the run would delete them here), or
    // here (the run would delete them on the server). A run where both sides deleted items lists
    // both sides' items in `paths`; `onServer` and `here` count them apart.
    bool deletedOnServer = false;
    std::int64_t total = 0;    // items the run would delete, subtrees counted
    std::int64_t onServer = 0; // of those, deleted on the server
    std::int64_t here = 0;     // of those, deleted on this computer
    std::int64_t known = 0;    // items the journal knew
    // Relative paths of the items (a deleted folder and everything below it), sorted; only the
    // first SyncOptions::massDeletePathsKept of them (`total` counts them all).
    std::vector<std::string> paths;
};

struct SyncOptions {
    std::filesystem::path localRoot;
    int parallelism = 6;                          // transfers at once
    ExcludeList excludes = ExcludeList::defaults();
    std::vector<std::string> unsyncedFolders;     // selective sync: relative folder paths, both sides
    // Mass-delete guard: a run that would delete more than this share of the known items (and
    // at least massDeleteMinimum of them) does what massDeleteDecision says; Refuse stops it with
    // SyncErrorCode::MassDelete and a MassDeleteReport. Delete and Restore apply to every run of
    // the engine (nubocmd --allow-mass-delete, even with --watch); an app that asks the user gives
    // the answer for one run with SyncEngine::decideMassDeleteForNextRun instead.
    double massDeleteShare = 0.5;
    std::int64_t massDeleteMinimum = 10;
    MassDeleteDecision massDeleteDecision = MassDeleteDecision::Refuse;
    std::size_t massDeletePathsKept = 10'000; // MassDeleteReport::paths at most
    // Local deletions caused by remote ones go to the desktop trash when this is set and a trash
    // is usable; otherwise they are removed.
    bool useTrash = true;
    std::optional<std::filesystem::path> trashFolder; // default: the user's freedesktop trash
    int maxRetries = 3;                           // extra passes for items that failed retryably
    std::int64_t chunkThreshold = 10 * 1024 * 1024;
    std::int64_t chunkSize = 10 * 1024 * 1024; // the first chunk's size; later ones adapt
    // Chunks of one plain upload sent at once, and the time a chunk should take (the official
    // client's target: a minute); see UploadOptions.
    int parallelChunks = 3;
    std::int64_t targetChunkMilliseconds = 60'000;
    std::int64_t backoffBaseSeconds = 25;         // error blacklist: first wait, doubled each failure
    // … but an item in an encrypted folder another client has locked (423) waits at most this
    // long: a lock is held for minutes, and a day's wait after it is gone would leave it unsynced.
    std::int64_t lockedBackoffMaxSeconds = 120;
    std::optional<bool> caseInsensitive;          // default: probe the local filesystem
    // Whose name rules decide which server names can be made here (reported and skipped when
    // not); default: this build's platform. Windows' rules also fold case.
    std::optional<NamePlatform> namePlatform;
    std::int64_t minimumFreeSpace = 64 * 1024 * 1024; // downloads stop when less than this is free
    // New local items one pass takes at most (0: all). Beyond them, new files and folders wait
    // for a further pass of the same run (unchanged_subtrees.h), so a first upload of a million
    // files holds a pass's worth in memory, not the tree. Each pass scans the folder again.
    std::size_t newItemsPerPass = 15'000;
};

// What happened to one item, as reported to the user.
struct ItemReport {
    ActionKind kind = ActionKind::UpdateJournal;
    ItemType type = ItemType::File;
    std::string path;
    std::string from;         // moves
    bool ok = true;
    SyncErrorCode code = SyncErrorCode::Internal; // when !ok
    std::string message;      // when !ok: what went wrong and what to do
    std::string conflictCopy; // Conflict: where the local version was kept
    std::int64_t bytes = 0;
    bool encrypted = false;   // the item is (or goes) inside an end-to-end encrypted folder
};

struct SyncSummary {
    std::int64_t uploaded = 0, downloaded = 0;
    std::int64_t movedRemote = 0, movedLocal = 0;
    std::int64_t deletedRemote = 0, deletedLocal = 0;
    std::int64_t foldersCreated = 0;
    std::int64_t conflicts = 0;
    std::int64_t bytesUploaded = 0, bytesDownloaded = 0;
    std::int64_t skipped = 0;            // excluded, blacklisted (waiting for their back-off)
    std::vector<ItemReport> errors;      // items that could not be synced, with reasons
    std::vector<std::string> warnings;   // skipped symlinks, unreadable folders, …
    int passes = 0;                      // 1 + retries that were needed + passes for new items
    int passesForNewItems = 0;           // passes taken because new items exceeded newItemsPerPass
    // Entries reconcile compared in the last pass, local, server and journal together: what the
    // run held in memory. Only what changed and the folders above it (unchanged_subtrees.h).
    std::int64_t itemsCompared = 0;
    double seconds = 0;
    bool inSync() const { return errors.empty(); }
};

class SyncEngine : public QObject {
    Q_OBJECT
public:
    SyncEngine(std::shared_ptr<RemoteFs> remote, SyncOptions options, QObject* parent = nullptr);
    ~SyncEngine() override;

    // The extension points the E2EE issue fills; by default names are taken as they are and
    // every transaction is a no-op.
    void setFolderHook(std::shared_ptr<RemoteFolderHook> hook);
    void setTransactionFactory(std::shared_ptr<TransactionFactory> factory);

    // One complete run, blocking. Item failures are in the summary; the error result is for
    // what stops the whole run (credentials, TLS, journal, mass delete, cancel, unreachable,
    // another engine on the same folder: FolderBusy).
    Result<SyncSummary> run();

    // From any thread, while no run is in progress: the next run (only) decides a mass deletion
    // so, whether or not the guard trips; the run after it follows options().massDeleteDecision
    // again. Restore then deletes nothing and brings back everything that run would delete. Used
    // by an app that asked the user after a refused run; a run that fails early still uses it up.
    void decideMassDeleteForNextRun(MassDeleteDecision decision);

    // From any thread: stop the current run as soon as running transfers notice.
    void cancel();
    // Withdraws a cancel() that found no run to stop (it would stop the next run at once). Only
    // while no run is in progress.
    void clearCancel() { m_cancel = false; }

    const SyncOptions& options() const { return m_options; }

signals:
    void phaseChanged(const QString& phase); // "discovery", "reconcile", "propagation", "done"
    void planReady(qint64 actions, qint64 bytesToTransfer);
    void itemStarted(const nubo::sync::ItemReport& item);
    void itemFinished(const nubo::sync::ItemReport& item);
    void transferProgress(qint64 bytesDone, qint64 bytesTotal);

private:
    // The server folders to keep because a folder deleted here holds a folder this device does
    // not sync (left out by selective sync, or encrypted without a key here: `leftAlone`) that is
    // still on the server (each reported in `warnings`).
    std::set<std::string> foldersHoldingUnsyncedFolders(const Plan& plan, const std::set<std::string>& leftAlone,
                                                        std::vector<std::string>& warnings);
    // The encrypted folders left alone for lack of a key, as the journal kept them from earlier
    // runs, updated with this run's listings (and saved back).
    static Result<std::set<std::string>> rememberLeftAlone(Journal& journal, const RemoteDiscovery& remote);

    std::shared_ptr<RemoteFs> m_remote;
    SyncOptions m_options;
    std::shared_ptr<RemoteFolderHook> m_hook;
    std::shared_ptr<TransactionFactory> m_transactions;
    std::atomic<bool> m_cancel{false};
    std::atomic<int> m_nextDecision{-1}; // a MassDeleteDecision for the next run, or -1
    // Taken by the first run and kept while the engine lives (a --watch keeps the folder).
    std::optional<FolderLock> m_lock;
};

// The server folder a sync connection names (account.config().remoteRoot) may not exist before its
// first sync: it is made then, with its parents (true when made). Once `localRoot` has a journal it
// is not made again: a folder gone after earlier syncs is the user's to settle, and the engine would
// see everything in it as deleted on the server. Config error when it is a file.
Result<bool> ensureRemoteRoot(const std::shared_ptr<const Account>& account, const std::filesystem::path& localRoot);

} // namespace nubo::sync

Q_DECLARE_METATYPE(nubo::sync::ItemReport)
