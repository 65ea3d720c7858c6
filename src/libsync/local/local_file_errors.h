// Shared by the implementations of local_file.h, local_discovery.h and trash.h: how an errno
// becomes a message a user can act on. Not for use outside nubo_sync_local.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "local_file.h"

namespace nubo::sync {

struct Reason {
    SyncErrorCode code;
    std::string text;
};

// The code and the text errnoError uses for an errno.
Reason reasonFor(int error);
// "\"<path>\"".
std::string quoted(const std::filesystem::path& path);
// errnoError for a rename: EEXIST and ENOTEMPTY (the target is there) become FileChanged.
SyncError renameError(int error, const std::filesystem::path& from, const std::filesystem::path& to);
// The errno an std::error_code from std::filesystem stands for (EIO when it has none).
int errnoOf(const std::error_code& error);

} // namespace nubo::sync
