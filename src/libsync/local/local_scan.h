// What both local scanners (local_discovery_linux.cpp, local_discovery_portable.cpp) share: which
// listed items are synced and what is reported about the others, and the tree they fill. Only
// listing and reading an item's properties differ per platform. Internal to nubo_sync_local.
#pragma once

#include <string>
#include <unordered_set>

#include "local_discovery.h"

namespace nubo::sync {

// What a listed item is, as far as the scan cares.
enum class ListedKind { Regular, Directory, Symlink, Special };

class LocalScan {
public:
    LocalScan(const LocalScanOptions& options, LocalTree& tree);

    // Before anything is read of an item: false, and reported, for a name the server cannot hold
    // (listed back, it would be refused and then look deleted there).
    bool acceptName(const std::string& path, const std::string& name) const;
    // Once its kind is known: false for what is not synced — links and special files (reported),
    // the engine's temporary files (handed to onTemporaryFile), excluded items (onExcluded) and
    // selective-sync folders.
    bool accept(const std::string& path, const std::string& name, ListedKind kind) const;
    void skip(const std::string& path, const std::string& why, SkipKind kind) const;
    // Whether a folder seen there would be entered (acceptName and accept, without reporting
    // anything): what a scanner may read ahead.
    bool mayEnter(const std::string& path, const std::string& name) const;

    // Entries arrive in name order, so each lands right after the previous one: the hint makes
    // an insertion constant time instead of a descent with string compares.
    LocalTree::iterator insert(const std::string& path, const LocalEntry& entry);
    // Takes out a folder inserted at `it` and everything inserted below it (a folder that could
    // not be listed whole is reported as a whole instead of looking emptied).
    void eraseFolder(LocalTree::iterator it, const std::string& folder);
    bool wantsNames() const { return static_cast<bool>(m_options.onFolderNames); }
    // The names of `folder` are read: LocalScanOptions::onFolderNames.
    void namesRead(const std::string& folder, const std::vector<std::string>& names) const
    {
        if (m_options.onFolderNames) m_options.onFolderNames(folder, names);
    }
    // The folder inserted at `it` is listed whole: LocalScanOptions::onFolderListed.
    void folderListed(LocalTree::iterator it, const std::string& folder);

private:
    const LocalScanOptions& m_options;
    LocalTree& m_tree;
    LocalTree::iterator m_hint;
    std::unordered_set<std::string> m_skipped; // selective-sync folders, without slashes around
};

} // namespace nubo::sync
