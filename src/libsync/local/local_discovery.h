// Scans the local folder: one lstat per item through POSIX readdir/fstatat, no hashing (content
// is hashed later, only for files whose size or mtime differ from the journal). Symlinks, sockets
// and other special files are skipped and reported; excluded names are not descended into.
// Two implementations, one per build: local_discovery_linux.cpp, and with NUBO_PORTABLE_ONLY
// local_discovery_portable.cpp (std::filesystem; its entries have inode 0, "unknown", so local
// moves are not detected there: they become a deletion and a new item, never a wrong move).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "exclude_list.h"
#include "sync_error.h"
#include "sync_types.h"

namespace nubo::sync {

enum class SkipKind {
    NotSynced,  // by design: symbolic links, devices, sockets, pipes
    CannotSync, // a problem the user must fix: an unreadable folder, a name the server cannot hold
};

struct LocalScanOptions {
    const ExcludeList* excludes = nullptr;   // may be null
    std::vector<std::string> skippedFolders; // selective sync: relative folder paths not to scan
    // Items left out of the scan, with why. `path` is as on disk (it may not be UTF-8): pass it
    // through e2ee::printableName before showing it. May be empty.
    std::function<void(const std::string& path, const std::string& why, SkipKind kind)> onSkipped;
    // Called for the engine's temporary files (local_file.h), which are otherwise not listed: the
    // engine removes those a killed run left behind. May be empty.
    std::function<void(const std::string& path)> onTemporaryFile;
    // Called for each excluded item (not for what lies below an excluded folder). May be empty.
    std::function<void(const std::string& path)> onExcluded;
    // Called once a folder and everything below it are in the tree, before anything else is added
    // (the root "" last, with `self` the tree's end). What lies below the folder are the entries
    // right after `self` (from the tree's start for the root). The callback may erase any of them,
    // never `self`: the engine keeps only what changed (unchanged_subtrees.h). May be empty.
    std::function<void(const std::string& folder, LocalTree& tree, LocalTree::iterator self)> onFolderListed;
    // Called with every name read in a folder ("" for the root), in byte order, before any of them
    // is looked at or added (names later excluded or skipped included). May be empty.
    std::function<void(const std::string& folder, const std::vector<std::string>& names)> onFolderNames;
};

// The tree below root, keyed by relative path (the root itself is not included).
// Items reported through onSkipped (symlinks, special files, names the server cannot hold such as
// non-UTF-8 ones or names with '\\', folders that cannot be read) are absent from the tree
// together with everything below them: the caller must treat those paths as unknown, never as
// deleted. Excluded items and selective-sync folders
// are absent without a report. A root that is missing or cannot be listed is a LocalIo error.
Result<LocalTree> scanLocal(const std::filesystem::path& root, const LocalScanOptions& options);

// lstat of one item, for re-checking a file right before and after an upload.
Result<LocalEntry> statLocal(const std::filesystem::path& file);

// Whether the filesystem holding `root` treats names case-insensitively (probe file). False when
// the probe cannot be created (read-only folder): POSIX file systems are case-sensitive.
bool isCaseInsensitiveFilesystem(const std::filesystem::path& root);

} // namespace nubo::sync
