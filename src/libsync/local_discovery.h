// Scans the local folder: one lstat per item through POSIX readdir/fstatat, no hashing (content
// is hashed later, only for files whose size or mtime differ from the journal). Symlinks, sockets
// and other special files are skipped and reported; excluded names are not descended into.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "exclude_list.h"
#include "sync_error.h"
#include "sync_types.h"

namespace nubo::sync {

struct LocalScanOptions {
    const ExcludeList* excludes = nullptr;   // may be null
    std::vector<std::string> skippedFolders; // selective sync: relative folder paths not to scan
    std::function<void(const std::string& path, const std::string& why)> onSkipped; // may be empty
    // Called for the engine's temporary files (local_file.h), which are otherwise not listed: the
    // engine removes those a killed run left behind. May be empty.
    std::function<void(const std::string& path)> onTemporaryFile;
    // Called for each excluded item (not for what lies below an excluded folder). May be empty.
    std::function<void(const std::string& path)> onExcluded;
};

// The tree below root, keyed by relative path (the root itself is not included).
// Items reported through onSkipped (symlinks, special files, names that are not UTF-8, folders
// that cannot be read) are absent from the tree together with everything below them: the caller
// must treat those paths as unknown, never as deleted. Excluded items and selective-sync folders
// are absent without a report. A root that is missing or cannot be listed is a LocalIo error.
Result<LocalTree> scanLocal(const std::filesystem::path& root, const LocalScanOptions& options);

// lstat of one item, for re-checking a file right before and after an upload.
Result<LocalEntry> statLocal(const std::filesystem::path& file);

// Whether the filesystem holding `root` treats names case-insensitively (probe file). False when
// the probe cannot be created (read-only folder): POSIX file systems are case-sensitive.
bool isCaseInsensitiveFilesystem(const std::filesystem::path& root);

} // namespace nubo::sync
