#include "reconcile.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace nubo::sync {

const char* actionKindName(ActionKind kind)
{
    switch (kind) {
    case ActionKind::Upload: return "upload";
    case ActionKind::Download: return "download";
    case ActionKind::MakeRemoteFolder: return "make-remote-folder";
    case ActionKind::MakeLocalFolder: return "make-local-folder";
    case ActionKind::MoveRemote: return "move-remote";
    case ActionKind::MoveLocal: return "move-local";
    case ActionKind::DeleteRemote: return "delete-remote";
    case ActionKind::DeleteLocal: return "delete-local";
    case ActionKind::Conflict: return "conflict";
    case ActionKind::UpdateJournal: return "update-journal";
    case ActionKind::ForgetJournal: return "forget-journal";
    case ActionKind::Error: return "error";
    }
    return "unknown";
}

bool localChanged(const LocalEntry& local, const JournalRecord& record)
{
    if (local.type != record.type)
        return true;
    if (local.type == ItemType::Directory)
        return false;
    if (local.size != record.size || local.mtime != record.mtime)
        return true;
    // A record from an older journal knows seconds only; the run fills in the rest.
    if (record.ctime == 0)
        return false;
    // Same size in the same second is an everyday edit (a script, a quick save); a `touch -r`
    // even restores the mtime. The change time and a new inode (an editor's save-and-rename) show it.
    return local.mtimeNs != record.mtimeNs || local.ctime != record.ctime || local.inode != record.inode;
}

bool remoteChanged(const RemoteEntry& remote, const JournalRecord& record)
{
    if (remote.type != record.type)
        return true;
    if (remote.type == ItemType::Directory)
        return false;
    return remote.etag != record.etag;
}

namespace {

// How one side looks relative to the journal.
enum class State { None, Same, Changed, New, Deleted, Replaced };

template <typename Entry>
State stateOf(const Entry* entry, const JournalRecord* record, bool changed)
{
    if (!record)
        return entry ? State::New : State::None;
    if (!entry)
        return State::Deleted;
    if (entry->type != record->type)
        return State::Replaced;
    return changed ? State::Changed : State::Same;
}

bool hasPermission(const RemoteEntry* remote, char letter)
{
    // Servers that send no permissions allow everything.
    return !remote || remote->permissions.empty() || remote->permissions.find(letter) != std::string::npos;
}

std::string lowerAscii(std::string text)
{
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

struct Move {
    std::string from; // in the coordinates before any move
    std::string to;
};

// Applies accepted moves (outermost first) to a path given in pre-move coordinates.
std::string throughMoves(const std::string& path, const std::vector<Move>& moves)
{
    std::string result = path;
    for (const Move& move : moves)
        if (isInside(result, move.from))
            result = rebase(result, move.from, move.to);
    return result;
}

// Whether an item of `tree` sits at `path` once `moves` are applied (a destination that is
// free before the moves may be taken after them, e.g. by a folder moved onto its parent's name).
template <typename Tree>
bool occupiedAfter(const Tree& tree, const std::vector<Move>& moves, const std::string& path)
{
    if (tree.contains(path) && throughMoves(path, moves) == path)
        return true;
    std::string original = path;
    for (auto it = moves.rbegin(); it != moves.rend(); ++it)
        if (isInside(original, it->to))
            original = rebase(original, it->to, it->from);
    return original != path && tree.contains(original) && throughMoves(original, moves) == path;
}

template <typename Tree>
Tree rebaseTree(const Tree& tree, const std::vector<Move>& moves, bool rebaseServerPath)
{
    if (moves.empty())
        return tree;
    Tree result;
    for (const auto& [path, entry] : tree) {
        const std::string moved = throughMoves(path, moves);
        auto copy = entry;
        if constexpr (requires { copy.serverPath; }) {
            // Plain items are known to the server by their plain path; encrypted ones keep theirs.
            if (rebaseServerPath && moved != path && copy.serverPath == path)
                copy.serverPath = moved;
        }
        result.emplace(moved, std::move(copy));
    }
    return result;
}

class Reconciler {
public:
    Reconciler(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
               const ReconcileOptions& options)
        : m_localIn(local), m_remoteIn(remote), m_journalIn(journal), m_options(options)
    {
    }

    Plan run()
    {
        detectMoves();
        m_localView = &m_localIn;
        if (!m_localTreeMoves.empty()) {
            m_localOwned = rebaseTree(m_localIn, m_localTreeMoves, false);
            m_localView = &m_localOwned;
        }
        m_remoteView = &m_remoteIn;
        if (!m_localMoves.empty()) {
            m_remoteOwned = rebaseTree(m_remoteIn, m_localMoves, true);
            m_remoteView = &m_remoteOwned;
        }
        // The journal follows both: first what the server moved, then what was moved here.
        m_journalView = &m_journalIn;
        if (!m_remoteMoves.empty() || !m_localMoves.empty()) {
            m_journalOwned = rebaseTree(rebaseTree(m_journalIn, m_remoteMoves, true), m_localMoves, true);
            m_journalView = &m_journalOwned;
            // A rename moves the item's change time: that alone is no edit, or every move would
            // also upload. (The propagator hashes a moved file before it records the new time.)
            for (const Move& move : m_localMoves) {
                const auto record = m_journalOwned.find(move.to);
                const auto local = m_localView->find(move.to);
                if (record != m_journalOwned.end() && local != m_localView->end() && record->second.ctime != 0)
                    record->second.ctime = local->second.ctime;
            }
        }
        markDirtyFolders();
        findCaseClashes();
        compareAll();
        m_plan.itemsKnown = static_cast<std::int64_t>(m_journalIn.size()) - (m_journalIn.contains("") ? 1 : 0);
        m_plan.deletedPaths.assign(std::make_move_iterator(m_deletedPaths.begin()),
                                   std::make_move_iterator(m_deletedPaths.end()));
        return std::move(m_plan);
    }

private:
    // --- moves ---------------------------------------------------------------------------------

    void detectMoves()
    {
        std::unordered_map<std::uint64_t, const std::string*> byInode;
        std::unordered_map<std::string, const std::string*> byFileId;
        for (const auto& [path, record] : m_journalIn) {
            if (path.empty())
                continue;
            if (record.inode != 0)
                byInode.emplace(record.inode, &path);
            if (!record.fileId.empty())
                byFileId.emplace(record.fileId, &path);
        }

        struct Candidate {
            std::string from, to;
        };
        std::vector<Candidate> localCandidates, remoteCandidates;
        for (const auto& [path, entry] : m_localIn) {
            if (m_journalIn.contains(path) || entry.inode == 0)
                continue;
            const auto it = byInode.find(entry.inode);
            if (it == byInode.end())
                continue;
            const std::string& from = *it->second;
            const JournalRecord& record = m_journalIn.at(from);
            const auto stillThere = m_localIn.find(from);
            if (record.type != entry.type || (stillThere != m_localIn.end() && stillThere->second.inode == entry.inode))
                continue;
            // Filesystems hand a freed inode to the next new item: a file "notes" replaced by a
            // folder "notes" can pass its inode to "notes/x" written in it. Nothing moves below
            // its own old place, so that is a new item, not a move.
            if (isInside(path, from))
                continue;
            localCandidates.push_back({from, path});
        }
        for (const auto& [path, entry] : m_remoteIn) {
            if (path.empty() || m_journalIn.contains(path) || entry.fileId.empty())
                continue;
            const auto it = byFileId.find(entry.fileId);
            if (it == byFileId.end())
                continue;
            const std::string& from = *it->second;
            const JournalRecord& record = m_journalIn.at(from);
            const auto stillThere = m_remoteIn.find(from);
            if (record.type != entry.type ||
                (stillThere != m_remoteIn.end() && stillThere->second.fileId == entry.fileId))
                continue;
            remoteCandidates.push_back({from, path});
        }
        const auto byDepth = [](const Candidate& a, const Candidate& b) {
            return std::pair(depth(a.to), a.to) < std::pair(depth(b.to), b.to);
        };
        std::sort(localCandidates.begin(), localCandidates.end(), byDepth);
        std::sort(remoteCandidates.begin(), remoteCandidates.end(), byDepth);

        // The server's moves first: when both sides moved the same item, the server's place wins.
        std::set<std::string> movedOnServer;
        for (const Candidate& candidate : remoteCandidates) {
            const std::string from = throughMoves(candidate.from, m_remoteMoves);
            if (from == candidate.to)
                continue; // implied by a folder move above it
            // The local item must still be where the journal saw it, or where this computer moved it.
            std::string localFrom = from;
            const auto localMove = std::find_if(localCandidates.begin(), localCandidates.end(),
                                                [&](const Candidate& c) { return c.from == candidate.from; });
            const JournalRecord& record = m_journalIn.at(candidate.from);
            if (localMove != localCandidates.end()) {
                localFrom = throughMoves(localMove->to, m_remoteMoves);
            } else {
                const auto local = m_localIn.find(candidate.from);
                if (local == m_localIn.end() || local->second.inode != record.inode ||
                    local->second.type != record.type)
                    continue; // gone or replaced here: the remote item is simply new at its place
            }
            if (localFrom != candidate.to && occupiedAfter(m_localIn, m_localTreeMoves, candidate.to))
                continue; // something else is in the way here
            movedOnServer.insert(candidate.from);
            m_remoteMovedOriginal.push_back(candidate.from);
            m_remoteMoves.push_back({from, candidate.to});
            m_localTreeMoves.push_back({localFrom, candidate.to});
            if (localFrom == candidate.to) {
                // Both sides made the same move: only the journal has to follow.
                Action action;
                action.kind = ActionKind::UpdateJournal;
                action.type = record.type;
                action.from = from;
                action.path = candidate.to;
                action.remote = m_remoteIn.at(candidate.to);
                action.journal = record;
                action.reason = "moved the same way on both sides";
                m_moveActions.push_back(std::move(action));
                continue;
            }
            Action action;
            action.kind = ActionKind::MoveLocal;
            action.type = record.type;
            action.from = localFrom;
            action.path = candidate.to;
            action.remote = m_remoteIn.at(candidate.to);
            action.journal = record;
            action.reason = "moved on the server";
            m_moveActions.push_back(std::move(action));
        }
        // Local moves that the server's moves did not already settle.
        for (const Candidate& candidate : localCandidates) {
            if (movedOnServer.contains(candidate.from))
                continue;
            bool insideServerMove = false;
            for (const std::string& moved : m_remoteMovedOriginal)
                insideServerMove = insideServerMove || isInside(candidate.from, moved);
            if (insideServerMove)
                continue; // the folder around it moved on the server; compare at the new place instead
            const std::string from = throughMoves(candidate.from, m_localMoves);
            if (from == candidate.to)
                continue;
            const JournalRecord& record = m_journalIn.at(candidate.from);
            const auto remote = m_remoteIn.find(candidate.from);
            if (remote == m_remoteIn.end() || remote->second.type != record.type ||
                (!record.fileId.empty() && remote->second.fileId != record.fileId))
                continue; // gone or replaced on the server: upload as new instead
            if (occupiedAfter(m_remoteIn, m_localMoves, candidate.to))
                continue; // taken on the server: upload as new instead
            if (!hasPermission(&remote->second, 'V') && !hasPermission(&remote->second, 'N'))
                continue; // the server forbids it: upload at the new place, keep the old one there
            m_localMoves.push_back({from, candidate.to});
            Action action;
            action.kind = ActionKind::MoveRemote;
            action.type = record.type;
            action.from = from;
            action.path = candidate.to;
            action.local = m_localIn.at(candidate.to);
            action.remote = remote->second;
            action.journal = record;
            action.reason = "moved on this computer";
            m_moveActions.push_back(std::move(action));
        }
        // Server-side moves first (they change local paths), then local ones, outer before inner.
        std::stable_partition(m_moveActions.begin(), m_moveActions.end(),
                              [](const Action& a) { return a.kind != ActionKind::MoveRemote; });
        for (Action& action : m_moveActions)
            m_plan.actions.push_back(std::move(action));
    }

    // --- what changed below a folder -----------------------------------------------------------

    void markAncestors(std::unordered_set<std::string>& set, const std::string& path)
    {
        std::string p = path;
        while (!p.empty()) {
            p = parentPath(p);
            if (!set.insert(p).second)
                break;
        }
    }

    void markDirtyFolders()
    {
        for (const std::string& folder : m_options.foldersWithUnsyncedItems) {
            const std::string moved = throughMoves(folder, m_localTreeMoves);
            m_localDirty.insert(moved);
            markAncestors(m_localDirty, moved);
        }
        for (const auto& [path, entry] : (*m_localView)) {
            const auto record = (*m_journalView).find(path);
            if (record == (*m_journalView).end() || localChanged(entry, record->second))
                markAncestors(m_localDirty, path);
        }
        for (const auto& [path, entry] : (*m_remoteView)) {
            if (path.empty())
                continue;
            const auto record = (*m_journalView).find(path);
            if (record == (*m_journalView).end() || remoteChanged(entry, record->second))
                markAncestors(m_remoteDirty, path);
        }
    }

    void findCaseClashes()
    {
        if (!m_options.caseInsensitive)
            return;
        std::unordered_map<std::string, std::string> firstByFolded;
        // Items already here (local or journal) own their folded name; a remote newcomer that
        // folds to the same name cannot be written without overwriting them.
        for (const auto& [path, entry] : (*m_localView))
            firstByFolded.emplace(lowerAscii(path), path);
        for (const auto& [path, record] : (*m_journalView))
            firstByFolded.emplace(lowerAscii(path), path);
        for (const auto& [path, entry] : (*m_remoteView)) {
            if (path.empty() || (*m_localView).contains(path) || (*m_journalView).contains(path))
                continue;
            const auto [it, inserted] = firstByFolded.emplace(lowerAscii(path), path);
            if (!inserted && it->second != path)
                m_caseClash.emplace(path, it->second);
        }
    }

    // --- one path at a time ---------------------------------------------------------------------

    void compareAll()
    {

        std::vector<Action> early, folders, transfers, deletes, journalOnly;
        m_early = &early;
        m_folders = &folders;
        m_transfers = &transfers;
        m_deletes = &deletes;
        m_journalOnly = &journalOnly;
        // Folders whose whole subtree one action settles. std::set order does not keep a subtree
        // together ("a b" sorts between "a" and "a/b"), so ancestors are looked up.
        std::unordered_set<std::string> settled;
        const auto isSettled = [&](const std::string& path) { return hasAncestorIn(path, settled); };
        // Every path of the three trees once, in order, without building their union.
        auto li = m_localView->begin();
        auto ri = m_remoteView->begin();
        auto ji = m_journalView->begin();
        for (;;) {
            const std::string* next = nullptr;
            for (const std::string* candidate :
                 {li != m_localView->end() ? &li->first : nullptr, ri != m_remoteView->end() ? &ri->first : nullptr,
                  ji != m_journalView->end() ? &ji->first : nullptr})
                if (candidate && (!next || *candidate < *next))
                    next = candidate;
            if (!next)
                break;
            const std::string path = *next;
            if (li != m_localView->end() && li->first == path)
                ++li;
            if (ri != m_remoteView->end() && ri->first == path)
                ++ri;
            if (ji != m_journalView->end() && ji->first == path)
                ++ji;
            if (path.empty()) {
                compareRoot();
                continue;
            }
            if (isSettled(path))
                continue;
            if (comparePath(path))
                settled.insert(path);
        }
        // Folders are made top-down (std::set order puts a parent before its children).
        for (auto* group : {&early, &folders, &transfers, &deletes, &journalOnly})
            for (Action& action : *group)
                m_plan.actions.push_back(std::move(action));
    }

    void compareRoot()
    {
        const auto remote = (*m_remoteView).find("");
        if (remote == (*m_remoteView).end())
            return;
        const auto record = (*m_journalView).find("");
        if (record == (*m_journalView).end() || record->second.etag != remote->second.etag) {
            Action action = make(ActionKind::UpdateJournal, "", ItemType::Directory);
            action.remote = remote->second;
            m_journalOnly->push_back(std::move(action));
        }
    }

    Action make(ActionKind kind, const std::string& path, ItemType type) const
    {
        Action action;
        action.kind = kind;
        action.path = path;
        action.type = type;
        if (const auto it = (*m_localView).find(path); it != (*m_localView).end())
            action.local = it->second;
        if (const auto it = (*m_remoteView).find(path); it != (*m_remoteView).end())
            action.remote = it->second;
        if (const auto it = (*m_journalView).find(path); it != (*m_journalView).end())
            action.journal = it->second;
        return action;
    }

    void emit(std::vector<Action>& group, ActionKind kind, const std::string& path, ItemType type,
              std::string reason)
    {
        Action action = make(kind, path, type);
        action.reason = std::move(reason);
        if (kind == ActionKind::DeleteLocal || kind == ActionKind::DeleteRemote) {
            std::int64_t count = 1;
            keepDeletedPath(path);
            if (type == ItemType::Directory) {
                const std::string prefix = path + '/';
                for (auto it = m_journalView->lower_bound(prefix);
                     it != m_journalView->end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
                    ++count;
                    keepDeletedPath(it->first);
                }
            }
            m_plan.itemsDeleted += count;
            if (kind == ActionKind::DeleteLocal)
                m_plan.localDeletes += count;
        }
        group.push_back(std::move(action));
    }

    // Whether an item the journal knew as end-to-end encrypted would go up unencrypted if it were
    // restored on the server: no folder above it there is encrypted any more (the encrypted folder
    // itself was deleted), so nothing would put its upload into an encrypted folder's transaction.
    bool wouldGoUpInPlain(const std::string& path, const JournalRecord& record) const
    {
        if (!record.encrypted)
            return false;
        for (std::string folder = parentPath(path); !folder.empty(); folder = parentPath(folder)) {
            const auto it = m_remoteView->find(folder);
            if (it != m_remoteView->end() && it->second.type == ItemType::Directory && it->second.encrypted)
                return false;
        }
        return true;
    }

    // The first deletedPathsKept deleted paths in path order, whatever order they come in.
    void keepDeletedPath(const std::string& path)
    {
        if (m_options.deletedPathsKept == 0)
            return;
        if (m_deletedPaths.size() == m_options.deletedPathsKept) {
            if (path >= *m_deletedPaths.rbegin())
                return;
            m_deletedPaths.erase(std::prev(m_deletedPaths.end()));
        }
        m_deletedPaths.insert(path);
    }

    void error(const std::string& path, ItemType type, std::string reason)
    {
        emit(*m_transfers, ActionKind::Error, path, type, std::move(reason));
    }

    // Creates on the server what is here (a file or a folder).
    void createRemote(const std::string& path, const LocalEntry& local, const RemoteEntry* parentRemote)
    {
        if (!hasPermission(parentRemote, local.type == ItemType::Directory ? 'K' : 'C')) {
            error(path, local.type,
                  "the server folder '" + parentPath(path) + "' is read-only; the local item is kept and not uploaded");
            return;
        }
        if (local.type == ItemType::Directory)
            emit(*m_folders, ActionKind::MakeRemoteFolder, path, ItemType::Directory, "new on this computer");
        else
            emit(*m_transfers, ActionKind::Upload, path, ItemType::File, "new on this computer");
    }

    // Creates here what is on the server.
    void createLocal(const std::string& path, const RemoteEntry& remote)
    {
        if (const auto clash = m_caseClash.find(path); clash != m_caseClash.end()) {
            error(path, remote.type,
                  "the name differs only in case from '" + clash->second +
                      "', and the local filesystem does not tell them apart; rename one of them on the server");
            return;
        }
        if (fileName(path).size() > m_options.maxNameBytes) {
            error(path, remote.type, "the name is longer than the local filesystem allows (" +
                                         std::to_string(m_options.maxNameBytes) + " bytes); rename it on the server");
            return;
        }
        if (remote.type == ItemType::Directory)
            emit(*m_folders, ActionKind::MakeLocalFolder, path, ItemType::Directory, "new on the server");
        else
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "new on the server");
    }

    // The server folder an item is created in, for its permissions; null when the folder is not
    // there yet (this run makes it), or when a file of that name is there that this run replaces
    // by the folder: a file's permissions say nothing about creating items in a folder.
    const RemoteEntry* remoteParent(const std::string& path) const
    {
        const auto it = (*m_remoteView).find(parentPath(path));
        if (it == (*m_remoteView).end() || it->second.type != ItemType::Directory)
            return nullptr;
        return &it->second;
    }

    // Returns true when the action taken settles the whole subtree below `path`.
    bool comparePath(const std::string& path)
    {
        const auto li = (*m_localView).find(path);
        const auto ri = (*m_remoteView).find(path);
        const auto ji = (*m_journalView).find(path);
        const LocalEntry* L = li == (*m_localView).end() ? nullptr : &li->second;
        const RemoteEntry* R = ri == (*m_remoteView).end() ? nullptr : &ri->second;
        const JournalRecord* J = ji == (*m_journalView).end() ? nullptr : &ji->second;
        const State ls = stateOf(L, J, L && J && localChanged(*L, *J));
        const State rs = stateOf(R, J, R && J && remoteChanged(*R, *J));
        const bool wasFolder = J && J->type == ItemType::Directory;

        // Both sides deleted, or it was never anywhere but the journal.
        if ((ls == State::Deleted || ls == State::None) && (rs == State::Deleted || rs == State::None)) {
            if (J)
                emit(*m_journalOnly, ActionKind::ForgetJournal, path, J->type, "deleted on both sides");
            return wasFolder;
        }

        switch (ls) {
        case State::None: // only on the server
            if (rs == State::New)
                createLocal(path, *R);
            return false;
        case State::New:
            if (rs == State::None) {
                createRemote(path, *L, remoteParent(path));
                return false;
            }
            return bothNew(path, *L, *R);
        case State::Same:
            return localSame(path, *L, R, *J, rs);
        case State::Changed:
            return localChangedFile(path, *L, R, *J, rs);
        case State::Deleted:
            return localDeleted(path, R, *J, rs);
        case State::Replaced:
            return localReplaced(path, *L, R, *J, rs);
        }
        return false;
    }

    bool bothNew(const std::string& path, const LocalEntry& L, const RemoteEntry& R)
    {
        if (L.type != R.type) {
            error(path, L.type,
                  "a file and a folder with this name were created on the server and here; rename one of them");
            return true;
        }
        if (L.type == ItemType::Directory)
            emit(*m_journalOnly, ActionKind::UpdateJournal, path, ItemType::Directory, "new on both sides");
        else
            emit(*m_transfers, ActionKind::Conflict, path, ItemType::File, "new on both sides");
        return false;
    }

    bool localSame(const std::string& path, const LocalEntry& L, const RemoteEntry* R, const JournalRecord& J, State rs)
    {
        switch (rs) {
        case State::Same:
            // Permissions the journal does not know yet (after an upload) are not worth a
            // rewrite of every record; reconcile reads them from the server anyway.
            if (L.inode != J.inode || R->etag != J.etag || R->fileId != J.fileId ||
                (!J.permissions.empty() && R->permissions != J.permissions) ||
                (J.type == ItemType::File && J.ctime == 0 && L.ctime != 0))
                emit(*m_journalOnly, ActionKind::UpdateJournal, path, J.type, "details changed");
            return false;
        case State::Changed:
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "changed on the server");
            return false;
        case State::Deleted:
            if (m_options.restoreDeletions && wouldGoUpInPlain(path, J)) {
                error(path, J.type,
                      "it was end-to-end encrypted, and its encrypted folder is gone from the server; it is kept "
                      "here and not uploaded again unencrypted. Encrypt a new folder and move it there");
                return J.type == ItemType::Directory;
            }
            if (m_options.restoreDeletions || (J.type == ItemType::Directory && m_localDirty.contains(path))) {
                // Restored on the user's word, or something below was added or changed here: keep
                // it and put it back (a folder's contents follow one by one).
                createRemote(path, L, remoteParent(path));
                return false;
            }
            emit(*m_deletes, ActionKind::DeleteLocal, path, J.type, "deleted on the server");
            return J.type == ItemType::Directory;
        case State::Replaced:
            if (J.type == ItemType::Directory && m_localDirty.contains(path)) {
                error(path, J.type, "the folder became a file on the server while files in it changed here");
                return true;
            }
            emit(*m_early, ActionKind::DeleteLocal, path, J.type, "replaced on the server");
            createLocal(path, *R);
            return J.type == ItemType::Directory;
        default:
            return false;
        }
    }

    bool localChangedFile(const std::string& path, const LocalEntry& L, const RemoteEntry* R, const JournalRecord& J,
                          State rs)
    {
        (void)L;
        switch (rs) {
        case State::Same:
            if (!hasPermission(R, 'W')) {
                emit(*m_transfers, ActionKind::Conflict, path, ItemType::File,
                     "changed here, but read-only on the server");
                return false;
            }
            emit(*m_transfers, ActionKind::Upload, path, ItemType::File, "changed on this computer");
            return false;
        case State::Changed:
            emit(*m_transfers, ActionKind::Conflict, path, ItemType::File, "changed on both sides");
            return false;
        case State::Deleted:
            createRemote(path, L, remoteParent(path));
            return false;
        case State::Replaced:
            error(path, J.type, "changed here while the server replaced it with a folder; rename one of them");
            return true;
        default:
            return false;
        }
    }

    bool localDeleted(const std::string& path, const RemoteEntry* R, const JournalRecord& J, State rs)
    {
        switch (rs) {
        case State::Same:
            if (m_options.restoreDeletions || (J.type == ItemType::Directory && m_remoteDirty.contains(path))) {
                // Restored on the user's word, or something below was added or changed on the
                // server: bring it back (a folder's contents follow one by one).
                createLocal(path, *R);
                return false;
            }
            if (!hasPermission(R, 'D')) {
                createLocal(path, *R); // a read-only share: restore instead of deleting
                return false;
            }
            emit(*m_deletes, ActionKind::DeleteRemote, path, J.type, "deleted on this computer");
            return J.type == ItemType::Directory;
        case State::Changed:
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "deleted here but changed on the server");
            return false;
        case State::Replaced:
            createLocal(path, *R);
            return false;
        default:
            return false;
        }
    }

    bool localReplaced(const std::string& path, const LocalEntry& L, const RemoteEntry* R, const JournalRecord& J,
                       State rs)
    {
        switch (rs) {
        case State::Same:
            if (J.type == ItemType::Directory && m_remoteDirty.contains(path)) {
                error(path, J.type, "the folder became a file here while files in it changed on the server");
                return true;
            }
            emit(*m_early, ActionKind::DeleteRemote, path, J.type, "replaced on this computer");
            createRemote(path, L, remoteParent(path));
            return J.type == ItemType::Directory;
        case State::Deleted:
            createRemote(path, L, remoteParent(path));
            return false;
        case State::Replaced:
            return bothNew(path, L, *R);
        default:
            error(path, L.type, "replaced here while it changed on the server; rename one of them");
            return true;
        }
    }

    const LocalTree& m_localIn;
    const RemoteTree& m_remoteIn;
    const JournalTree& m_journalIn;
    ReconcileOptions m_options;

    std::vector<Move> m_localMoves;  // made here, to be made on the server
    std::vector<Move> m_remoteMoves; // made on the server, to be made here
    std::vector<Move> m_localTreeMoves; // where local items end up after the server's moves
    std::vector<std::string> m_remoteMovedOriginal; // sources of the server's moves, before any move
    std::vector<Action> m_moveActions;
    // The three views in final coordinates: the inputs themselves when nothing moved (the
    // common case, no copies of 100 000 entries), rebased copies otherwise.
    LocalTree m_localOwned;
    RemoteTree m_remoteOwned;
    JournalTree m_journalOwned;
    const LocalTree* m_localView = nullptr;
    const RemoteTree* m_remoteView = nullptr;
    const JournalTree* m_journalView = nullptr;
    std::unordered_set<std::string> m_localDirty;  // folders with something new or changed below, here
    std::unordered_set<std::string> m_remoteDirty; // … on the server
    std::unordered_map<std::string, std::string> m_caseClash;
    std::set<std::string> m_deletedPaths; // at most m_options.deletedPathsKept

    std::vector<Action>* m_early = nullptr;
    std::vector<Action>* m_folders = nullptr;
    std::vector<Action>* m_transfers = nullptr;
    std::vector<Action>* m_deletes = nullptr;
    std::vector<Action>* m_journalOnly = nullptr;
    Plan m_plan;
};

} // namespace

Plan reconcile(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
               const ReconcileOptions& options)
{
    return Reconciler(local, remote, journal, options).run();
}

} // namespace nubo::sync
