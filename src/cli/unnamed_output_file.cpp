#include "unnamed_output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "encoding.h"

namespace nubo::cli {

using e2ee::ErrorCode;
using e2ee::fail;

namespace {

std::string systemError(const std::string& what, const std::string& path, int error)
{
    return what + " " + path + ": " + std::strerror(error);
}

// ".NAME.nubo-" beside the target: hidden, and recognisably ours.
std::string hiddenPrefix(const std::string& folder, const std::string& target)
{
    return (std::filesystem::path(folder) / ("." + std::filesystem::path(target).filename().string() + ".nubo-"))
        .string();
}

// Makes the new name durable; the data itself was fsynced before it got the name.
void syncFolder(const std::string& folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// O_TMPFILE needs Linux 3.11 and a file system that supports it (ext4, xfs, btrfs, tmpfs do;
// some network and FUSE file systems do not), and linking it needs /proc.
bool unnamedFilesUnsupported(int error)
{
    return error == EOPNOTSUPP || error == EISDIR || error == EINVAL;
}

} // namespace

e2ee::Result<std::unique_ptr<UnnamedOutputFile>> UnnamedOutputFile::open(const std::string& path, Temporary temporary)
{
    const std::filesystem::path target(path);
    if (target.filename().empty() || target.filename() == "." || target.filename() == "..") {
        return fail(ErrorCode::Io, "cannot write to " + path + ": it names a folder, not a file");
    }
    std::string folder = target.parent_path().string();
    if (folder.empty()) folder = ".";

    if (temporary == Temporary::Unnamed && ::access("/proc/self/fd", X_OK) == 0) {
        const int fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (fd >= 0) return std::unique_ptr<UnnamedOutputFile>(new UnnamedOutputFile(path, folder, {}, fd));
        if (!unnamedFilesUnsupported(errno)) {
            return fail(ErrorCode::Io, systemError("cannot create a file in", folder, errno));
        }
    }
    std::string hidden = hiddenPrefix(folder, path) + "XXXXXX";
    const int fd = ::mkostemp(hidden.data(), O_CLOEXEC);
    if (fd < 0) return fail(ErrorCode::Io, systemError("cannot create a file next to", path, errno));
    return std::unique_ptr<UnnamedOutputFile>(new UnnamedOutputFile(path, folder, hidden, fd));
}

UnnamedOutputFile::~UnnamedOutputFile()
{
    discard();
}

e2ee::Result<void> UnnamedOutputFile::write(e2ee::ByteView data)
{
    if (m_fd < 0) return fail(ErrorCode::Io, "the output " + m_target + " was already closed");
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(ErrorCode::Io, systemError("cannot write the output for", m_target, errno));
        data = data.subspan(static_cast<std::size_t>(n));
        m_written += static_cast<std::uint64_t>(n);
    }
    startWriteback();
    return {};
}

void UnnamedOutputFile::startWriteback() noexcept
{
    // commit() fsyncs the whole file: starting the disk on each few MiB as they come means
    // the disk writes while the rest is still being encrypted, and the fsync finds little
    // left to do. Only a start (no waiting), and only advice: commit()'s fsync reports errors.
    constexpr std::uint64_t kWritebackStep = 8 * 1024 * 1024;
    if (m_written - m_writebackStarted < kWritebackStep) return;
#ifdef SYNC_FILE_RANGE_WRITE
    (void)::sync_file_range(m_fd, static_cast<off_t>(m_writebackStarted),
                            static_cast<off_t>(m_written - m_writebackStarted), SYNC_FILE_RANGE_WRITE);
#endif
    m_writebackStarted = m_written;
}

e2ee::Result<void> UnnamedOutputFile::linkUnnamed()
{
    const std::string self = "/proc/self/fd/" + std::to_string(m_fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, m_target.c_str(), AT_SYMLINK_FOLLOW) == 0) return {};
    if (errno != EEXIST) return fail(ErrorCode::Io, systemError("cannot put the result in place at", m_target, errno));
    // The target exists: link under a fresh hidden name, then rename over it, so that the
    // target is replaced in one step and never missing.
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto random = e2ee::randomBytes(6);
        if (!random) return std::unexpected(random.error());
        const std::string hidden = hiddenPrefix(m_folder, m_target) + e2ee::hexEncode(*random);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, hidden.c_str(), AT_SYMLINK_FOLLOW) != 0) {
            if (errno == EEXIST) continue;
            return fail(ErrorCode::Io, systemError("cannot put the result in place next to", m_target, errno));
        }
        if (std::rename(hidden.c_str(), m_target.c_str()) != 0) {
            const int error = errno;
            ::unlink(hidden.c_str());
            return fail(ErrorCode::Io, systemError("cannot move the result into place at", m_target, error));
        }
        return {};
    }
    return fail(ErrorCode::Io, "cannot find a free temporary name next to " + m_target);
}

e2ee::Result<void> UnnamedOutputFile::commit()
{
    if (m_fd < 0) return fail(ErrorCode::Io, "the output " + m_target + " was already closed");
    if (::fsync(m_fd) != 0) return fail(ErrorCode::Io, systemError("cannot flush the output for", m_target, errno));
    e2ee::Result<void> placed;
    if (m_temporary.empty()) {
        placed = linkUnnamed();
    } else if (std::rename(m_temporary.c_str(), m_target.c_str()) != 0) {
        placed = fail(ErrorCode::Io, systemError("cannot move the result into place at", m_target, errno));
    } else {
        m_temporary.clear();
    }
    discard(); // closes, and removes the hidden name if it was not renamed
    if (placed) syncFolder(m_folder);
    return placed;
}

void UnnamedOutputFile::discard() noexcept
{
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    if (!m_temporary.empty()) ::unlink(m_temporary.c_str());
    m_temporary.clear();
}

} // namespace nubo::cli
