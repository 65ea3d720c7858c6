// One engine per synced folder. Two engines on one folder would each take the other's live
// temporary files for left-overs of a crash and delete them, and interleave journal writes; so a
// run holds an exclusive lock on a file beside the journal, and a second engine (another nubocmd,
// sync or watch, or the desktop app) stops at once instead of waiting.
#pragma once

#include <filesystem>

#include "sync_error.h"

namespace nubo::sync {

class FolderLock {
public:
    // flock(LOCK_EX | LOCK_NB) on "<root>/.nubo_journal.db.lock" (created when missing; the name is
    // excluded from sync like the journal's). FolderBusy when another process or engine holds it.
    static Result<FolderLock> acquire(const std::filesystem::path& root);

    FolderLock(FolderLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    FolderLock& operator=(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();

private:
    explicit FolderLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace nubo::sync
