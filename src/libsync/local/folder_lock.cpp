#include "folder_lock.h"

#include "journal.h"
#include "local_file.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace nubo::sync {

Result<FolderLock> FolderLock::acquire(const std::filesystem::path& root)
{
    // A file of its own rather than the journal: SQLite's POSIX locks and flock must not meet
    // (on NFS, Linux implements flock with the same byte-range locks).
    const std::filesystem::path file = root / (std::string(JOURNAL_FILE_NAME) + ".lock");
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return std::unexpected(errnoError(errno, "opening the lock file", file));
    // flock belongs to the open file description: a second engine in the same process is refused too.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            return fail(SyncErrorCode::FolderBusy,
                        "another sync of the folder '" + root.string() +
                            "' is running (nubocmd sync or --watch, or the Nubo app); nothing was done. Let it "
                            "finish or stop it, then sync again");
        return std::unexpected(errnoError(error, "locking", file));
    }
    return FolderLock(fd);
}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

FolderLock::~FolderLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock
}

} // namespace nubo::sync
