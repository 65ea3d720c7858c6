#include "output_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <unistd.h>

namespace nubo::cli {

using e2ee::ErrorCode;
using e2ee::fail;

namespace {
std::string systemError(const std::string& what, const std::string& path)
{
    return what + " " + path + ": " + std::strerror(errno);
}
} // namespace

e2ee::Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path)
{
    std::string temporary = path + ".nubo-partial-XXXXXX";
    const int fd = mkstemp(temporary.data());
    if (fd < 0) return fail(ErrorCode::Io, systemError("cannot create a file next to", path));
    return std::unique_ptr<OutputFile>(new OutputFile(path, temporary, fd));
}

OutputFile::~OutputFile()
{
    discard();
}

e2ee::Result<void> OutputFile::write(e2ee::ByteView data)
{
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(ErrorCode::Io, systemError("cannot write", m_temporary));
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

e2ee::Result<void> OutputFile::commit()
{
    if (m_fd < 0) return fail(ErrorCode::Io, "the output was already closed");
    if (::fsync(m_fd) != 0) return fail(ErrorCode::Io, systemError("cannot flush", m_temporary));
    ::close(m_fd);
    m_fd = -1;
    if (std::rename(m_temporary.c_str(), m_target.c_str()) != 0) {
        const std::string message = systemError("cannot move the result into place at", m_target);
        ::unlink(m_temporary.c_str());
        m_temporary.clear();
        return fail(ErrorCode::Io, message);
    }
    m_temporary.clear();
    return {};
}

void OutputFile::discard() noexcept
{
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    if (!m_temporary.empty()) ::unlink(m_temporary.c_str());
    m_temporary.clear();
}

e2ee::Result<e2ee::SecureString> readInput(const std::string& path, std::size_t maxSize)
{
    e2ee::SecureString data;
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) return fail(ErrorCode::Io, systemError("cannot open", path));
        in = &file;
    }
    char buffer[65536];
    const struct Wipe {
        char* p;
        ~Wipe() { e2ee::secureWipe(p, 65536); }
    } wipe{buffer};
    while (in->read(buffer, sizeof buffer) || in->gcount() > 0) {
        data.append(buffer, static_cast<std::size_t>(in->gcount()));
        if (data.size() > maxSize) {
            return fail(ErrorCode::MalformedInput, (path == "-" ? std::string("standard input") : path) +
                                                       " is larger than the limit of " + std::to_string(maxSize) +
                                                       " bytes");
        }
    }
    if (in->bad()) return fail(ErrorCode::Io, systemError("cannot read", path));
    return data;
}

} // namespace nubo::cli
