// Keeps a sync run's memory to what changed. Reconcile compares three trees; on a huge account
// almost all of them agree, and holding them whole costs hundreds of bytes per item. This walks
// the three sides folder by folder instead, as the local scan finishes each folder (post-order):
// the local listing, the journal's records of that folder (one range query) and what remote
// discovery found changed there (RemoteDiscovery: everything else is as the journal says).
//
//   * A folder whose whole subtree agrees on all three sides keeps only its own entry: what lies
//     below it is dropped from the local tree and never read into the journal or remote trees.
//   * In a folder where something changed but no name is new on either side, the items that agree
//     on all three sides are dropped too (entry and subtree).
//   * Everything else is kept: a folder with a new name (on either side) keeps all its items, so
//     reconcile still sees every name a new one could clash with (case, Unicode normalisation),
//     and whatever is gone on one side keeps its whole subtree on the others (deletions are
//     checked for changes below, moves move whole subtrees).
//   * Inside end-to-end encrypted folders nothing is dropped.
//   * New local items beyond a budget (many new files: a first upload) are deferred to another
//     pass: such an item and its subtree are dropped, so a pass holds at most about `budget` new
//     items. Only items reconcile would merely create on the server are deferred: new, in plain
//     folders that exist on the server with no new name there, no name another one could be (case,
//     normalisation), and no inode the journal knows (a move's new place is never deferred).
// Reconcile then runs on the smaller trees and decides exactly what it would decide on the whole
// ones: an item is dropped only where reconcile would do nothing for it, and nothing it looks at
// for another item (its folder, the names beside a new one, the subtree of a move or a deletion)
// is ever dropped. Memory follows the changes and the widest folder, not the tree.
#pragma once

#include "journal_lookup.h"
#include "remote_discovery.h"
#include "sync_types.h"

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace nubo::sync {

class UnchangedSubtrees {
public:
    // hidden: journal records and local items this run does not sync (excluded, selective sync,
    // conflict copies); they are neither compared nor read.
    UnchangedSubtrees(const JournalLookup& journal, const RemoteDiscovery& remote,
                      std::function<bool(const std::string& path, ItemType type)> hidden);

    // New local items kept in one pass before further ones are deferred (0: no limit).
    void setNewItemBudget(std::size_t budget) { m_budget = budget; }
    // New local items (with what lies below them) left for another pass.
    std::int64_t itemsDeferred() const { return m_deferred; }

    // LocalScanOptions::onFolderNames: finds names with a twin (another spelling of the same name
    // by Unicode normalisation or case, on any side). Reconcile aligns spellings by whole paths, so
    // nothing at or below such a name is dropped or deferred.
    void folderNames(const std::string& folder, const std::vector<std::string>& names);

    // LocalScanOptions::onFolderListed.
    void folderListed(const std::string& folder, LocalTree& tree, LocalTree::iterator self);

    // After the scan: the journal records and remote entries reconcile needs beside the local tree
    // the scan kept (remote: the discovered tree, completed from the journal).
    Result<void> complete(const LocalTree& local, JournalTree& journal, RemoteTree& remote);

    // Journal records (the root's not counted) that were dropped as unchanged: with the records
    // kept, the journal's size as reconcile would have seen it whole (for the mass-delete guard).
    std::int64_t recordsDropped() const { return m_dropped; }

    // The first journal read that failed during the scan, if any (the run must then stop).
    const std::optional<SyncError>& error() const { return m_error; }

private:
    struct Folder {
        std::string path;
        bool onServer = false;  // on the server as a folder: its children may stand in the journal
        bool encrypted = false; // end-to-end encrypted (journal or server)
        bool twinned = false; // it or a folder above has a twin (folderNames)
        // The server lets new files and folders be made in it (else new ones are errors here).
        bool creatable = true;
        // New items inside may be deferred (see the header): decided when first needed.
        std::optional<bool> mayDefer;
        // Name keys (twinKey) of the journal's records directly inside, when first needed.
        std::optional<std::unordered_map<std::string, int>> childKeys;
    };
    // The state of `folder` and of its ancestors, kept along the scan's current path only.
    const Folder& folderState(const std::string& folder);
    bool mayDeferIn(std::size_t chainIndex, const LocalTree& tree);
    // Whether the server shows, directly in `folder`, a name the journal does not know.
    bool newOnServerIn(const std::string& folder);
    // Whether `inode` is one the journal records (loaded once, when first needed).
    bool journalKnowsInode(std::uint64_t inode);
    void deferNewItems(const std::string& folder, LocalTree& tree, const JournalRows& records);
    Result<void> descend(const std::string& folder, bool onServer, const LocalTree& local, JournalTree& journal,
                         RemoteTree& remote);

    const JournalLookup& m_journal;
    const RemoteDiscovery& m_remote;
    std::function<bool(const std::string&, ItemType)> m_hidden;
    std::vector<Folder> m_chain;
    // Folders whose subtree agrees on all three sides, with the number of journal records below.
    std::unordered_map<std::string, std::int64_t> m_clean;
    // Folders from which items that agree were dropped; and in those, journal records with no
    // local item (they stay: gone here is a change).
    std::unordered_set<std::string> m_trimmed;
    std::unordered_set<std::string> m_localGone;
    std::unordered_set<std::string> m_twins; // paths whose name has a twin beside it
    std::int64_t m_dropped = 0;
    std::optional<SyncError> m_error;
    std::size_t m_budget = 0;
    std::size_t m_newKept = 0; // new local items kept so far (below folders already listed)
    std::int64_t m_deferred = 0;
    std::optional<std::vector<std::uint64_t>> m_journalInodes; // empty optional: not read yet
};

} // namespace nubo::sync
