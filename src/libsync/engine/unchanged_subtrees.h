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
    };
    // The state of `folder` and of its ancestors, kept along the scan's current path only.
    const Folder& folderState(const std::string& folder);
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
    std::int64_t m_dropped = 0;
    std::optional<SyncError> m_error;
};

} // namespace nubo::sync
