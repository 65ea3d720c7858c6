#include "sync_engine.h"

#include <nlohmann/json.hpp>

#include "encoding.h"
#include "folder_transaction.h"
#include "item_name.h"
#include "journal.h"
#include "local_discovery.h"
#include "local_file.h"
#include "propagator.h"
#include "remote_discovery.h"
#include "unchanged_subtrees.h"
#include "trash.h"
#include "webdav_client.h"

#include <chrono>
#include <ctime>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>
#ifdef __GLIBC__ // defined by the headers above
#include <malloc.h> // malloc_trim
#endif

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

// NFC of a path (ICU's tables, as for the names of encrypted folders); not UTF-8: itself.
std::string nfc(const std::string& text)
{
    return e2ee::nameCollisionKey(text, e2ee::NameCase::Sensitive);
}

bool insideAny(const std::string& path, const std::vector<std::string>& folders)
{
    for (const std::string& folder : folders)
        if (isInside(path, folder))
            return true;
    return false;
}

std::string normaliseFolder(std::string folder)
{
    while (!folder.empty() && folder.front() == '/')
        folder.erase(folder.begin());
    while (!folder.empty() && folder.back() == '/')
        folder.pop_back();
    return folder;
}

template <typename Tree>
void dropSubtrees(Tree& tree, const std::vector<std::string>& folders)
{
    if (folders.empty())
        return;
    for (auto it = tree.begin(); it != tree.end();)
        it = insideAny(it->first, folders) ? tree.erase(it) : std::next(it);
}

bool retryable(const ItemReport& report)
{
    return SyncError{report.code, {}, 0}.retryable();
}

} // namespace

SyncEngine::SyncEngine(std::shared_ptr<RemoteFs> remote, SyncOptions options, QObject* parent)
    : QObject(parent), m_remote(std::move(remote)), m_options(std::move(options))
{
    qRegisterMetaType<nubo::sync::ItemReport>();
    for (std::string& folder : m_options.unsyncedFolders)
        folder = normaliseFolder(folder);
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::setFolderHook(std::shared_ptr<RemoteFolderHook> hook) { m_hook = std::move(hook); }

void SyncEngine::setTransactionFactory(std::shared_ptr<TransactionFactory> factory)
{
    m_transactions = std::move(factory);
}

void SyncEngine::cancel() { m_cancel = true; }

void SyncEngine::decideMassDeleteForNextRun(MassDeleteDecision decision)
{
    m_nextDecision = static_cast<int>(decision);
}

Result<SyncSummary> SyncEngine::run()
{
    const auto startTime = std::chrono::steady_clock::now();
    // A cancel() that came before the run starts stops it at once; the flag is reset at the end.
    struct ResetCancel {
        std::atomic<bool>& flag;
        ~ResetCancel() { flag = false; }
    } resetCancel{m_cancel};
    const int givenDecision = m_nextDecision.exchange(-1);
    const MassDeleteDecision massDeleteDecision =
        givenDecision < 0 ? m_options.massDeleteDecision : static_cast<MassDeleteDecision>(givenDecision);
    const fs::path root = m_options.localRoot;
    std::error_code error;
    if (!fs::is_directory(root, error))
        return fail(SyncErrorCode::Config, "the local folder '" + root.string() + "' does not exist or is not a folder");

    if (!m_lock) {
        auto lock = FolderLock::acquire(root);
        if (!lock)
            return std::unexpected(lock.error());
        m_lock.emplace(std::move(*lock));
    }
    auto journal = Journal::open(root / JOURNAL_FILE_NAME);
    if (!journal)
        return std::unexpected(journal.error());
    auto clientId = (*journal)->setting("client-id");
    if (!clientId)
        return std::unexpected(clientId.error());
    std::string id = clientId->value_or("");
    if (id.empty()) {
        auto random = e2ee::randomBytes(16);
        if (!random)
            return fail(SyncErrorCode::Internal, random.error().message);
        id = e2ee::hexEncode(*random);
        if (auto saved = (*journal)->setSetting("client-id", id); !saved)
            return std::unexpected(saved.error());
    }

    // Probed once per engine: the probe file would wake a watcher on every run.
    if (!m_options.caseInsensitive)
        m_options.caseInsensitive = isCaseInsensitiveFilesystem(root);
    const bool caseInsensitive = *m_options.caseInsensitive;
    std::optional<Trash> trash;
    if (m_options.useTrash)
        trash = m_options.trashFolder ? Trash(*m_options.trashFolder) : Trash::forCurrentUser();

    SyncSummary summary;
    std::map<std::string, ItemReport> lastFailure; // by path, from the latest pass
    std::set<std::string> succeeded;
    std::map<std::string, ItemReport> waitingReports; // blacklisted items that sat this run out
    std::set<std::string> blacklisted;                // everything on the blacklist when the run began
    std::vector<ItemReport> listingErrors; // items neither scan could take, from the latest pass
    const auto now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };

    int passes = 1 + std::max(0, m_options.maxRetries);
    // New items deferred by the pass before; a pass for them must leave fewer (see below).
    std::int64_t deferredBefore = std::numeric_limits<std::int64_t>::max();
    bool followedUp = false; // the one pass for a propagation's follow-up work was taken
    for (int pass = 1; pass <= passes; ++pass) {
        summary.passes = pass;
        lastFailure.clear();
        emit phaseChanged(QStringLiteral("discovery"));

        // What is not synced at all: excluded names, selective sync, conflict copies, our temp files.
        const auto skip = [&](const std::string& path, ItemType) {
            const std::string name = fileName(path);
            return insideAny(path, m_options.unsyncedFolders) || isConflictCopyName(name) || isTemporaryName(name);
        };
        // Journal records of such items are neither compared nor read.
        const auto hidden = [&](const std::string& path, ItemType type) {
            return skip(path, type) || m_options.excludes.isExcluded(path, type == ItemType::Directory);
        };

        // The server first: the local scan then keeps only what changed on either side
        // (unchanged_subtrees.h), so a huge unchanged tree is never held whole.
        RemoteDiscoveryOptions remoteOptions;
        remoteOptions.excludes = &m_options.excludes;
        remoteOptions.skip = skip;
        remoteOptions.hook = m_hook.get();
        remoteOptions.parallelism = m_options.parallelism;
        remoteOptions.cancel = &m_cancel;
        if (m_hook)
            if (auto loaded = m_hook->beforeDiscovery(**journal); !loaded)
                return std::unexpected(loaded.error());
        auto remote = discoverRemote(*m_remote, **journal, remoteOptions);
        if (m_hook)
            if (auto saved = m_hook->afterDiscovery(**journal); !saved)
                return std::unexpected(saved.error());
        const auto rootGone = [&] {
            const auto top = m_remote->stat("");
            return !top && top.error().code == SyncErrorCode::NotFound;
        };
        if (!remote && remote.error().code == SyncErrorCode::NotFound && rootGone()) {
            // The server folder itself went away (deleted in the web interface, by another client):
            // nothing is done here, and it is not made again behind the user's back.
            return fail(SyncErrorCode::Config,
                        "the server folder this folder syncs with is gone (deleted or moved on the server); nothing "
                        "was changed here. Restore it on the server (the web interface's trash), or remove this "
                        "sync connection and add it again with another server folder");
        }
        if (!remote) {
            // A server that is briefly unreachable or busy gets the same passes as failed items.
            if (remote.error().retryable() && pass < passes && !m_cancel) {
                std::this_thread::sleep_for(std::chrono::milliseconds(500 * pass));
                continue;
            }
            return std::unexpected(remote.error());
        }
        // A journal belongs to the server folder it was synced with: pointed at another one (a
        // changed --path, a connection removed and added elsewhere), its records would make every
        // file here look deleted there, and be deleted here. Nothing is done then.
        auto rootRecord = (*journal)->record("");
        if (!rootRecord)
            return std::unexpected(rootRecord.error());
        if (*rootRecord && !(*rootRecord)->fileId.empty()) {
            const auto given = remote->tree.find("");
            if (given != remote->tree.end() && !given->second.fileId.empty() &&
                given->second.fileId != (*rootRecord)->fileId)
                return fail(SyncErrorCode::Config,
                            "'" + root.string() + "' was synced with another server folder (id " +
                                (*rootRecord)->fileId + ") than the one it is now given (id " +
                                given->second.fileId +
                                "); nothing was changed. Sync it with the folder it was synced with, or choose a new "
                                "local folder. To start afresh with this one, delete its " + JOURNAL_FILE_NAME +
                                ": the files are then compared with the server's and nothing is deleted");
        }

        std::vector<std::string> warnings;
        std::vector<std::string> unreadable; // symlinks, special files, folders we cannot read
        std::vector<ItemReport> scanErrors;  // of those, what the user must fix (unreadable, bad names)
        std::set<std::string> keptFolders;   // folders holding local items that are not synced
        UnchangedSubtrees unchanged(**journal, *remote, hidden);
        unchanged.setNewItemBudget(m_options.newItemsPerPass);
        LocalScanOptions scanOptions;
        scanOptions.excludes = &m_options.excludes;
        scanOptions.skippedFolders = m_options.unsyncedFolders;
        scanOptions.onSkipped = [&](const std::string& path, const std::string& why, SkipKind kind) {
            unreadable.push_back(path);
            keptFolders.insert(parentPath(path)); // never deleted because the server deleted it
            if (kind == SkipKind::NotSynced) {
                warnings.push_back("'" + e2ee::printableName(path) + "': " + why);
                return;
            }
            ItemReport report;
            report.kind = ActionKind::Error;
            report.path = e2ee::printableName(path);
            report.ok = false;
            report.code = SyncErrorCode::LocalIo;
            report.message = why;
            scanErrors.push_back(std::move(report));
        };
        scanOptions.onExcluded = [&](const std::string& path) {
            if (!fileName(path).starts_with(JOURNAL_FILE_NAME))
                keptFolders.insert(parentPath(path));
        };
        // Temporary files of a run that was killed are removed (one folder has one engine).
        scanOptions.onTemporaryFile = [&](const std::string& path) {
            std::error_code ignored;
            fs::remove(root / path, ignored);
        };
        scanOptions.onFolderNames = [&](const std::string& folder, const std::vector<std::string>& names) {
            unchanged.folderNames(folder, names);
        };
        scanOptions.onFolderListed = [&](const std::string& folder, LocalTree& tree, LocalTree::iterator self) {
            unchanged.folderListed(folder, tree, self);
        };
        auto local = scanLocal(root, scanOptions);
        if (!local)
            return std::unexpected(local.error());
        for (auto it = local->begin(); it != local->end();) {
            if (!skip(it->first, it->second.type)) {
                ++it;
                continue;
            }
            if (isConflictCopyName(fileName(it->first)))
                keptFolders.insert(parentPath(it->first));
            it = local->erase(it);
        }
        for (std::string& warning : remote->warnings)
            warnings.push_back(std::move(warning));

        // Encrypted folders this device cannot open, from this run's listings and the earlier
        // runs' (a folder whose ETag did not change is not listed again), for the check below.
        auto leftAlone = rememberLeftAlone(**journal, *remote);
        if (!leftAlone)
            return std::unexpected(leftAlone.error());

        // The journal records and server entries of what the scan kept (the rest agrees).
        JournalTree visibleJournal;
        if (auto completed = unchanged.complete(*local, visibleJournal, remote->tree); !completed)
            return std::unexpected(completed.error());
        dropSubtrees(visibleJournal, remote->leftAlone);
        dropSubtrees(*local, remote->leftAlone);
        // What the local scan could not see is neither deleted on the server nor overwritten here.
        dropSubtrees(visibleJournal, unreadable);
        dropSubtrees(remote->tree, unreadable);

        emit phaseChanged(QStringLiteral("reconcile"));
        keptFolders.erase("");
        ReconcileOptions reconcileOptions;
        applyNameRules(reconcileOptions, m_options.namePlatform.value_or(nativeNamePlatform()));
        reconcileOptions.caseInsensitive = reconcileOptions.caseInsensitive || caseInsensitive;
        reconcileOptions.normalize = nfc;
        reconcileOptions.foldersWithUnsyncedItems = keptFolders;
        for (const auto& [folder, folderError] : remote->folderErrors)
            reconcileOptions.remoteFoldersNotListed.insert(folder);
        reconcileOptions.restoreDeletions = massDeleteDecision == MassDeleteDecision::Restore;
        reconcileOptions.deletedPathsKept = m_options.massDeletePathsKept;
        Plan plan = reconcile(*local, remote->tree, visibleJournal, reconcileOptions);
        // A folder deleted here that holds a folder left out by selective sync: its DELETE would
        // take along what this device never had. Where such a folder is still on the server, the
        // plan is made again keeping it (reconcile.h, remoteFoldersWithUnsyncedItems).
        if (auto kept = foldersHoldingUnsyncedFolders(plan, *leftAlone, warnings); !kept.empty()) {
            reconcileOptions.remoteFoldersWithUnsyncedItems = std::move(kept);
            plan = reconcile(*local, remote->tree, visibleJournal, reconcileOptions);
        }
        plan.itemsKnown += unchanged.recordsDropped();
        summary.itemsCompared = static_cast<std::int64_t>(local->size() + remote->tree.size() + visibleJournal.size());

        // The mass-delete guard looks at the whole plan before anything is touched.
        if (massDeleteDecision == MassDeleteDecision::Refuse && plan.itemsDeleted >= m_options.massDeleteMinimum &&
            plan.itemsDeleted > static_cast<std::int64_t>(m_options.massDeleteShare * double(plan.itemsKnown))) {
            const std::int64_t remoteDeletes = plan.itemsDeleted - plan.localDeletes;
            // DeleteLocal stands for a deletion on the server, DeleteRemote for one made here.
            auto report = std::make_shared<MassDeleteReport>();
            report->onServer = plan.localDeletes;
            report->here = remoteDeletes;
            report->deletedOnServer = report->onServer >= report->here;
            report->total = plan.itemsDeleted;
            report->known = plan.itemsKnown;
            report->paths = std::move(plan.deletedPaths);
            SyncError refused{SyncErrorCode::MassDelete,
                              "this sync would delete " + std::to_string(plan.itemsDeleted) + " of " +
                                  std::to_string(plan.itemsKnown) + " items (" + std::to_string(plan.localDeletes) +
                                  " on this computer, " + std::to_string(remoteDeletes) +
                                  " on the server); nothing was changed. If that is what you want, sync again and "
                                  "allow it (nubocmd: --allow-mass-delete)",
                              0};
            refused.massDelete = std::move(report);
            return std::unexpected(std::move(refused));
        }

        // Items waiting for their back-off after earlier failures sit this run out.
        auto blacklist = (*journal)->blacklist();
        if (!blacklist)
            return std::unexpected(blacklist.error());
        std::map<std::string, BlacklistEntry> waiting;
        waitingReports.clear();
        for (const BlacklistEntry& entry : *blacklist)
            blacklisted.insert(entry.path);
        for (BlacklistEntry& entry : *blacklist)
            if (entry.retryAt > now())
                waiting.emplace(entry.path, std::move(entry));
        // Filtered in place: a second vector of actions would double the plan's memory.
        std::size_t kept = 0;
        std::vector<std::string> failedPaths;
        std::int64_t bytesPlanned = 0;
        std::int64_t visibleActions = 0;
        for (Action& action : plan.actions) {
            const bool journalOnly =
                action.kind == ActionKind::UpdateJournal || action.kind == ActionKind::ForgetJournal;
            if (!journalOnly && waiting.contains(action.path)) {
                const BlacklistEntry& entry = waiting.at(action.path);
                ++summary.skipped;
                failedPaths.push_back(action.path);
                ItemReport report;
                report.kind = action.kind;
                report.type = action.type;
                report.path = action.path;
                report.ok = false;
                report.code = SyncErrorCode::Internal;
                report.message = "failed " + std::to_string(entry.failures) + " time(s), last: " + entry.message +
                                 "; next try in " + std::to_string(entry.retryAt - now()) + " s";
                waitingReports[action.path] = std::move(report);
                continue;
            }
            if (action.kind == ActionKind::Upload && action.local)
                bytesPlanned += action.local->size;
            if ((action.kind == ActionKind::Download || action.kind == ActionKind::Conflict) && action.remote)
                bytesPlanned += action.remote->size;
            visibleActions += journalOnly ? 0 : 1;
            if (&plan.actions[kept] != &action)
                plan.actions[kept] = std::move(action);
            ++kept;
        }
        plan.actions.erase(plan.actions.begin() + static_cast<std::ptrdiff_t>(kept), plan.actions.end());
        const std::vector<Action> actions = std::move(plan.actions);
        emit planReady(visibleActions, bytesPlanned);

        emit phaseChanged(QStringLiteral("propagation"));
        // Records hidden from this run stay in the database untouched; the state needs only the rest.
        JournalState state(std::move(visibleJournal));
        std::mutex tickMutex;
        std::optional<SyncError> journalError;
        auto lastFlush = std::chrono::steady_clock::now();
        std::atomic<std::int64_t> bytesDone{0};
        PropagationContext context;
        context.localRoot = root;
        context.remote = m_remote.get();
        context.options = &m_options;
        context.trash = trash ? &*trash : nullptr;
        context.clientId = id;
        context.cancel = &m_cancel;
        context.started = [this](const ItemReport& item) { emit itemStarted(item); };
        context.finished = [this](const ItemReport& item) { emit itemFinished(item); };
        context.transferred = [&](std::int64_t delta) {
            const std::int64_t done = bytesDone += delta;
            emit transferProgress(done, bytesPlanned);
        };
        context.tick = [&] {
            if (std::chrono::steady_clock::now() - lastFlush < std::chrono::seconds(1))
                return;
            lastFlush = std::chrono::steady_clock::now();
            if (auto flushed = state.flush(**journal); !flushed && !journalError)
                journalError = flushed.error();
        };
        // The outermost encrypted folder above a path groups its changes into one transaction.
        std::set<std::string> encryptedFolders;
        for (const auto& [path, entry] : remote->tree)
            if (!path.empty() && entry.type == ItemType::Directory && entry.encrypted)
                encryptedFolders.insert(path);
        if (!encryptedFolders.empty()) {
            context.encryptionRoot = [&encryptedFolders](const std::string& path) {
                for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
                    if (encryptedFolders.contains(path.substr(0, slash)))
                        return path.substr(0, slash);
                return std::string();
            };
        }
        context.transactions = m_transactions.get();
        context.database = journal->get();
        Propagator propagator(std::move(context), state);
        std::vector<ItemReport> reports = propagator.run(actions);
        const bool followUp = propagator.needsAnotherPass();
        if (auto flushed = state.flush(**journal); !flushed)
            return std::unexpected(flushed.error());
        if (journalError)
            return std::unexpected(*journalError);

        bool retry = false;
        // Something new now stands on the server. Only that helps the deferred items: downloads
        // of what another device keeps writing, or deletions, do not bring them any closer.
        bool created = false;
        for (ItemReport& report : reports) {
            if (report.ok) {
                created = created || report.kind == ActionKind::Upload || report.kind == ActionKind::MakeRemoteFolder;
                if (blacklisted.contains(report.path))
                    succeeded.insert(report.path);
                switch (report.kind) {
                case ActionKind::Upload: ++summary.uploaded; summary.bytesUploaded += report.bytes; break;
                case ActionKind::Download: ++summary.downloaded; summary.bytesDownloaded += report.bytes; break;
                case ActionKind::MoveRemote: ++summary.movedRemote; break;
                case ActionKind::MoveLocal: ++summary.movedLocal; break;
                case ActionKind::DeleteRemote: ++summary.deletedRemote; break;
                case ActionKind::DeleteLocal: ++summary.deletedLocal; break;
                case ActionKind::MakeLocalFolder:
                case ActionKind::MakeRemoteFolder: ++summary.foldersCreated; break;
                case ActionKind::Conflict:
                    ++summary.conflicts;
                    summary.bytesDownloaded += report.bytes;
                    break;
                default: break;
                }
                continue;
            }
            if (report.code == SyncErrorCode::Auth || report.code == SyncErrorCode::Tls)
                return fail(report.code, report.message);
            failedPaths.push_back(report.path);
            if (!report.from.empty())
                failedPaths.push_back(report.from); // a move that failed: its old place is not in sync either
            retry = retry || retryable(report);
            lastFailure[report.path] = report;
        }
        for (const std::string& path : unreadable)
            failedPaths.push_back(path); // its folder is listed again until it can be read
        // Not synced, and the user must act: counted as errors (exit code 1), never blacklisted.
        listingErrors = std::move(scanErrors);
        for (const auto& refused : remote->refusedItems) {
            failedPaths.push_back(refused.folder);
            ItemReport report;
            report.kind = ActionKind::Error;
            report.path = refused.printable;
            report.ok = false;
            report.code = refused.error.code;
            report.message = refused.error.message;
            listingErrors.push_back(std::move(report));
        }
        for (const auto& [folder, folderError] : remote->folderErrors) {
            failedPaths.push_back(folder);
            ItemReport report;
            report.kind = ActionKind::Error;
            report.type = ItemType::Directory;
            report.path = folder;
            report.ok = false;
            report.code = folderError.code;
            // A refused encrypted folder says itself what happened; other folders could not be listed.
            report.message = folderError.code == SyncErrorCode::UntrustedKey
                                 ? folderError.message
                                 : "could not list the folder on the server: " + folderError.message;
            retry = retry || folderError.retryable();
            lastFailure[folder] = report;
        }

        // An action at another place than where discovery found its item (a download into a
        // folder moved here) failed: the discovered place is not in sync either.
        {
            std::unordered_set<std::string> failedSet(failedPaths.begin(), failedPaths.end());
            std::unordered_set<std::string> failedIds;
            for (const Action& action : actions)
                if (action.remote && !action.remote->fileId.empty() && failedSet.contains(action.path))
                    failedIds.insert(action.remote->fileId);
            if (!failedIds.empty())
                for (const auto& [path, entry] : remote->tree)
                    if (failedIds.contains(entry.fileId) && !failedSet.contains(path))
                        failedPaths.push_back(path);
        }
        // A folder's ETag is recorded only when everything below it is in sync; otherwise the
        // next run lists it again and retries what failed.
        std::unordered_set<std::string> tainted;
        for (const std::string& path : failedPaths) {
            std::string p = path;
            tainted.insert(p);
            while (!p.empty()) {
                p = parentPath(p);
                if (!tainted.insert(p).second)
                    break;
            }
        }
        for (const auto& [path, entry] : remote->tree) {
            if (entry.type != ItemType::Directory)
                continue;
            auto record = state.get(path);
            if (!record && path.empty())
                record = JournalRecord{ItemType::Directory, "", entry.encrypted, 0, 0, 0, {}, entry.fileId,
                                       entry.permissions, {}};
            if (!record || record->type != ItemType::Directory)
                continue;
            const std::string wanted = tainted.contains(path) ? std::string() : entry.etag;
            if (record->etag != wanted) {
                record->etag = wanted;
                state.upsert(path, std::move(*record));
            }
        }
        if (auto flushed = state.flush(**journal); !flushed)
            return std::unexpected(flushed.error());
        summary.warnings = std::move(warnings);

        if (m_cancel)
            return fail(SyncErrorCode::Cancelled, "the sync was stopped");
        // New items beyond this pass's share wait for the next pass, which does not count against
        // the retries. A pass that created nothing on the server (a full quota, a read-only
        // share), or after which no fewer items wait (something keeps making new ones here),
        // stops them: the rest waits for the next run. The count falls with every pass that goes
        // on, so the passes always end.
        const std::int64_t deferred = unchanged.itemsDeferred();
        const bool fewerWait = deferred < deferredBefore;
        deferredBefore = deferred;
        if (deferred > 0 && created && fewerWait) {
            ++passes;
            ++summary.passesForNewItems;
#ifdef __GLIBC__
            // What this pass freed goes back to the system before the next one: otherwise the
            // heap's free pieces add up over dozens of passes.
            malloc_trim(0);
#endif
            continue;
        }
        // Work only a fresh look can finish (Propagator::needsAnotherPass): one more pass, which
        // does not count against the retries either. Once a run: what it leaves is the next run's.
        if (followUp && !followedUp && !m_cancel) {
            followedUp = true;
            ++passes;
            continue;
        }
        if (deferred > 0)
            summary.warnings.push_back(std::to_string(deferred) +
                                       " new items wait for the next sync: this one could not upload the ones before them");
        if (!retry || pass == passes)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * pass));
    }

    // What still fails goes on the blacklist with a growing back-off; what worked comes off it.
    for (const auto& [path, report] : lastFailure) {
        summary.errors.push_back(report);
        const std::int64_t maxWait = report.code == SyncErrorCode::Locked ? m_options.lockedBackoffMaxSeconds
                                                                          : std::numeric_limits<std::int64_t>::max();
        if (auto recorded = (*journal)->recordFailure(path, report.message, now(), m_options.backoffBaseSeconds, maxWait);
            !recorded)
            return std::unexpected(recorded.error());
    }
    for (const auto& [path, report] : waitingReports)
        summary.errors.push_back(report);
    for (ItemReport& report : listingErrors)
        summary.errors.push_back(std::move(report));
    for (const std::string& path : blacklisted)
        if (succeeded.contains(path) && !lastFailure.contains(path))
            (void)(*journal)->clearFailure(path);

    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count();
    emit phaseChanged(QStringLiteral("done"));
    return summary;
}

namespace {
constexpr const char* kLeftAloneSetting = "left-alone-encrypted-folders";
} // namespace

Result<std::set<std::string>> SyncEngine::rememberLeftAlone(Journal& journal, const RemoteDiscovery& remote)
{
    auto stored = journal.setting(kLeftAloneSetting);
    if (!stored)
        return std::unexpected(stored.error());
    std::set<std::string> folders;
    if (*stored) {
        const auto json = nlohmann::json::parse(**stored, nullptr, false);
        if (json.is_array())
            for (const auto& path : json)
                if (path.is_string())
                    folders.insert(path.get<std::string>());
    }
    // A folder listed in this run says anew what is left alone in it; a folder gone from the
    // server holds nothing any more.
    const std::set<std::string> listed(remote.listed.begin(), remote.listed.end());
    const auto outdated = [&](const std::string& folder) {
        if (listed.contains(parentPath(folder)))
            return true;
        for (std::string above = folder; !above.empty(); above = parentPath(above))
            if (remote.gone.contains(above))
                return true;
        return false;
    };
    std::erase_if(folders, outdated);
    folders.insert(remote.leftAlone.begin(), remote.leftAlone.end());
    const std::string now = nlohmann::json(folders).dump();
    if (now != stored->value_or("[]"))
        if (auto saved = journal.setSetting(kLeftAloneSetting, now); !saved)
            return std::unexpected(saved.error());
    return folders;
}

std::set<std::string> SyncEngine::foldersHoldingUnsyncedFolders(const Plan& plan, const std::set<std::string>& leftAlone,
                                                                std::vector<std::string>& warnings)
{
    std::set<std::string> kept;
    if (m_options.unsyncedFolders.empty() && leftAlone.empty())
        return kept;
    // What this device does not sync: selective sync's folders, and encrypted folders it has no
    // key for. A DELETE of a folder above one would take along what this device never had.
    std::vector<std::pair<std::string, std::string>> notHere; // (folder, why)
    for (const std::string& unsynced : m_options.unsyncedFolders)
        notHere.emplace_back(unsynced, "which this device does not sync (selective sync)");
    for (const std::string& encrypted : leftAlone)
        notHere.emplace_back(encrypted, "an end-to-end encrypted folder this device has no key for");
    for (const Action& action : plan.actions) {
        if (action.kind != ActionKind::DeleteRemote || action.type != ItemType::Directory ||
            (action.journal && action.journal->encrypted))
            continue;
        for (const auto& [folder, why] : notHere) {
            if (folder == action.path || !isInside(folder, action.path) || kept.contains(parentPath(folder)))
                continue;
            // Only a folder still on the server holds anything; when that cannot be told, it is kept.
            const auto there = m_remote->stat(folder);
            if (!there && there.error().code == SyncErrorCode::NotFound)
                continue;
            kept.insert(parentPath(folder));
            warnings.push_back("'" + e2ee::printableName(action.path) + "' was deleted here, but it holds '" +
                               e2ee::printableName(folder) + "', " + why +
                               ": it stays on the server with the folders above it, and only what this device "
                               "syncs in it was deleted there");
        }
    }
    return kept;
}

Result<bool> ensureRemoteRoot(const std::shared_ptr<const Account>& account, const fs::path& localRoot)
{
    const std::string root = account->config().remoteRoot;
    if (root.empty())
        return false;
    WebDavClient top(account, "");
    auto stat = top.stat(root);
    if (stat) {
        if (stat->type != ItemType::Directory)
            return fail(SyncErrorCode::Config, "the server folder '" + root + "' is a file, not a folder");
        return false;
    }
    if (stat.error().code != SyncErrorCode::NotFound)
        return std::unexpected(stat.error());
    std::error_code ignored;
    if (fs::exists(localRoot / JOURNAL_FILE_NAME, ignored)) {
        return fail(SyncErrorCode::Config, "the server folder '" + root +
                                               "' that this folder was synced with is gone; check the server folder "
                                               "it syncs with, or sync into a new local folder");
    }
    for (std::size_t start = 0; start <= root.size();) {
        const std::size_t slash = std::min(root.find('/', start), root.size());
        const std::string prefix = root.substr(0, slash);
        start = slash + 1;
        if (auto exists = top.stat(prefix); exists)
            continue;
        if (auto made = top.makeFolder(prefix); !made)
            return std::unexpected(made.error());
    }
    return true;
}

} // namespace nubo::sync
