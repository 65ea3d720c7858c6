#include "reconcile.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <limits>
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

bool isAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// UTF-16 code units of valid UTF-8: one per byte that starts a sequence, two for a 4-byte one.
std::size_t utf16Units(std::string_view text)
{
    std::size_t units = 0;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte & 0xC0) != 0x80)
            units += byte >= 0xF0 ? 2 : 1;
    }
    return units;
}

// Windows' device names, reserved with any extension ("aux.txt") and in any case.
bool isWindowsDeviceName(std::string_view name)
{
    std::string base = lowerAscii(std::string(name.substr(0, name.find('.'))));
    while (!base.empty() && base.back() == ' ')
        base.pop_back();
    if (base == "con" || base == "prn" || base == "aux" || base == "nul" || base == "conin$" || base == "conout$")
        return true;
    if (base.size() < 4 || (!base.starts_with("com") && !base.starts_with("lpt")))
        return false;
    const std::string_view digit = std::string_view(base).substr(3);
    // COM0-9, LPT0-9 and the superscripts ¹ ² ³ (UTF-8 C2 B9, C2 B2, C2 B3).
    return (digit.size() == 1 && digit[0] >= '0' && digit[0] <= '9') || digit == "\xC2\xB9" ||
           digit == "\xC2\xB2" || digit == "\xC2\xB3";
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

// The remote tree and the journal re-keyed to the local spelling of names that differ from a
// local one only by Unicode normalisation (reconcile.h); a tree is only copied when it differs.
struct Aligned {
    std::optional<RemoteTree> remote;
    std::optional<JournalTree> journal;
    std::vector<std::pair<std::string, std::string>> rekeys; // journal keys: from -> to, in order
};

template <typename Tree>
std::optional<Tree> alignTree(const Tree& tree, const LocalTree& local,
                              const std::unordered_map<std::string, std::string>& localByNfc, const Normalizer& nfc,
                              std::vector<std::pair<std::string, std::string>>* rekeys)
{
    std::unordered_map<std::string, std::string> renamedFolders; // key in the tree -> new key
    std::vector<std::pair<std::string, std::string>> changes;    // in tree order: parents first
    std::unordered_set<std::string> taken;
    for (const auto& [path, entry] : tree) {
        if (isAscii(path))
            continue; // every ASCII spelling is its own NFC and NFD (and its folders are ASCII too)
        std::string key = path;
        if (!renamedFolders.empty())
            for (std::string folder = parentPath(path); !folder.empty(); folder = parentPath(folder))
                if (const auto it = renamedFolders.find(folder); it != renamedFolders.end()) {
                    key = rebase(path, folder, it->second);
                    break;
                }
        const std::string underFolder = key;
        if (!local.contains(key)) {
            // The local item of this name in another spelling, unless the tree has that spelling
            // too (then each is its own item) or another item of the tree took it already.
            const auto match = localByNfc.find(nfc(key));
            if (match != localByNfc.end() && !tree.contains(match->second) && !taken.contains(match->second))
                key = match->second;
        }
        if (key == path)
            continue;
        taken.insert(key);
        if (entry.type == ItemType::Directory)
            renamedFolders.emplace(path, key);
        if (rekeys && key != underFolder)
            rekeys->emplace_back(underFolder, key);
        changes.emplace_back(path, std::move(key));
    }
    if (changes.empty())
        return std::nullopt;
    Tree aligned = tree;
    for (const auto& [from, to] : changes) {
        auto node = aligned.extract(from);
        if (node.mapped().serverPath.empty())
            node.mapped().serverPath = from; // the server's spelling stays the one it is reached by
        node.key() = to;
        aligned.insert(std::move(node));
    }
    return aligned;
}

Aligned alignSpellings(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
                       const Normalizer& nfc)
{
    // Local names by their NFC form; two local spellings of one name are each their own item.
    std::unordered_map<std::string, std::string> localByNfc;
    std::unordered_set<std::string> ambiguous;
    for (const auto& [path, entry] : local) {
        if (isAscii(path))
            continue;
        std::string normal = nfc(path);
        if (ambiguous.contains(normal))
            continue;
        if (const auto [it, inserted] = localByNfc.emplace(normal, path); !inserted) {
            localByNfc.erase(it);
            ambiguous.insert(std::move(normal));
        }
    }
    Aligned aligned;
    if (localByNfc.empty())
        return aligned;
    aligned.remote = alignTree(remote, local, localByNfc, nfc, nullptr);
    aligned.journal = alignTree(journal, local, localByNfc, nfc, &aligned.rekeys);
    return aligned;
}

class Reconciler {
public:
    Reconciler(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
               const ReconcileOptions& options)
        : m_localIn(local), m_remoteIn(remote), m_journalIn(journal), m_options(options)
    {
    }

    // Journal records to re-key to their local spelling first (alignSpellings).
    void setRekeys(std::vector<std::pair<std::string, std::string>> rekeys) { m_rekeys = std::move(rekeys); }

    Plan run()
    {
        findDowngrades();
        for (const auto& [from, to] : m_rekeys) {
            // Only the key moves: the record (and the server's name in it) stays as it is, and
            // what changed on either side is compared at the local spelling as usual.
            Action action;
            action.kind = ActionKind::UpdateJournal;
            action.from = from;
            action.path = to;
            action.journal = m_journalIn.at(to);
            action.type = action.journal->type;
            action.reason = "the same name in another Unicode normalisation (NFC/NFD) here";
            m_plan.actions.push_back(std::move(action));
        }
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
    // A folder synced as end-to-end encrypted that the server now lists unencrypted: its blobs
    // would look like new files (or moves of the plain items, by file id), its plain names like
    // deletions, and what is added here would go up in plain text. It is left alone, moves into
    // and out of it included, unless it was empty (the server removes the encryption of empty
    // folders only).
    void findDowngrades()
    {
        for (const auto& [path, record] : m_journalIn) {
            if (path.empty() || !record.encrypted || record.type != ItemType::Directory ||
                hasAncestorIn(path, m_downgraded))
                continue;
            const auto remote = m_remoteIn.find(path);
            if (remote == m_remoteIn.end() || remote->second.encrypted || remote->second.type != ItemType::Directory)
                continue;
            const std::string prefix = path + '/';
            const auto below = m_journalIn.lower_bound(prefix);
            if (below != m_journalIn.end() && below->first.starts_with(prefix))
                m_downgraded.insert(path);
        }
    }

    bool insideDowngraded(const std::string& path) const
    {
        return !m_downgraded.empty() && (m_downgraded.contains(path) || hasAncestorIn(path, m_downgraded));
    }

    // --- moves ---------------------------------------------------------------------------------

    // A folder's inode alone does not show that it moved: a folder removed here whose deletion has
    // not reached the server keeps its record, and the filesystem hands its inode to the next
    // folder made anywhere (ext4 does). A move takes the content along, so it is believed only when
    // the journal knew nothing inside the folder (no inode to compare), or when something it knew
    // inside is now below the new place, under any name. Otherwise it is a deletion and a new
    // folder. A folder the journal knew empty is not believed either when the server lists
    // something new inside it: the move would carry that content to a folder the user made for
    // something else (and, across an encryption boundary, with the wrong protection). As a
    // deletion here with changes on the server, the folder comes back with the new content, and
    // the new folder goes up as what it is.
    bool contentFollowed(const std::string& from, const std::string& to) const
    {
        const std::string fromPrefix = from + '/';
        std::unordered_set<std::uint64_t> knownInside;
        for (auto it = m_journalIn.lower_bound(fromPrefix); it != m_journalIn.end() && it->first.starts_with(fromPrefix);
             ++it)
            if (it->second.inode != 0)
                knownInside.insert(it->second.inode);
        if (knownInside.empty()) {
            for (auto it = m_remoteIn.lower_bound(fromPrefix);
                 it != m_remoteIn.end() && it->first.starts_with(fromPrefix); ++it)
                if (!m_journalIn.contains(it->first))
                    return false;
            return true;
        }
        const std::string toPrefix = to + '/';
        for (auto it = m_localIn.lower_bound(toPrefix); it != m_localIn.end() && it->first.starts_with(toPrefix); ++it)
            if (knownInside.contains(it->second.inode))
                return true;
        return false;
    }

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
            if (isInside(path, from) || insideDowngraded(from) || insideDowngraded(path))
                continue;
            if (entry.type == ItemType::Directory && !contentFollowed(from, path))
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
                (stillThere != m_remoteIn.end() && stillThere->second.fileId == entry.fileId) ||
                insideDowngraded(from) || insideDowngraded(path))
                continue;
            // A name this filesystem cannot hold: the item stays where it is here, untouched, and
            // its new place is reported (it is never renamed back on the server).
            if (!unfitPath(path).empty()) {
                m_keptAtUnfitMove.insert(from);
                continue;
            }
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
        for (const std::string& folder : m_options.remoteFoldersNotListed) {
            m_remoteUnknown.insert(folder);
            markAncestors(m_remoteUnknown, folder);
        }
        for (const std::string& folder : m_options.remoteFoldersWithUnsyncedItems) {
            m_remoteDirty.insert(folder);
            markAncestors(m_remoteDirty, folder);
        }
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
        // A move here brings something into its new folder like a new item does (the journal
        // view already has it there): a folder the server deleted meanwhile is kept for it, not
        // deleted here with the moved item in it.
        for (const Move& move : m_localMoves)
            markAncestors(m_localDirty, move.to);
        for (const auto& [path, entry] : (*m_remoteView)) {
            if (path.empty())
                continue;
            const auto record = (*m_journalView).find(path);
            if (record == (*m_journalView).end() || remoteChanged(entry, record->second))
                markAncestors(m_remoteDirty, path);
        }
    }

    // A path as the local filesystem compares it: case folded, NFC and NFD alike, as it does.
    std::string folded(const std::string& path) const
    {
        std::string key = m_options.caseInsensitive ? lowerAscii(path) : path;
        if (m_options.normalizationInsensitive && m_options.normalize && !isAscii(key))
            key = m_options.normalize(key);
        return key;
    }

    void findCaseClashes()
    {
        if (!m_options.caseInsensitive && !(m_options.normalizationInsensitive && m_options.normalize))
            return;
        std::unordered_map<std::string, std::string> firstByFolded;
        // Items already here (local or journal) own their folded name; a remote newcomer that
        // folds to the same name cannot be written without overwriting them.
        for (const auto& [path, entry] : (*m_localView))
            firstByFolded.emplace(folded(path), path);
        for (const auto& [path, record] : (*m_journalView))
            firstByFolded.emplace(folded(path), path);
        for (const auto& [path, entry] : (*m_remoteView)) {
            if (path.empty() || (*m_localView).contains(path) || (*m_journalView).contains(path))
                continue;
            const auto [it, inserted] = firstByFolded.emplace(folded(path), path);
            if (!inserted && it->second != path)
                m_caseClash.emplace(path, it->second);
        }
    }

    // Why a server path cannot be made here: the first of its names the local filesystem cannot hold.
    std::string unfitPath(const std::string& path) const
    {
        for (std::string rest = path; !rest.empty(); rest = parentPath(rest))
            if (std::string why = unfitLocalName(fileName(rest), m_options); !why.empty())
                return why;
        return {};
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
        // Folders are made top-down (std::set order puts a parent before its children). An
        // Action is large: the plan is sized once, and each group is freed as soon as it moved.
        std::size_t total = 0;
        for (auto* group : {&early, &folders, &transfers, &deletes, &journalOnly})
            total += group->size();
        m_plan.actions.reserve(m_plan.actions.size() + total);
        for (auto* group : {&early, &folders, &transfers, &deletes, &journalOnly}) {
            for (Action& action : *group)
                m_plan.actions.push_back(std::move(action));
            std::vector<Action>().swap(*group);
        }
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

    // Refuses to make again on the server, in plain text, an item that was end-to-end encrypted
    // when nothing encrypted is left above it there (the server deleted its encrypted folder, or
    // says so). Returns true when refused.
    bool refusedInPlain(const std::string& path, const JournalRecord& J)
    {
        if (!wouldGoUpInPlain(path, J))
            return false;
        error(path, J.type,
              "it was end-to-end encrypted, and its encrypted folder is gone from the server; it is kept "
              "here and not uploaded again unencrypted. Encrypt a new folder and move it there");
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

    // Creates here what is on the server. Returns true when it cannot, for a folder: nothing
    // below it is made either (its refusal says why).
    bool createLocal(const std::string& path, const RemoteEntry& remote)
    {
        if (const auto clash = m_caseClash.find(path); clash != m_caseClash.end()) {
            const bool byCase = lowerAscii(path) == lowerAscii(clash->second);
            error(path, remote.type,
                  std::string("the name differs only ") + (byCase ? "in case" : "in case or Unicode normalisation") +
                      " from '" + clash->second +
                      "', and the local filesystem does not tell them apart; rename one of them on the server");
            return remote.type == ItemType::Directory;
        }
        if (const std::string why = unfitLocalName(fileName(path), m_options); !why.empty()) {
            error(path, remote.type, why + "; it is left on the server and not synced here: rename it on the server");
            return remote.type == ItemType::Directory;
        }
        if (remote.type == ItemType::Directory)
            emit(*m_folders, ActionKind::MakeLocalFolder, path, ItemType::Directory, "new on the server");
        else
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "new on the server");
        return false;
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
        if (m_keptAtUnfitMove.contains(path))
            return true; // moved on the server to a name this filesystem cannot hold: left alone
        const auto li = (*m_localView).find(path);
        const auto ri = (*m_remoteView).find(path);
        const auto ji = (*m_journalView).find(path);
        const LocalEntry* L = li == (*m_localView).end() ? nullptr : &li->second;
        const RemoteEntry* R = ri == (*m_remoteView).end() ? nullptr : &ri->second;
        const JournalRecord* J = ji == (*m_journalView).end() ? nullptr : &ji->second;
        if (m_downgraded.contains(path)) {
            error(path, ItemType::Directory,
                  "this folder is end-to-end encrypted here, but the server now lists it unencrypted; nothing in "
                  "it is changed on either side, and nothing is uploaded into it in plain text. If its encryption "
                  "was removed on purpose, move its files out, delete it, and make a new folder");
            return true;
        }
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
            return rs == State::New && createLocal(path, *R);
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
            if (L.inode != J.inode || R->etag != J.etag || R->fileId != J.fileId || R->encrypted != J.encrypted ||
                (!J.permissions.empty() && R->permissions != J.permissions) ||
                (J.type == ItemType::File && J.ctime == 0 && L.ctime != 0))
                emit(*m_journalOnly, ActionKind::UpdateJournal, path, J.type, "details changed");
            return false;
        case State::Changed:
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "changed on the server");
            return false;
        case State::Deleted:
            if (m_options.restoreDeletions || (J.type == ItemType::Directory && m_localDirty.contains(path))) {
                if (refusedInPlain(path, J))
                    return J.type == ItemType::Directory;
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
            return createLocal(path, *R) || J.type == ItemType::Directory;
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
            if (!refusedInPlain(path, J))
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
                return createLocal(path, *R);
            }
            if (!hasPermission(R, 'D'))
                return createLocal(path, *R); // a read-only share: restore instead of deleting
            if (J.type == ItemType::Directory && m_remoteUnknown.contains(path)) {
                error(path, J.type, notListedReason("deleted here"));
                return true;
            }
            emit(*m_deletes, ActionKind::DeleteRemote, path, J.type, "deleted on this computer");
            return J.type == ItemType::Directory;
        case State::Changed:
            emit(*m_transfers, ActionKind::Download, path, ItemType::File, "deleted here but changed on the server");
            return false;
        case State::Replaced:
            return createLocal(path, *R);
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
            if (J.type == ItemType::Directory && m_remoteUnknown.contains(path)) {
                error(path, J.type, notListedReason("replaced by a file here"));
                return true;
            }
            emit(*m_early, ActionKind::DeleteRemote, path, J.type, "replaced on this computer");
            createRemote(path, L, remoteParent(path));
            return J.type == ItemType::Directory;
        case State::Deleted:
            if (refusedInPlain(path, J))
                return L.type == ItemType::Directory;
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
    std::unordered_set<std::string> m_remoteUnknown; // folders holding one whose listing is incomplete

    static std::string notListedReason(const std::string& what)
    {
        return what + ", but not everything in it on the server could be listed (see the folder's own error); it "
                      "is not deleted there until it can be, so nothing this computer has not seen is deleted";
    }
    std::unordered_map<std::string, std::string> m_caseClash;
    std::vector<std::pair<std::string, std::string>> m_rekeys; // journal keys to their local spelling
    std::unordered_set<std::string> m_keptAtUnfitMove; // moved on the server to a name unfit here
    std::unordered_set<std::string> m_downgraded; // encrypted folders the server lists unencrypted
    std::set<std::string> m_deletedPaths; // at most m_options.deletedPathsKept

    std::vector<Action>* m_early = nullptr;
    std::vector<Action>* m_folders = nullptr;
    std::vector<Action>* m_transfers = nullptr;
    std::vector<Action>* m_deletes = nullptr;
    std::vector<Action>* m_journalOnly = nullptr;
    Plan m_plan;
};

} // namespace

NamePlatform nativeNamePlatform()
{
#if defined(_WIN32)
    return NamePlatform::Windows;
#elif defined(__APPLE__)
    return NamePlatform::MacOs;
#else
    return NamePlatform::Linux;
#endif
}

void applyNameRules(ReconcileOptions& options, NamePlatform platform)
{
    switch (platform) {
    case NamePlatform::Linux:
        options.maxNameBytes = 255;
        options.maxNameUtf16 = 0;
        options.windowsNames = false;
        options.normalizationInsensitive = false;
        break;
    case NamePlatform::Windows: // NTFS: 255 UTF-16 units, folds case
        options.caseInsensitive = true;
        options.maxNameBytes = std::numeric_limits<std::size_t>::max();
        options.maxNameUtf16 = 255;
        options.windowsNames = true;
        options.normalizationInsensitive = false;
        break;
    case NamePlatform::MacOs: // APFS: 255 UTF-8 bytes (HFS+: 255 UTF-16 units), folds case and NFC/NFD
        options.caseInsensitive = true;
        options.maxNameBytes = 255;
        options.maxNameUtf16 = 255;
        options.windowsNames = false;
        options.normalizationInsensitive = true;
        break;
    }
}

std::string unfitLocalName(std::string_view name, const ReconcileOptions& options)
{
    if (name.size() > options.maxNameBytes)
        return "the name is longer than the local filesystem allows (" + std::to_string(options.maxNameBytes) +
               " bytes)";
    if (options.maxNameUtf16 != 0 && utf16Units(name) > options.maxNameUtf16)
        return "the name is longer than the local filesystem allows (" + std::to_string(options.maxNameUtf16) +
               " UTF-16 characters)";
    if (!options.windowsNames)
        return {};
    if (isWindowsDeviceName(name))
        return "the name is reserved for a device on Windows";
    if (name.ends_with('.') || name.ends_with(' '))
        return "a name ending in a dot or a space cannot exist on Windows";
    for (const char c : name) {
        if (static_cast<unsigned char>(c) < 0x20)
            return "the name holds a control character, which Windows does not allow";
        if (std::string_view("<>:\"|?*\\").find(c) != std::string_view::npos)
            return std::string("the name holds the character '") + c + "', which Windows does not allow";
    }
    return {};
}

Plan reconcile(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
               const ReconcileOptions& options)
{
    if (!options.normalize)
        return Reconciler(local, remote, journal, options).run();
    Aligned aligned = alignSpellings(local, remote, journal, options.normalize);
    Reconciler reconciler(local, aligned.remote ? *aligned.remote : remote, aligned.journal ? *aligned.journal : journal,
                          options);
    reconciler.setRekeys(std::move(aligned.rekeys));
    return reconciler.run();
}

} // namespace nubo::sync
