// Small, careful file operations the propagator needs. POSIX underneath; errors name the path
// and map ENOSPC/EDQUOT to SyncErrorCode::DiskFull.
#pragma once

#include "sync_error.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace nubo::sync {

// "SHA1:<lowercase hex>" of a file's content, read in 1 MiB blocks (constant memory).
Result<std::string> sha1OfFile(const std::filesystem::path& file);

// Sets the modification time (seconds) without following symlinks.
Result<void> setModificationTime(const std::filesystem::path& file, std::int64_t mtime);

// fsync of a file, and of a folder (so a rename inside it is durable).
Result<void> syncFile(const std::filesystem::path& file);
Result<void> syncFolder(const std::filesystem::path& folder);

// rename(2) that refuses to replace an existing target (renameat2 RENAME_NOREPLACE, with a
// link+unlink fallback where the filesystem does not support it).
Result<void> renameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to);
// rename(2) that replaces the target atomically.
Result<void> renameReplace(const std::filesystem::path& from, const std::filesystem::path& to);

// A unique temporary name next to `target` that the engine excludes from sync:
// "<dir>/.<name>.~nubo<random>".
std::filesystem::path temporaryPathFor(const std::filesystem::path& target);
bool isTemporaryName(const std::string& name);

// Free bytes for an unprivileged user on the filesystem holding `path` (statvfs f_bavail).
Result<std::int64_t> freeSpace(const std::filesystem::path& path);

// Maps an errno to a SyncError naming the operation and path.
SyncError errnoError(int error, const std::string& operation, const std::filesystem::path& path);

} // namespace nubo::sync
