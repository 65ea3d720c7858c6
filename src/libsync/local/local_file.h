// Small, careful file operations the propagator needs; errors name the path and map
// ENOSPC/EDQUOT to SyncErrorCode::DiskFull. Two implementations, one per build: POSIX and Linux
// calls (local_file_linux.cpp), or std::filesystem and Qt (local_file_portable.cpp, with
// NUBO_PORTABLE_ONLY; it says there what it does instead of renameat2 and fsync).
#pragma once

#include <cstdint>
#include <atomic>
#include <filesystem>
#include <string>

#include "sync_error.h"

namespace nubo::sync {

// "SHA1:<lowercase hex>" of a file's content, read in blocks of up to 1 MiB (constant memory).
// Cancelled as soon as `cancel` (may be null) is set, before the next block.
Result<std::string> sha1OfFile(const std::filesystem::path& file, const std::atomic<bool>* cancel = nullptr);

// Sets the modification time (seconds) without following symlinks.
Result<void> setModificationTime(const std::filesystem::path& file, std::int64_t mtime);

// fsync of a file, and of a folder (so a rename inside it is durable).
Result<void> syncFile(const std::filesystem::path& file);
Result<void> syncFolder(const std::filesystem::path& folder);

// rename(2) that refuses to replace an existing target (renameat2 RENAME_NOREPLACE, with a
// link+unlink fallback where the filesystem does not support it; the portable build links and
// unlinks, or uses Qt's no-replace rename for folders). An existing target is a
// FileChanged error: something appeared locally while we worked, and the next run sees it.
Result<void> renameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to);
// rename(2) that replaces the target atomically.
Result<void> renameReplace(const std::filesystem::path& from, const std::filesystem::path& to);

// A unique temporary name next to `target` that the engine excludes from sync:
// "<dir>/.<name>.~nubo<8 random lowercase hex digits>", with <name> shortened (at a UTF-8
// character boundary) when the result would exceed the 255-byte name limit.
std::filesystem::path temporaryPathFor(const std::filesystem::path& target);
// Whether a file name (not a path) has the shape temporaryPathFor produces.
bool isTemporaryName(const std::string& name);

// Free bytes for an unprivileged user on the filesystem holding `path` (statvfs f_bavail).
Result<std::int64_t> freeSpace(const std::filesystem::path& path);

// Maps an errno to a SyncError naming the operation and path: ENOSPC/EDQUOT -> DiskFull,
// EACCES/EPERM/EROFS -> LocalIo, ENAMETOOLONG/EILSEQ -> NameNotAllowed, ENOENT/ENOTDIR -> NotFound
// (so a caller can tell "the file went away" from a failure), anything else -> LocalIo.
// `operation` is a gerund phrase: "reading", "renaming to \"x\"".
SyncError errnoError(int error, const std::string& operation, const std::filesystem::path& path);

} // namespace nubo::sync
