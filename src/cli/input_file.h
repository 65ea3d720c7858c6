// Reads a file (or standard input) for the file cipher with plain read(2) calls into the
// caller's buffer: no stdio or iostream buffer in between, and the kernel is told the file is
// read once, front to back (POSIX_FADV_SEQUENTIAL: a larger read-ahead).
#pragma once

#include <memory>
#include <string>

#include "streams.h"

namespace nubo::cli {

class InputFile final : public e2ee::ByteSource {
public:
    // "-" is standard input, which is read but not closed.
    static e2ee::Result<std::unique_ptr<InputFile>> open(const std::string& path);
    ~InputFile() override;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    e2ee::Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

private:
    InputFile(std::string path, int fd, bool owned) : m_path(std::move(path)), m_fd(fd), m_owned(owned) {}
    std::string m_path;
    int m_fd = -1;
    bool m_owned = true;
};

} // namespace nubo::cli
