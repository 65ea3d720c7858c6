#include "input_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace nubo::cli {

using e2ee::ErrorCode;
using e2ee::fail;

e2ee::Result<std::unique_ptr<InputFile>> InputFile::open(const std::string& path)
{
    if (path == "-") return std::unique_ptr<InputFile>(new InputFile("standard input", STDIN_FILENO, false));
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorCode::Io, "cannot open " + path + ": " + std::strerror(errno));
    // Only advice: a pipe or a file system that ignores it is read all the same.
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::unique_ptr<InputFile>(new InputFile(path, fd, true));
}

InputFile::~InputFile()
{
    if (m_owned && m_fd >= 0) ::close(m_fd);
}

e2ee::Result<std::size_t> InputFile::read(std::span<std::uint8_t> buffer)
{
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return fail(ErrorCode::Io, "cannot read " + m_path + ": " + std::strerror(errno));
    }
}

} // namespace nubo::cli
