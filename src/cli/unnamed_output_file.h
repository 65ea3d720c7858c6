// Writes a file that appears complete, and only once commit() is called: until then the data is
// in an unnamed file (O_TMPFILE) in the target's folder, which commit() fsyncs and links into
// place. Nothing written before commit() has a name, so a crash, a kill -9 or a power cut leaves
// no unverified plaintext behind. Where a file system cannot make unnamed files, a hidden name
// beside the target (".NAME.nubo-XXXXXX") is used instead and removed on discard().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "streams.h"

namespace nubo::cli {

class UnnamedOutputFile final : public e2ee::AuthenticatedSink {
public:
    enum class Temporary {
        Unnamed,    // O_TMPFILE, falling back to HiddenName where the file system lacks it
        HiddenName, // what a file system without O_TMPFILE gets (and what tests can ask for)
    };
    static e2ee::Result<std::unique_ptr<UnnamedOutputFile>> open(const std::string& path,
                                                                 Temporary temporary = Temporary::Unnamed);
    ~UnnamedOutputFile() override;
    UnnamedOutputFile(const UnnamedOutputFile&) = delete;
    UnnamedOutputFile& operator=(const UnnamedOutputFile&) = delete;

    e2ee::Result<void> write(e2ee::ByteView data) override;
    e2ee::Result<void> commit() override;
    void discard() noexcept override;

    // The name the data has until commit(): empty for an unnamed file.
    const std::string& temporaryName() const { return m_temporary; }

private:
    UnnamedOutputFile(std::string target, std::string folder, std::string temporary, int fd)
        : m_target(std::move(target)), m_folder(std::move(folder)), m_temporary(std::move(temporary)), m_fd(fd)
    {
    }
    e2ee::Result<void> linkUnnamed();
    void startWriteback() noexcept;

    std::string m_target;
    std::string m_folder;
    std::string m_temporary; // empty: the file is unnamed
    int m_fd = -1;
    std::uint64_t m_written = 0;
    std::uint64_t m_writebackStarted = 0; // the disk was asked to write the bytes before this
};

} // namespace nubo::cli
