#include "propagator.h"

#include "encoding.h"
#include "folder_transaction.h"
#include "item_name.h"
#include "e2ee_folder_hook.h"
#include "exclude_list.h"
#include "file_cipher.h"
#include "journal.h"
#include "local_discovery.h"
#include "local_file.h"
#include "trash.h"

#include <algorithm>
#include <deque>
#include <set>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <span>
#include <unistd.h>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstring>
#include <ctime>
#include <system_error>
#include <thread>

namespace nubo::sync {

namespace fs = std::filesystem;

// ---- JournalState ------------------------------------------------------------------------------

void JournalState::upsert(const std::string& path, JournalRecord record)
{
    std::lock_guard lock(m_mutex);
    m_tree[path] = std::move(record);
    m_dirty.insert(path);
}

void JournalState::removeTree(const std::string& path)
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_tree.lower_bound(path); it != m_tree.end() && it->first.compare(0, path.size(), path) == 0;) {
        if (isInside(it->first, path)) {
            m_dirty.erase(it->first);
            it = m_tree.erase(it);
        } else {
            ++it;
        }
    }
    m_deleted.push_back(path);
}

void JournalState::moveTree(const std::string& from, const std::string& to, const std::string& fromServer,
                            const std::string& toServer)
{
    std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::string, JournalRecord>> moved;
    for (auto it = m_tree.lower_bound(from); it != m_tree.end() && it->first.compare(0, from.size(), from) == 0;) {
        if (isInside(it->first, from)) {
            JournalRecord record = std::move(it->second);
            const std::string target = rebase(it->first, from, to);
            if (!fromServer.empty()) {
                if (isInside(record.serverPath, fromServer))
                    record.serverPath = rebase(record.serverPath, fromServer, toServer);
            } else if (record.serverPath == it->first) {
                record.serverPath = target;
            }
            moved.emplace_back(target, std::move(record));
            m_dirty.erase(it->first);
            it = m_tree.erase(it);
        } else {
            ++it;
        }
    }
    m_deleted.push_back(from);
    for (auto& [path, record] : moved) {
        m_dirty.insert(path);
        m_tree[path] = std::move(record);
    }
}

std::optional<JournalRecord> JournalState::get(const std::string& path) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_tree.find(path);
    if (it == m_tree.end())
        return std::nullopt;
    return it->second;
}

JournalTree JournalState::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_tree;
}

JournalTree JournalState::subtree(const std::string& root) const
{
    std::lock_guard lock(m_mutex);
    JournalTree result;
    for (auto it = m_tree.lower_bound(root); it != m_tree.end() && it->first.compare(0, root.size(), root) == 0; ++it)
        if (isInside(it->first, root))
            result.emplace(it->first, it->second);
    return result;
}

bool JournalState::hasChildren(const std::string& root) const
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_tree.lower_bound(root); it != m_tree.end() && it->first.compare(0, root.size(), root) == 0; ++it)
        if (it->first != root && isInside(it->first, root))
            return true;
    return false;
}

StagedJournal::StagedJournal(const JournalView& base, std::string root, JournalTree subtree)
    : m_base(base), m_root(std::move(root)), m_inside(std::move(subtree))
{
}

void StagedJournal::upsert(const std::string& path, JournalRecord record)
{
    std::lock_guard lock(m_mutex);
    m_inside.upsert(path, record);
    m_changes.push_back({Change::Upsert, path, {}, {}, {}, std::move(record)});
}

void StagedJournal::removeTree(const std::string& path)
{
    std::lock_guard lock(m_mutex);
    m_inside.removeTree(path);
    m_changes.push_back({Change::Remove, path, {}, {}, {}, {}});
}

void StagedJournal::moveTree(const std::string& from, const std::string& to, const std::string& fromServer,
                             const std::string& toServer)
{
    std::lock_guard lock(m_mutex);
    m_inside.moveTree(from, to, fromServer, toServer);
    m_changes.push_back({Change::Move, from, to, fromServer, toServer, {}});
}

std::optional<JournalRecord> StagedJournal::get(const std::string& path) const
{
    return isInside(path, m_root) ? m_inside.get(path) : m_base.get(path);
}

void StagedJournal::replayInto(JournalView& target) const
{
    std::lock_guard lock(m_mutex);
    for (const Change& change : m_changes) {
        switch (change.kind) {
        case Change::Upsert: target.upsert(change.path, change.record); break;
        case Change::Remove: target.removeTree(change.path); break;
        case Change::Move: target.moveTree(change.path, change.to, change.fromServer, change.toServer); break;
        }
    }
}

Result<void> JournalState::flush(Journal& journal)
{
    std::vector<std::pair<std::string, JournalRecord>> upserts;
    std::vector<std::string> deleted;
    {
        std::lock_guard lock(m_mutex);
        if (m_dirty.empty() && m_deleted.empty())
            return {};
        for (const std::string& path : m_dirty)
            if (const auto it = m_tree.find(path); it != m_tree.end())
                upserts.emplace_back(path, it->second);
        deleted = std::move(m_deleted);
        m_dirty.clear();
        m_deleted.clear();
    }
    return journal.apply(upserts, deleted);
}

// ---- helpers -----------------------------------------------------------------------------------

namespace {

bool sameVersion(const LocalEntry& a, const LocalEntry& b)
{
    return a.type == b.type && a.size == b.size && a.mtime == b.mtime && a.mtimeNs == b.mtimeNs &&
           a.inode == b.inode && a.ctime == b.ctime;
}

void setLocalFields(JournalRecord& record, const LocalEntry& local)
{
    record.inode = local.inode;
    record.mtimeNs = local.mtimeNs;
    record.ctime = local.ctime;
    if (local.type == ItemType::File) {
        record.size = local.size;
        record.mtime = local.mtime;
    }
}

// Servers refuse an X-OC-Mtime at or before the epoch (nubo-server and Nextcloud alike: one that
// is not a positive number); such a file goes up with the first second of 2 January 1970 and
// keeps its own time here.
constexpr std::int64_t kEarliestServerMtime = 86'401;

bool sameChecksum(const std::string& a, const std::string& b)
{
    if (a.empty() || b.empty() || a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

ItemReport reportFor(const Action& action)
{
    ItemReport report;
    report.kind = action.kind;
    report.type = action.type;
    report.path = action.path;
    report.from = action.from;
    return report;
}

ItemReport failed(ItemReport report, const SyncError& error)
{
    report.ok = false;
    report.code = error.code;
    report.message = error.message;
    return report;
}

ItemReport failed(ItemReport report, SyncErrorCode code, std::string message)
{
    return failed(std::move(report), SyncError{code, std::move(message), 0});
}

// An action a cancelled run never began: reported like a failure, so that nothing above it counts
// as synced (no folder ETag is recorded for it) and the next run does it.
ItemReport notStarted(const Action& action)
{
    return failed(reportFor(action), SyncErrorCode::Cancelled, "not done: the sync was stopped");
}

// Every component of a plain path must be a name that stays inside its folder; a path that
// breaks this never reaches the disk or the server, whatever produced it.
std::optional<std::string> unsafePath(const std::string& path)
{
    if (path.empty())
        return std::nullopt;
    for (std::size_t start = 0;;) {
        const std::size_t slash = path.find('/', start);
        const std::string_view name = std::string_view(path).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (auto reason = e2ee::invalidNameReason(name))
            return "refusing the path '" + e2ee::printableName(path) + "': " + *reason;
        if (slash == std::string::npos)
            return std::nullopt;
        start = slash + 1;
    }
}

JournalRecord recordOf(ItemType type, const std::string& serverPath, const LocalEntry* local, const RemoteEntry* remote)
{
    JournalRecord record;
    record.type = type;
    record.serverPath = serverPath;
    if (local)
        setLocalFields(record, *local);
    if (remote) {
        record.etag = remote->etag;
        record.fileId = remote->fileId;
        record.permissions = remote->permissions;
        record.checksum = remote->checksum;
        record.encrypted = remote->encrypted;
        if (!local) {
            record.size = remote->size;
            record.mtime = remote->mtime;
        }
    }
    return record;
}

} // namespace

// ---- Propagator --------------------------------------------------------------------------------

Propagator::Propagator(PropagationContext context, JournalState& journal)
    : m_context(std::move(context)), m_journal(journal)
{
}

fs::path Propagator::localPath(const std::string& plainPath) const
{
    // execute() refuses unsafe paths; an empty result makes any file operation fail should one
    // be built from something else.
    if (unsafePath(plainPath))
        return {};
    return plainPath.empty() ? m_context.localRoot : m_context.localRoot / fs::path(plainPath);
}

std::string Propagator::serverPathOf(const std::string& plainPath) const
{
    if (plainPath.empty())
        return {};
    if (const auto record = journal().get(plainPath))
        return record->serverPath;
    // A folder the journal does not know yet whose server name is spelled otherwise (NFC/NFD).
    if (const auto spelled = m_serverSpelling.find(plainPath); spelled != m_serverSpelling.end())
        return spelled->second;
    // A new item: its folder's server path plus its name (plain folders use plain names).
    return joinPath(serverPathOf(parentPath(plainPath)), fileName(plainPath));
}

RemoteEntry Propagator::movedAlong(RemoteEntry remote) const
{
    // Inside an encrypted tree names are ids, so a discovered server path is not derived from the
    // plain one: a folder this run moved took everything below it along.
    std::lock_guard lock(m_movesMutex);
    for (const auto& [from, to] : m_serverFolderMoves)
        if (!remote.serverPath.empty() && isInside(remote.serverPath, from))
            remote.serverPath = rebase(remote.serverPath, from, to);
    return remote;
}

std::string Propagator::transferId(const std::string& path, const LocalEntry& entry) const
{
    const std::string key = m_context.clientId + '\n' + path + '\n' + std::to_string(entry.size) + '\n' +
                            std::to_string(entry.mtime) + '\n' + std::to_string(entry.inode);
    const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
    return "nubo-" + e2ee::sha256Hex(e2ee::ByteView(bytes, key.size())).substr(0, 32);
}

std::string Propagator::encryptedTransferBasis(const std::string& path, const LocalEntry& entry) const
{
    // Nanoseconds and the change time too: an encrypted upload resumes under the key of the
    // earlier attempt, which must only ever encrypt the very same bytes.
    return transferId(path, entry) + "-" + std::to_string(entry.mtimeNs) + "-" + std::to_string(entry.ctime);
}

namespace {
// Set while a worker carries out the actions of an encrypted folder's transaction.
thread_local JournalView* t_staging = nullptr;

struct StagingScope {
    explicit StagingScope(JournalView* view) : previous(t_staging) { t_staging = view; }
    ~StagingScope() { t_staging = previous; }
    JournalView* previous;
};
} // namespace

JournalView& Propagator::journal() const { return t_staging ? *t_staging : m_journal; }

std::function<void(std::int64_t)> Propagator::progressReporter() const
{
    // Progress only moves forward (Qt reports 0 of 0 when a transfer ends). The count is shared by
    // every copy of the callback.
    return [this, reported = std::make_shared<std::int64_t>(0)](std::int64_t done) {
        if (done <= *reported)
            return;
        if (m_context.transferred)
            m_context.transferred(done - *reported);
        *reported = done;
    };
}

std::vector<ItemReport> Propagator::run(const std::vector<Action>& actions)
{
    // Folders whose server name is not their plain path and that the journal may not know
    // before their own action ran (new on both sides in two Unicode spellings): what is made
    // inside them goes to the server's folder, never to a second one of the local spelling.
    for (const Action& action : actions)
        if (action.type == ItemType::Directory && action.remote && !action.remote->serverPath.empty() &&
            action.remote->serverPath != action.path && !action.remote->encrypted)
            m_serverSpelling.emplace(action.path, action.remote->serverPath);
    // Plain folders first, then each end-to-end encrypted tree as one transaction: one lock and
    // one metadata write for all of its changes.
    std::vector<const Action*> plain;
    std::map<std::string, std::vector<const Action*>> encrypted;
    // A move into, out of or between encrypted trees cannot be a server-side MOVE: the names and
    // the content differ on each side. A file goes up anew on its new side, then the old copy is
    // deleted (only the version this run saw); a folder is refused for now, and nothing changes
    // (an empty one goes like a file).
    std::deque<Action> split;
    std::vector<const Action*> ordered;
    // A file moved across the boundary here whose old copy changed on the server meanwhile: that
    // edit cannot follow the move (no server-side MOVE), so it stays where it is, and the actions
    // the plan made for it at the new place (a download or conflict of the edit over the moved
    // file) do not run; the next run brings it back at the old place. Deleting it, or downloading
    // it over the moved file while that file goes up, lost the edit. The engine runs another pass
    // for it, so the run still ends with both versions here.
    std::set<std::string> editStaysBehind;
    for (const Action& action : actions)
        if (action.kind == ActionKind::MoveRemote && action.type == ItemType::File && m_context.encryptionRoot &&
            m_context.encryptionRoot(action.from) != m_context.encryptionRoot(action.path) && action.remote &&
            action.journal && !action.journal->etag.empty() && action.remote->etag != action.journal->etag)
            editStaysBehind.insert(action.path);
    m_needsAnotherPass = !editStaysBehind.empty();
    // A folder moved into, out of or between encrypted trees is refused (below), and so is
    // everything at or below its old and new place: the server still has the folder where it
    // was, so a download or upload at the new place, or a journal record moved along, would
    // assume a move that never happens (the next run then copied the folder into the vault).
    std::vector<std::pair<std::string, std::string>> refusedFolderMoves; // from, to
    const auto crossesBoundary = [&](const Action& action) {
        return action.kind == ActionKind::MoveRemote && m_context.encryptionRoot &&
               m_context.encryptionRoot(action.from) != m_context.encryptionRoot(action.path);
    };
    // An empty folder has nothing to keep together: it is made on its new side and the old one is
    // deleted there (only as this run saw it), like a file. Empty means the journal knew nothing
    // inside it and the plan does nothing inside either place: content the server added meanwhile
    // must not be deleted with the old folder, nor land on the other side of the boundary.
    const auto emptyFolder = [&](const Action& action) {
        if (action.type != ItemType::Directory || m_journal.hasChildren(action.from))
            return false;
        const auto below = [](const std::string& path, const std::string& folder) {
            return path != folder && isInside(path, folder);
        };
        return std::none_of(actions.begin(), actions.end(), [&](const Action& other) {
            return below(other.path, action.from) || below(other.path, action.path) ||
                   (!other.from.empty() && (below(other.from, action.from) || below(other.from, action.path)));
        });
    };
    for (const Action& action : actions)
        if (crossesBoundary(action) && action.type == ItemType::Directory && !emptyFolder(action))
            refusedFolderMoves.emplace_back(action.from, action.path);
    const auto belowRefusedMove = [&](const Action& action) {
        for (const auto& [from, to] : refusedFolderMoves)
            for (const std::string* path : {&action.path, &action.from})
                if (!path->empty() && (isInside(*path, from) || isInside(*path, to)))
                    return true;
        return false;
    };
    for (const Action& action : actions) {
        if ((action.kind == ActionKind::Download || action.kind == ActionKind::Conflict) &&
            editStaysBehind.contains(action.path))
            continue;
        if (!(crossesBoundary(action) && action.type == ItemType::Directory) && belowRefusedMove(action))
            continue; // waits with its folder; the folder's refusal says so
        if (crossesBoundary(action)) {
            if (action.type == ItemType::File && editStaysBehind.contains(action.path)) {
                Action upload;
                upload.kind = ActionKind::Upload;
                upload.type = ItemType::File;
                upload.path = action.path;
                upload.local = action.local;
                upload.reason = "moved into or out of an end-to-end encrypted folder: uploaded on its new side; the "
                                "old copy changed on the server and stays";
                ordered.push_back(&split.emplace_back(std::move(upload)));
            } else if (action.type == ItemType::File || emptyFolder(action)) {
                const bool folder = action.type == ItemType::Directory;
                Action upload;
                upload.kind = folder ? ActionKind::MakeRemoteFolder : ActionKind::Upload;
                upload.type = action.type;
                upload.path = action.path;
                upload.local = action.local;
                upload.reason = folder ? "moved into or out of an end-to-end encrypted folder: made on its new side"
                                       : "moved into or out of an end-to-end encrypted folder: uploaded on its new side";
                Action remove;
                remove.kind = ActionKind::DeleteRemote;
                remove.type = action.type;
                remove.path = action.from;
                remove.remote = action.remote;
                remove.journal = action.journal;
                remove.reason = "moved into or out of an end-to-end encrypted folder: the old copy goes";
                ordered.push_back(&split.emplace_back(std::move(upload)));
                ordered.push_back(&split.emplace_back(std::move(remove)));
            } else {
                Action refused = action;
                refused.kind = ActionKind::Error;
                refused.reason = "moving a folder into or out of an end-to-end encrypted folder is not supported yet; "
                                 "nothing in it was changed on either side: move it back, or move its files one by one";
                ordered.push_back(&split.emplace_back(std::move(refused)));
            }
            continue;
        }
        ordered.push_back(&action);
    }
    const auto changesServer = [](const Action& action) {
        return action.kind == ActionKind::Upload || action.kind == ActionKind::MakeRemoteFolder ||
               action.kind == ActionKind::MoveRemote || action.kind == ActionKind::DeleteRemote;
    };
    // Folders an encrypted tree's transaction moves on the server. What the plan put at or below
    // their new place (a download of what arrived in the folder meanwhile, the folder's own
    // journal update) assumes the move: it runs in
    // the transaction after it, is skipped when it fails, and its journal records are kept only
    // if the transaction commits. Run before the move, such a download was recorded at a place
    // the server never got when the metadata write then failed, and the next run deleted it.
    std::vector<std::string> movedFolders;
    for (const Action* next : ordered)
        if (next->kind == ActionKind::MoveRemote && next->type == ItemType::Directory && m_context.encryptionRoot &&
            !m_context.encryptionRoot(next->path).empty())
            movedFolders.push_back(next->path);
    const auto belowMovedFolder = [&](const std::string& path) {
        for (const std::string& folder : movedFolders)
            if (isInside(path, folder))
                return true;
        return false;
    };
    for (const Action* next : ordered) {
        const Action& action = *next;
        // Only what changes the server needs the lock; reading and local work do not, unless
        // they depend on a move the transaction makes.
        const bool inTransaction = changesServer(action) || belowMovedFolder(action.path);
        const std::string root = inTransaction && m_context.encryptionRoot ? m_context.encryptionRoot(action.path)
                                                                           : std::string();
        if (root.empty())
            plain.push_back(&action);
        else
            encrypted[root].push_back(&action);
    }
    std::vector<ItemReport> reports;
    runGroup(plain, reports);
    for (const auto& [root, group] : encrypted)
        runEncryptedGroup(root, group, reports);
    return reports;
}

void Propagator::runEncryptedGroup(const std::string& root, const std::vector<const Action*>& actions,
                                   std::vector<ItemReport>& reports)
{
    const auto failAll = [&](const SyncError& error) {
        for (const Action* action : actions)
            reports.push_back(failed(reportFor(*action), error));
    };
    if (!m_context.transactions) {
        failAll(SyncError{SyncErrorCode::Internal,
                          "'" + root + "' is end-to-end encrypted, and this version cannot change encrypted folders", 0});
        return;
    }
    if (!m_context.database) {
        failAll(SyncError{SyncErrorCode::Internal, "no journal for the transaction of '" + root + "'", 0});
        return;
    }
    StagedJournal staged(m_journal, root, m_journal.subtree(root));
    auto transaction = m_context.transactions->begin(root, {staged, *m_context.database, *m_context.remote});
    if (!transaction) {
        failAll(transaction.error());
        return;
    }
    std::vector<FolderTransaction::PlannedUpload> planned;
    for (const Action* action : actions)
        if (action->kind == ActionKind::Upload && action->local &&
            action->local->size + 16 > m_context.options->chunkThreshold)
            planned.push_back({action->path,
                               action->remote && !action->remote->serverPath.empty() ? action->remote->serverPath
                                                                                      : serverPathOf(action->path),
                               !action->remote, encryptedTransferBasis(action->path, *action->local)});
    if (auto prepared = (*transaction)->prepareUploads(planned); !prepared) {
        (*transaction)->abort();
        failAll(prepared.error());
        return;
    }
    std::vector<ItemReport> groupReports;
    {
        StagingScope scope(&staged);
        m_transaction = transaction->get();
        runGroup(actions, groupReports);
        m_transaction = nullptr;
    }
    if (auto committed = (*transaction)->commit(); !committed) {
        (*transaction)->abort();
        // Nothing of the group counts as synced: the journal keeps its old view, and the next run
        // compares again.
        for (ItemReport& report : groupReports)
            if (report.ok)
                report = failed(std::move(report), committed.error());
        for (ItemReport& report : groupReports)
            reports.push_back(std::move(report));
        return;
    }
    staged.replayInto(m_journal);
    for (ItemReport& report : groupReports)
        reports.push_back(std::move(report));
}

void Propagator::runGroup(const std::vector<const Action*>& actions, std::vector<ItemReport>& reports)
{
    std::vector<const Action*> sequential, parallel;
    // Moves, replacements and folders in plan order (they depend on each other); transfers,
    // deletes and journal-only actions after them, in parallel.
    for (const Action* action : actions) {
        switch (action->kind) {
        case ActionKind::MoveLocal:
        case ActionKind::MoveRemote:
        case ActionKind::MakeLocalFolder:
        case ActionKind::MakeRemoteFolder:
            sequential.push_back(action);
            break;
        case ActionKind::DeleteLocal:
        case ActionKind::DeleteRemote:
            // A delete that makes room for a new item of another type must run before it.
            if (action->reason.starts_with("replaced"))
                sequential.push_back(action);
            else
                parallel.push_back(action);
            break;
        case ActionKind::UpdateJournal:
            if (!action->from.empty())
                sequential.push_back(action); // follows a move both sides made
            else
                parallel.push_back(action);
            break;
        default:
            parallel.push_back(action);
        }
    }
    // Inside an encrypted tree, a folder the plan makes again (the server deleted it, a move here
    // brought something into it) must exist, with metadata, before a MOVE into it: the folder's
    // transaction cannot move into a folder that has none. (Plain folders make a missing parent
    // when the MOVE answers 409.) Only folders outside every move's destination: one inside must
    // wait for its move.
    std::set<const Action*> foldersFirst;
    if (m_transaction) {
        std::set<std::string> destinations;
        for (const Action* action : sequential)
            if (action->kind == ActionKind::MoveRemote)
                destinations.insert(action->path);
        // One lookup per folder (its descendants are a range of the sorted set, its ancestors a
        // few finds), not a comparison with every move: a big reorganisation stays linear.
        const auto holdsDestination = [&](const std::string& folder) {
            const std::string below = folder + '/';
            const auto next = destinations.lower_bound(below);
            return next != destinations.end() && next->starts_with(below);
        };
        const auto insideDestination = [&](std::string folder) {
            for (; !folder.empty(); folder = parentPath(folder))
                if (destinations.contains(folder))
                    return true;
            return false;
        };
        for (const Action* action : sequential)
            if (action->kind == ActionKind::MakeRemoteFolder && !action->path.empty() &&
                holdsDestination(action->path) && !insideDestination(action->path))
                foldersFirst.insert(action);
    }
    // The plan lists moves, then replacements, then folders; keep that order.
    std::stable_sort(sequential.begin(), sequential.end(), [&](const Action* a, const Action* b) {
        const auto rank = [&](const Action* x) {
            if (foldersFirst.contains(x))
                return -1;
            switch (x->kind) {
            case ActionKind::MoveLocal:
            case ActionKind::MoveRemote:
            case ActionKind::UpdateJournal:
                return 0;
            case ActionKind::DeleteLocal:
            case ActionKind::DeleteRemote:
                return 1;
            default:
                return 2;
            }
        };
        return rank(a) < rank(b);
    });
    std::set<std::string> failedFolders;
    // Where a move that failed left its item: still there, with whatever the other side added.
    // A delete of it or of a folder above it would take that along (the plan made it assuming the
    // item had left).
    std::vector<std::string> failedMoveSources;
    const auto blockedByFailure = [&](const Action& action) {
        for (const std::string& folder : failedFolders)
            if (isInside(action.path, folder))
                return true;
        if (action.kind == ActionKind::DeleteLocal || action.kind == ActionKind::DeleteRemote)
            for (const std::string& source : failedMoveSources)
                if (isInside(source, action.path))
                    return true;
        return false;
    };
    const auto blockedReport = [&](const Action& action) {
        return failed(reportFor(action), SyncErrorCode::Conflict,
                      "it depends on a folder or move that failed; it will be tried again");
    };
    // New plain folders are made in parallel, one depth after another: a folder only needs its
    // parent, which a shallower wave made. On a slow link one round trip per folder in a row was
    // most of a small upload's time. An encrypted tree's folders stay in order (its transaction
    // makes them one after another anyway).
    const auto makesFolder = [](const Action* action) {
        return action->kind == ActionKind::MakeLocalFolder || action->kind == ActionKind::MakeRemoteFolder;
    };
    const auto firstFolder = m_transaction != nullptr ? sequential.end()
                                                      : std::find_if(sequential.begin(), sequential.end(), makesFolder);
    std::vector<const Action*> folders(firstFolder, sequential.end());
    sequential.erase(firstFolder, sequential.end());
    for (const Action* action : sequential) {
        if (m_context.cancel && m_context.cancel->load()) {
            reports.push_back(notStarted(*action));
            continue;
        }
        // Nothing is created inside a folder that could not be created.
        if (blockedByFailure(*action)) {
            reports.push_back(blockedReport(*action));
            continue;
        }
        ItemReport report = execute(*action);
        // What the plan put at or below a folder that was not made, or at the place a move did
        // not reach, must not run: an action there assumes the server or disk already changed.
        const bool move = action->kind == ActionKind::MoveLocal || action->kind == ActionKind::MoveRemote;
        if (!report.ok && (action->type == ItemType::Directory || move))
            failedFolders.insert(action->path);
        if (!report.ok && move && !action->from.empty())
            failedMoveSources.push_back(action->from);
        reports.push_back(std::move(report));
        if (m_context.tick)
            m_context.tick();
    }
    const auto depth = [](const Action* action) { return std::ranges::count(action->path, '/'); };
    std::ranges::stable_sort(folders, {}, depth);
    for (auto wave = folders.begin(); wave != folders.end();) {
        const auto waveEnd = std::find_if(wave, folders.end(), [&](const Action* a) { return depth(a) != depth(*wave); });
        std::vector<const Action*> runnable;
        for (auto it = wave; it != waveEnd; ++it) {
            if (blockedByFailure(**it))
                reports.push_back(blockedReport(**it));
            else
                runnable.push_back(*it);
        }
        const std::size_t first = reports.size();
        runParallel(runnable, reports);
        for (std::size_t i = first; i < reports.size(); ++i)
            if (!reports[i].ok)
                failedFolders.insert(runnable[i - first]->path);
        wave = waveEnd;
    }
    std::vector<const Action*> runnable;
    for (const Action* action : parallel) {
        if (blockedByFailure(*action))
            reports.push_back(blockedReport(*action));
        else
            runnable.push_back(action);
    }
    runParallel(runnable, reports);
}

namespace {
// Bulk upload (POST /remote.php/dav/bulk) of new small files in plain folders. The official
// client sends up to 100 files per request, and so does this one. A file goes in a batch only
// when its own transfer time is small next to a request's round trip: 1 MiB (above that a file's
// own PUT costs little next to its bytes, and gains nothing from sharing). A request carries at
// most 4 MiB: the body is built in memory (parallelism requests at once: 24 MiB with 6), and a
// request that fails as a whole is sent again file by file, so what one failure costs stays small.
constexpr std::size_t kBulkMaxFiles = 100;
// Fewer files than that per request when there are not enough to keep every worker busy: the
// server stores a request's files one after another, so 500 files in five requests of 100 left a
// sixth worker idle and each request five times longer than needed. At least 10 per request.
constexpr std::size_t kBulkMinFiles = 10;
constexpr std::int64_t kBulkMaxFileSize = 1 << 20;
constexpr std::int64_t kBulkMaxRequestBytes = 4 << 20;
} // namespace

bool Propagator::bulkCandidate(const Action& action) const
{
    // Only new files: Nextcloud's bulk endpoint ignores a part's If-Match, so a changed file sent
    // in bulk could silently overwrite an edit another device made on the server meanwhile. A
    // changed file (one the journal knows) keeps its PUT with If-Match; a new file's part carries
    // If-None-Match: *, which the server honours like a PUT's (412 when something is there).
    // Never inside an end-to-end encrypted folder: its files are encrypted, named and described
    // by the folder's transaction, one upload at a time under the folder's lock.
    // Empty files keep their PUT: the official client fails bulk batches holding one (before 3.9,
    // nextcloud/desktop#5871), so no Nextcloud release may ever have been tested with such parts.
    return action.kind == ActionKind::Upload && action.type == ItemType::File && !action.remote &&
           !action.journal && action.local && action.local->type == ItemType::File && action.local->size > 0 &&
           action.local->size <= kBulkMaxFileSize &&
           (!m_context.encryptionRoot || m_context.encryptionRoot(action.path).empty());
}

std::vector<ItemReport> Propagator::uploadBatch(const std::vector<const Action*>& batch)
{
    std::vector<std::optional<ItemReport>> reports(batch.size());
    std::vector<std::optional<PreparedUpload>> prepared(batch.size());
    std::vector<BulkUploadItem> items;
    std::vector<std::size_t> itemOf; // items[j] is batch[itemOf[j]]
    for (std::size_t k = 0; k < batch.size(); ++k) {
        const Action& action = *batch[k];
        if (auto refused = begin(action)) {
            reports[k] = std::move(*refused);
            continue;
        }
        auto ready = prepareUpload(action);
        if (!ready) {
            reports[k] = end(action, std::move(ready.error()));
            continue;
        }
        items.push_back({ready->serverPath, ready->file, ready->mtime, ready->checksum});
        itemOf.push_back(k);
        prepared[k] = std::move(*ready);
    }
    if (!items.empty()) {
        BulkUploadOptions options;
        options.cancel = m_context.cancel;
        options.progress = progressReporter();
        auto results = m_context.remote->uploadBulk(items, options);
        if (results && results->size() != items.size())
            results = std::unexpected(SyncError{SyncErrorCode::Internal, "the bulk upload lost track of its files", 0});
        for (std::size_t j = 0; j < items.size(); ++j) {
            const std::size_t k = itemOf[j];
            const Action& action = *batch[k];
            if (results && (*results)[j]) {
                reports[k] = end(action, recordUpload(action, *prepared[k], prepared[k]->serverPath, *(*results)[j]));
                continue;
            }
            const SyncError& error = results ? (*results)[j].error() : results.error();
            if (error.code == SyncErrorCode::Cancelled || (m_context.cancel && m_context.cancel->load())) {
                reports[k] = end(action, failed(reportFor(action), SyncErrorCode::Cancelled,
                                                "not done: the sync was stopped"));
            } else if (error.code == SyncErrorCode::FileChanged) {
                reports[k] = end(action, failed(reportFor(action), SyncErrorCode::FileChanged,
                                                "it changed while it was being uploaded; it will be read again"));
            } else {
                // The bulk did not say the server stored it: the file goes up on its own, new
                // (If-None-Match: *), which either stores it or says what is wrong (507, 403...).
                // Had the bulk stored it after all, that PUT gets 412: no row is written, and the
                // next run compares the two by content.
                reports[k] = end(action, upload(action));
            }
        }
    }
    std::vector<ItemReport> out;
    out.reserve(batch.size());
    for (auto& report : reports)
        out.push_back(std::move(*report));
    return out;
}

void Propagator::runParallel(const std::vector<const Action*>& actions, std::vector<ItemReport>& reports)
{
    if (actions.empty())
        return;
    // Units of work: one action, or a batch of new small files for one bulk upload (batches
    // first, so that their requests overlap the large transfers).
    std::vector<std::vector<std::size_t>> units;
    std::vector<std::vector<std::size_t>> singles;
    const bool bulk = m_transaction == nullptr && t_staging == nullptr && m_context.remote->supportsBulkUpload();
    std::vector<std::size_t> batch;
    std::int64_t batchBytes = 0;
    const auto closeBatch = [&] {
        if (batch.size() == 1)
            singles.push_back(batch); // one file gains nothing from a bulk request
        else if (!batch.empty())
            units.push_back(batch);
        batch.clear();
        batchBytes = 0;
    };
    std::size_t perBatch = kBulkMaxFiles;
    if (bulk) {
        const auto candidates = static_cast<std::size_t>(
            std::ranges::count_if(actions, [this](const Action* action) { return bulkCandidate(*action); }));
        const auto workers = static_cast<std::size_t>(std::max(1, m_context.options->parallelism));
        perBatch = std::clamp((candidates + workers - 1) / workers, kBulkMinFiles, kBulkMaxFiles);
        // As even as can be: 21 files go as 7 + 7 + 7, not 10 + 10 + a lone PUT.
        const std::size_t batches = std::max<std::size_t>(1, (candidates + perBatch - 1) / perBatch);
        perBatch = (candidates + batches - 1) / batches;
    }
    for (std::size_t i = 0; i < actions.size(); ++i) {
        if (!bulk || !bulkCandidate(*actions[i])) {
            singles.push_back({i});
            continue;
        }
        const std::int64_t size = actions[i]->local->size;
        if (batch.size() == perBatch || batchBytes + size > kBulkMaxRequestBytes)
            closeBatch();
        batch.push_back(i);
        batchBytes += size;
    }
    closeBatch();
    const std::size_t batches = units.size();
    units.insert(units.end(), singles.begin(), singles.end());

    std::vector<ItemReport> results(actions.size());
    // One byte per action: std::vector<bool> packs flags into shared words, and workers setting
    // neighbouring flags at once lost each other's writes (a finished action then looked never
    // begun, and before that its report was dropped).
    std::vector<std::uint8_t> done(actions.size(), 0);
    std::atomic<std::size_t> next{0};
    const int workers = std::max(1, std::min<int>(m_context.options->parallelism, static_cast<int>(units.size())));
    std::vector<std::thread> threads;
    // The last worker to end wakes the engine's thread at once: sleeping in 50 ms steps cost every
    // parallel group up to 50 ms before the next one started (a tenth of a 500-file upload over a WAN).
    std::mutex runningMutex;
    std::condition_variable allEnded;
    int running = workers;
    JournalView* staging = t_staging;
    for (int i = 0; i < workers; ++i) {
        threads.emplace_back([&, staging] {
            StagingScope scope(staging);
            for (;;) {
                const std::size_t unit = next.fetch_add(1);
                if (unit >= units.size() || (m_context.cancel && m_context.cancel->load()))
                    break;
                if (unit < batches) {
                    std::vector<const Action*> members;
                    for (const std::size_t index : units[unit])
                        members.push_back(actions[index]);
                    std::vector<ItemReport> batchReports = uploadBatch(members);
                    for (std::size_t k = 0; k < members.size(); ++k) {
                        results[units[unit][k]] = std::move(batchReports[k]);
                        done[units[unit][k]] = 1;
                    }
                    continue;
                }
                const std::size_t index = units[unit].front();
                results[index] = execute(*actions[index]);
                done[index] = 1;
            }
            const std::lock_guard lock(runningMutex);
            if (--running == 0)
                allEnded.notify_one();
        });
    }
    // The engine's thread keeps the journal current while the workers run.
    for (;;) {
        {
            std::unique_lock lock(runningMutex);
            if (allEnded.wait_for(lock, std::chrono::milliseconds(50), [&] { return running == 0; }))
                break;
        }
        if (m_context.tick)
            m_context.tick();
    }
    for (std::thread& thread : threads)
        thread.join();
    for (std::size_t i = 0; i < actions.size(); ++i)
        reports.push_back(done[i] ? std::move(results[i]) : notStarted(*actions[i]));
}

std::optional<ItemReport> Propagator::begin(const Action& action)
{
    for (const std::string* path : {&action.path, &action.from}) {
        if (auto unsafe = unsafePath(*path)) {
            ItemReport refused = failed(reportFor(action), SyncErrorCode::NameNotAllowed, *unsafe);
            if (m_context.finished)
                m_context.finished(refused);
            return refused;
        }
    }
    const bool visible = action.kind != ActionKind::UpdateJournal && action.kind != ActionKind::ForgetJournal;
    if (visible && m_context.started)
        m_context.started(reportFor(action));
    return std::nullopt;
}

ItemReport Propagator::end(const Action& action, ItemReport report)
{
    const bool visible = action.kind != ActionKind::UpdateJournal && action.kind != ActionKind::ForgetJournal;
    report.encrypted = (action.remote && action.remote->encrypted) ||
                       (m_context.encryptionRoot && !m_context.encryptionRoot(action.path).empty());
    if ((visible || !report.ok) && m_context.finished)
        m_context.finished(report);
    return report;
}

ItemReport Propagator::execute(const Action& action)
{
    if (auto refused = begin(action))
        return *refused;
    ItemReport report;
    switch (action.kind) {
    case ActionKind::Upload: report = upload(action); break;
    case ActionKind::Download: report = download(action); break;
    case ActionKind::Conflict: report = conflict(action); break;
    case ActionKind::MakeLocalFolder: report = makeLocalFolder(action); break;
    case ActionKind::MakeRemoteFolder: report = makeRemoteFolder(action); break;
    case ActionKind::MoveRemote: report = moveRemote(action); break;
    case ActionKind::MoveLocal: report = moveLocal(action); break;
    case ActionKind::DeleteLocal: report = deleteLocal(action); break;
    case ActionKind::DeleteRemote: report = deleteRemote(action); break;
    case ActionKind::UpdateJournal: report = updateJournal(action); break;
    case ActionKind::ForgetJournal:
        journal().removeTree(action.path);
        report = reportFor(action);
        break;
    case ActionKind::Error:
        report = failed(reportFor(action), SyncErrorCode::NameNotAllowed, action.reason);
        break;
    }
    return end(action, std::move(report));
}

std::expected<Propagator::PreparedUpload, ItemReport> Propagator::prepareUpload(const Action& action,
                                                                               bool hashWhileSending)
{
    ItemReport report = reportFor(action);
    PreparedUpload prepared;
    prepared.file = localPath(action.path);
    auto before = statLocal(prepared.file);
    if (!before || before->type != ItemType::File || (action.local && !sameVersion(*before, *action.local)))
        return std::unexpected(failed(report, SyncErrorCode::FileChanged,
                                      "it changed on this computer while the sync ran; it will be read again"));
    // Hashing first cost a second per GiB before the first byte went out. A file the server has
    // a known version of is still hashed first: an unchanged content then needs no upload at all.
    if (hashWhileSending && !(action.journal && action.remote) &&
        before->size > m_context.options->chunkThreshold) {
        prepared.serverPath = serverPathOf(action.path);
        prepared.before = *before;
        prepared.mtime = std::max(before->mtime, kEarliestServerMtime);
        prepared.pendingChecksum =
            std::async(std::launch::async, [file = prepared.file, hashed = *before, cancel = m_context.cancel]() -> Result<std::string> {
                // Stopped with the sync: a stop (Ctrl-C) waits for this thread, not for a whole file read.
                auto sum = sha1OfFile(file, cancel);
                if (!sum)
                    return sum;
                auto after = statLocal(file);
                if (!after || !sameVersion(hashed, *after))
                    return fail(SyncErrorCode::FileChanged, "it changed while it was being read; it will be read again");
                return sum;
            }).share();
        return prepared;
    }
    auto checksum = sha1OfFile(prepared.file, m_context.cancel);
    if (!checksum)
        return std::unexpected(failed(report, checksum.error()));
    auto afterHash = statLocal(prepared.file);
    if (!afterHash || !sameVersion(*before, *afterHash))
        return std::unexpected(failed(report, SyncErrorCode::FileChanged,
                                      "it changed while it was being read; it will be read again"));

    prepared.serverPath = serverPathOf(action.path);
    // Only the time changed: the server already has these bytes.
    if (action.journal && action.remote && action.journal->checksum == *checksum &&
        action.remote->etag == action.journal->etag) {
        JournalRecord record = *action.journal;
        setLocalFields(record, *before);
        journal().upsert(action.path, std::move(record));
        report.kind = ActionKind::UpdateJournal;
        return std::unexpected(report);
    }
    prepared.before = *before;
    prepared.checksum = std::move(*checksum);
    prepared.mtime = std::max(before->mtime, kEarliestServerMtime);
    return prepared;
}

ItemReport Propagator::recordUpload(const Action& action, const PreparedUpload& prepared,
                                    const std::string& uploadedPath, const UploadResult& result)
{
    ItemReport report = reportFor(action);
    // The server verified the checksum, so it holds exactly the bytes hashed above; if the file
    // changed since, the journal keeps the hashed version's size and time and the next run
    // uploads the new content.
    RemoteEntry remote = action.remote.value_or(RemoteEntry{});
    remote.etag = result.etag;
    if (!result.fileId.empty())
        remote.fileId = result.fileId;
    remote.checksum = prepared.checksum;
    remote.encrypted = remote.encrypted || m_transaction != nullptr;
    if (result.changedWhileSent)
        remote.checksum.clear(); // not what was hashed: the next run uploads the file again
    JournalRecord record = recordOf(ItemType::File, uploadedPath, &prepared.before, &remote);
    journal().upsert(action.path, std::move(record));
    if (result.changedWhileSent)
        return failed(report, SyncErrorCode::FileChanged,
                      "it changed while it was being uploaded; it will be uploaded again");
    report.bytes = prepared.before.size;
    return report;
}

ItemReport Propagator::upload(const Action& action)
{
    ItemReport report = reportFor(action);
    auto prepared = prepareUpload(action, !m_transaction);
    if (!prepared)
        return prepared.error();
    const fs::path& file = prepared->file;
    const LocalEntry* before = &prepared->before;
    const std::string& serverPath = prepared->serverPath;

    UploadOptions options;
    options.mtime = prepared->mtime;
    options.checksum = prepared->checksum;
    if (prepared->pendingChecksum.valid())
        options.checksumLater = [pending = prepared->pendingChecksum] { return pending.get(); };
    if (action.remote)
        options.ifMatch = action.remote->etag;
    else
        options.mustNotExist = true;
    options.chunkThreshold = m_context.options->chunkThreshold;
    options.chunkSize = m_context.options->chunkSize;
    options.parallelChunks = m_context.options->parallelChunks;
    options.targetChunkMilliseconds = m_context.options->targetChunkMilliseconds;
    options.transferId = transferId(action.path, *before);
    options.cancel = m_context.cancel;
    options.progress = progressReporter();
    Result<UploadResult> result;
    std::string uploadedPath = serverPath;
    if (m_transaction) {
        // Inside an encrypted tree: the transaction encrypts, names and describes the blob.
        if (action.remote && !action.remote->serverPath.empty())
            uploadedPath = action.remote->serverPath;
        options.transferId = encryptedTransferBasis(action.path, *before);
        auto sent = m_transaction->upload(*m_context.remote, action.path, uploadedPath, !action.remote, file,
                                          std::move(options));
        if (sent) {
            uploadedPath = sent->serverPath;
            result = std::move(sent->result);
        } else {
            result = std::unexpected(sent.error());
        }
    } else {
        result = m_context.remote->upload(serverPath, file, options);
    }
    if (!result) {
        // A file that changed while it was sent does not match the checksum, so the server
        // refuses it; that is a reason to read it again, not a failure of the item.
        auto now = statLocal(file);
        if (result.error().code != SyncErrorCode::Cancelled && (!now || !sameVersion(*now, *before)))
            return failed(report, SyncErrorCode::FileChanged,
                          "it changed while it was being uploaded; the server kept the previous version and it "
                          "will be read again");
        return failed(report, result.error());
    }
    if (prepared->pendingChecksum.valid()) {
        // The server took the upload with this checksum (its MOVE carried it), so it is ready.
        auto sum = prepared->pendingChecksum.get();
        if (!sum)
            return failed(report, sum.error());
        prepared->checksum = *sum;
    }
    return recordUpload(action, *prepared, uploadedPath, *result);
}

Result<DownloadResult> Propagator::fetch(const RemoteEntry& remote, const std::string& serverPath,
                                         const fs::path& target, DownloadOptions options)
{
    return downloadFile(*m_context.remote, remote, serverPath, target, std::move(options));
}

ItemReport Propagator::download(const Action& action)
{
    ItemReport report = reportFor(action);
    const RemoteEntry remote = movedAlong(*action.remote);
    const fs::path target = localPath(action.path);
    if (m_diskFull) {
        std::lock_guard lock(m_messageMutex);
        return failed(report, SyncErrorCode::DiskFull, m_diskFullMessage);
    }
    if (auto space = freeSpace(target.parent_path());
        space && *space < remote.size + m_context.options->minimumFreeSpace) {
        const std::string message = "the local disk is full: downloading '" + action.path + "' needs " +
                                    std::to_string(remote.size / 1048576 + 1) + " MiB and " +
                                    std::to_string(*space / 1048576) +
                                    " MiB are free (Nubo keeps a reserve); free some space and sync again";
        {
            std::lock_guard lock(m_messageMutex);
            m_diskFullMessage = message;
        }
        m_diskFull = true;
        return failed(report, SyncErrorCode::DiskFull, message);
    }
    // What a download replaces must be the version the journal knows, byte for byte: an edit that
    // size and times did not show (a coarse clock, a restored mtime) is kept as a conflict copy.
    if (action.local && action.local->type == ItemType::File) {
        auto localSum = sha1OfFile(target);
        if (!localSum)
            return failed(report, localSum.error());
        if (!action.journal || !sameChecksum(action.journal->checksum, *localSum))
            return conflict(action);
    }
    const fs::path temp = temporaryPathFor(target);
    DownloadOptions options;
    options.expectedChecksum = remote.checksum;
    options.cancel = m_context.cancel;
    options.progress = progressReporter();
    auto result = fetch(remote, remote.serverPath.empty() ? serverPathOf(action.path) : remote.serverPath, temp,
                        std::move(options));
    if (!result) {
        if (result.error().code == SyncErrorCode::DiskFull) {
            std::lock_guard lock(m_messageMutex);
            m_diskFullMessage = result.error().message;
            m_diskFull = true;
        }
        return failed(report, result.error());
    }
    const auto discard = [&](ItemReport r) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        return r;
    };
    if (auto set = setModificationTime(temp, remote.mtime); !set)
        return discard(failed(report, set.error()));
    // The local side must still be as discovery saw it, or a change made meanwhile is lost.
    auto current = statLocal(target);
    Result<void> placed;
    if (action.local) {
        if (!current || !sameVersion(*current, *action.local))
            return discard(failed(report, SyncErrorCode::FileChanged,
                                  "it changed on this computer while the sync ran; it will be compared again"));
        placed = renameReplace(temp, target);
    } else {
        if (current)
            return discard(failed(report, SyncErrorCode::FileChanged,
                                  "a local item appeared with this name while the sync ran; it will be compared again"));
        placed = renameNoReplace(temp, target);
    }
    if (!placed)
        return discard(failed(report, placed.error()));
    (void)syncFolder(target.parent_path());
    auto stat = statLocal(target);
    if (!stat)
        return failed(report, stat.error());
    RemoteEntry got = remote;
    if (!result->etag.empty())
        got.etag = result->etag;
    got.checksum = result->checksum;
    got.size = result->size;
    journal().upsert(action.path, recordOf(ItemType::File, got.serverPath.empty() ? serverPathOf(action.path)
                                                                                   : got.serverPath,
                                           &*stat, &got));
    report.bytes = result->size;
    return report;
}

ItemReport Propagator::conflict(const Action& action)
{
    ItemReport report = reportFor(action);
    const RemoteEntry remote = movedAlong(*action.remote);
    const fs::path file = localPath(action.path);
    auto before = statLocal(file);
    if (!before || before->type != ItemType::File)
        return failed(report, SyncErrorCode::FileChanged, "it changed on this computer while the sync ran");
    auto localSum = sha1OfFile(file);
    if (!localSum)
        return failed(report, localSum.error());
    const std::string serverPath = remote.serverPath.empty() ? serverPathOf(action.path) : remote.serverPath;
    const auto recordSame = [&](const RemoteEntry& version) {
        RemoteEntry copy = version;
        copy.checksum = *localSum;
        journal().upsert(action.path, recordOf(ItemType::File, serverPath, &*before, &copy));
        report.kind = ActionKind::UpdateJournal; // equal content: not a conflict
        return report;
    };
    if (sameChecksum(remote.checksum, *localSum))
        return recordSame(remote);

    const fs::path temp = temporaryPathFor(file);
    DownloadOptions options;
    options.expectedChecksum = remote.checksum;
    options.cancel = m_context.cancel;
    auto result = fetch(remote, serverPath, temp, std::move(options));
    if (!result)
        return failed(report, result.error());
    std::error_code ignored;
    if (sameChecksum(result->checksum, *localSum)) {
        fs::remove(temp, ignored);
        RemoteEntry version = remote;
        if (!result->etag.empty())
            version.etag = result->etag;
        return recordSame(version);
    }
    if (auto set = setModificationTime(temp, remote.mtime); !set) {
        fs::remove(temp, ignored);
        return failed(report, set.error());
    }
    auto current = statLocal(file);
    if (!current || !sameVersion(*current, *before)) {
        fs::remove(temp, ignored);
        return failed(report, SyncErrorCode::FileChanged, "it changed on this computer while the sync ran");
    }
    // Keep the local version under a conflict name (never overwritten), then put the server's
    // version in its place.
    std::int64_t when = std::time(nullptr);
    std::string copyPath;
    Result<void> kept = fail(SyncErrorCode::LocalIo, "no free conflict name");
    for (int attempt = 0; attempt < 100 && !kept; ++attempt) {
        copyPath = conflictCopyPath(action.path, when + attempt);
        kept = renameNoReplace(file, localPath(copyPath));
    }
    if (!kept) {
        fs::remove(temp, ignored);
        return failed(report, kept.error());
    }
    if (auto placed = renameNoReplace(temp, file); !placed) {
        fs::remove(temp, ignored);
        return failed(report, placed.error());
    }
    (void)syncFolder(file.parent_path());
    auto stat = statLocal(file);
    if (!stat)
        return failed(report, stat.error());
    RemoteEntry version = remote;
    if (!result->etag.empty())
        version.etag = result->etag;
    version.checksum = result->checksum;
    journal().upsert(action.path, recordOf(ItemType::File, serverPath, &*stat, &version));
    report.kind = ActionKind::Conflict; // also when a download found an unexpected local edit
    report.conflictCopy = copyPath;
    report.bytes = result->size;
    return report;
}

ItemReport Propagator::makeLocalFolder(const Action& action)
{
    ItemReport report = reportFor(action);
    const fs::path folder = localPath(action.path);
    std::error_code error;
    fs::create_directory(folder, error);
    if (error)
        return failed(report, errnoError(error.value(), "create folder", folder));
    auto stat = statLocal(folder);
    if (!stat || stat->type != ItemType::Directory)
        return failed(report, SyncErrorCode::FileChanged, "a local file with this name appeared while the sync ran");
    JournalRecord record = recordOf(ItemType::Directory, action.remote->serverPath, &*stat, &*action.remote);
    record.etag.clear(); // set once everything inside has been synced
    journal().upsert(action.path, std::move(record));
    return report;
}

Result<void> Propagator::ensureRemoteParents(const std::string& plainPath)
{
    const std::string parent = parentPath(plainPath);
    if (parent.empty())
        return {};
    if (m_transaction) // encrypted folders are made by their own actions, under their own names
        return fail(SyncErrorCode::NotFound, "its folder is missing on the server; it is compared again next time");
    if (auto stat = m_context.remote->stat(serverPathOf(parent)); stat)
        return {};
    if (auto up = ensureRemoteParents(parent); !up)
        return up;
    auto made = m_context.remote->makeFolder(serverPathOf(parent));
    if (!made)
        return std::unexpected(made.error());
    return {};
}

ItemReport Propagator::makeRemoteFolder(const Action& action)
{
    ItemReport report = reportFor(action);
    std::string serverPath = serverPathOf(action.path);
    if (m_transaction) {
        auto made = m_transaction->makeFolder(*m_context.remote, action.path, serverPath);
        if (!made)
            return failed(report, made.error());
        JournalRecord record =
            recordOf(ItemType::Directory, made->serverPath, action.local ? &*action.local : nullptr, &*made);
        record.etag.clear();
        record.encrypted = true;
        journal().upsert(action.path, std::move(record));
        return report;
    }
    auto made = m_context.remote->makeFolder(serverPath);
    if (!made) {
        // Already there (a move created it, or an earlier run that did not record it)?
        auto stat = m_context.remote->stat(serverPath);
        if (!stat || stat->type != ItemType::Directory)
            return failed(report, made.error());
        made = std::move(stat);
    }
    made->serverPath = serverPath;
    JournalRecord record = recordOf(ItemType::Directory, serverPath, action.local ? &*action.local : nullptr, &*made);
    record.etag.clear(); // the folder is listed again next time, with what was uploaded into it
    journal().upsert(action.path, std::move(record));
    return report;
}

ItemReport Propagator::moveRemote(const Action& action)
{
    ItemReport report = reportFor(action);
    const std::string from = serverPathOf(action.from);
    const std::string to = joinPath(serverPathOf(parentPath(action.path)), fileName(action.path));
    if (m_transaction) {
        auto moved = m_transaction->move(*m_context.remote, action.from, from, action.path, to);
        if (!moved)
            return failed(report, moved.error());
        if (action.type == ItemType::Directory) {
            std::lock_guard lock(m_movesMutex);
            m_serverFolderMoves.emplace_back(from, *moved);
        }
        journal().moveTree(action.from, action.path, from, *moved);
        recordMovedHere(action);
        return report;
    }
    auto moved = m_context.remote->move(from, to);
    if (!moved && moved.error().code == SyncErrorCode::Conflict) {
        if (auto parents = ensureRemoteParents(action.path); !parents)
            return failed(report, parents.error());
        moved = m_context.remote->move(from, to);
    }
    if (!moved)
        return failed(report, moved.error());
    journal().moveTree(action.from, action.path);
    recordMovedHere(action);
    return report;
}

void Propagator::recordMovedHere(const Action& action)
{
    // The user's rename moved the change time. The new one is recorded only when the content is
    // still the journal's: an edit that kept size and mtime is then uploaded next run.
    auto record = journal().get(action.path);
    if (!record || !action.local)
        return;
    bool unchanged = record->type == ItemType::Directory;
    if (!unchanged) {
        const auto sum = sha1OfFile(localPath(action.path));
        unchanged = sum && sameChecksum(*sum, record->checksum);
    }
    if (unchanged) {
        setLocalFields(*record, *action.local);
        journal().upsert(action.path, std::move(*record));
    }
}

void Propagator::moveJournalAlongTheServer(const Action& action)
{
    // The server moved the item (or both sides did): everything below it moved along there too.
    // Inside a vault server names are ids, not derived from the plain path, so the records below
    // are rebased on the item's old and new server paths; kept as they were, a later move of one
    // of them would name a path the server no longer has (404 in every run).
    if (action.journal && action.remote && !action.journal->serverPath.empty() && !action.remote->serverPath.empty())
        journal().moveTree(action.from, action.path, action.journal->serverPath, action.remote->serverPath);
    else
        journal().moveTree(action.from, action.path);
}

ItemReport Propagator::moveLocal(const Action& action)
{
    ItemReport report = reportFor(action);
    const fs::path from = localPath(action.from);
    const fs::path to = localPath(action.path);
    std::error_code error;
    fs::create_directories(to.parent_path(), error);
    if (error)
        return failed(report, errnoError(error.value(), "create folder", to.parent_path()));
    // Whether the item is, before our rename, the version the journal knows. An edit not yet
    // uploaded may show only in the change time (same size, the old mtime put back), and the
    // rename moves the change time too: taking the new one for the synced version would hide the
    // edit for good, and a later delete on the server would remove it (plain convergence seed
    // 1232861115 lost it so).
    const auto before = statLocal(from);
    const bool asRecorded = before && action.journal && !localChanged(*before, *action.journal);
    if (auto renamed = renameNoReplace(from, to); !renamed)
        return failed(report, renamed.error());
    moveJournalAlongTheServer(action);
    if (auto record = journal().get(action.path); record && action.remote) {
        record->serverPath = action.remote->serverPath.empty() ? record->serverPath : action.remote->serverPath;
        record->fileId = action.remote->fileId;
        // Our rename moved the change time: without this the item would look edited next run.
        // (Size and mtime as recorded: nothing was written to it since the scan.)
        if (auto moved = statLocal(to); asRecorded && moved && moved->type == record->type &&
                                        moved->size == record->size && moved->mtime == record->mtime &&
                                        moved->mtimeNs == record->mtimeNs)
            setLocalFields(*record, *moved);
        journal().upsert(action.path, std::move(*record));
    }
    return report;
}

ItemReport Propagator::deleteLocal(const Action& action)
{
    ItemReport report = reportFor(action);
    const fs::path target = localPath(action.path);
    auto stat = statLocal(target);
    if (!stat) {
        if (stat.error().code != SyncErrorCode::NotFound)
            return failed(report, stat.error()); // there, but not readable: not "already gone"
        journal().removeTree(action.path); // already gone
        return report;
    }
    // Delete only what is exactly as the journal knew it: anything new or changed is kept.
    if (stat->type == ItemType::File) {
        if (action.local && !sameVersion(*stat, *action.local))
            return failed(report, SyncErrorCode::FileChanged, "it changed on this computer while the sync ran; kept");
    } else {
        LocalScanOptions scanOptions; // no excludes: an excluded file is the user's too
        scanOptions.onTemporaryFile = [](const std::string&) {};
        // Symlinks, special files, unreadable folders and names the server cannot hold were never
        // synced, so nothing on the server stands for them: the folder is kept for their sake.
        std::string unsynced;
        scanOptions.onSkipped = [&](const std::string& path, const std::string& why, SkipKind) {
            if (unsynced.empty())
                unsynced = "'" + e2ee::printableName(joinPath(action.path, path)) + "' inside it is not synced (" +
                           why + "); the folder is kept";
        };
        auto below = scanLocal(target, scanOptions);
        if (!below)
            return failed(report, below.error());
        if (!unsynced.empty())
            return failed(report, SyncErrorCode::FileChanged, unsynced);
        for (const auto& [relative, entry] : *below) {
            const std::string path = joinPath(action.path, relative);
            const auto record = journal().get(path);
            if (isConflictCopyName(fileName(path)) || !record || localChanged(entry, *record))
                return failed(report, SyncErrorCode::FileChanged,
                              "'" + path + "' inside it is new or changed on this computer; the folder is kept");
        }
    }
    if (m_context.options->useTrash) {
        // A trash that cannot take the item is no licence to delete it for good: it stays, and
        // the user learns why (the next run tries again).
        if (!m_context.trash)
            return failed(report, SyncErrorCode::LocalIo,
                          "it was deleted on the server, but there is no usable trash to move it to; it is kept");
        auto trashed = m_context.trash->moveToTrash(target);
        if (!trashed)
            return failed(report, SyncErrorCode::LocalIo,
                          "it was deleted on the server, but moving it to the trash failed (" +
                              trashed.error().message + "); it is kept. Fix the trash, or turn the trash off "
                              "to delete such items for good");
        journal().removeTree(action.path);
        return report;
    }
    std::error_code error;
    fs::remove_all(target, error);
    if (error)
        return failed(report, errnoError(error.value(), "delete", target));
    journal().removeTree(action.path);
    return report;
}

ItemReport Propagator::deleteRemote(const Action& action)
{
    ItemReport report = reportFor(action);
    // Only the version this run saw is deleted: an edit (or, for a folder, anything below it)
    // that reached the server since makes it answer 412, and the next pass looks again.
    std::optional<std::string> ifMatch;
    if (action.remote && !action.remote->etag.empty())
        ifMatch = action.remote->etag;
    const std::string serverPath = serverPathOf(action.path);
    auto removed = m_transaction
                       ? m_transaction->remove(*m_context.remote, action.path, serverPath, ifMatch,
                                               action.journal ? action.journal->fileId : std::string())
                       : m_context.remote->remove(serverPath, ifMatch);
    if (!removed && removed.error().code == SyncErrorCode::PreconditionFailed)
        return failed(report, SyncErrorCode::PreconditionFailed,
                      "it changed on the server since this sync looked, so it was not deleted there; it will be "
                      "compared again");
    if (!removed && removed.error().code != SyncErrorCode::NotFound)
        return failed(report, removed.error());
    journal().removeTree(action.path);
    return report;
}

ItemReport Propagator::updateJournal(const Action& action)
{
    ItemReport report = reportFor(action);
    if (!action.from.empty()) {
        if (action.remote)
            moveJournalAlongTheServer(action); // a move both sides made
        else if (action.journal) // a key re-spelled as here (NFC/NFD): the server keeps its names
            journal().moveTree(action.from, action.path, action.journal->serverPath, action.journal->serverPath);
    }
    auto existing = journal().get(action.path);
    JournalRecord record = existing.value_or(JournalRecord{});
    record.type = action.type;
    if (action.local)
        setLocalFields(record, *action.local);
    if (action.remote) {
        record.serverPath = action.path.empty() ? std::string() : action.remote->serverPath;
        record.fileId = action.remote->fileId;
        record.permissions = action.remote->permissions;
        record.encrypted = action.remote->encrypted;
        if (action.type == ItemType::File) {
            record.etag = action.remote->etag;
            if (!action.remote->checksum.empty())
                record.checksum = action.remote->checksum;
        } else if (!existing) {
            record.etag.clear(); // folders get their ETag once everything inside is synced
        }
    }
    journal().upsert(action.path, std::move(record));
    return report;
}

} // namespace nubo::sync
