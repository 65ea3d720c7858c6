// Writes a file so that it appears complete or not at all: data goes to a temporary file
// beside the target, which is fsynced and renamed into place on commit and removed on discard.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "streams.h"

namespace nubo::cli {

class OutputFile final : public e2ee::AuthenticatedSink {
public:
    static e2ee::Result<std::unique_ptr<OutputFile>> open(const std::string& path);
    ~OutputFile() override;

    e2ee::Result<void> write(e2ee::ByteView data) override;
    e2ee::Result<void> commit() override;
    void discard() noexcept override;

private:
    OutputFile(std::string target, std::string temporary, int fd)
        : m_target(std::move(target)), m_temporary(std::move(temporary)), m_fd(fd)
    {
    }
    std::string m_target;
    std::string m_temporary;
    int m_fd = -1;
};

// Reads a whole file ("-" is standard input), refusing anything larger than maxSize. The
// buffer is wiped when freed, as inputs may be keys or mnemonics.
e2ee::Result<e2ee::SecureString> readInput(const std::string& path, std::size_t maxSize);

} // namespace nubo::cli
