// Caller-supplied byte streams. The library never opens files itself.
//
// Threads: encryptFile() and decryptFile() (file_cipher.h) read their ByteSource on a worker
// thread of their own while the calling thread writes the ByteSink. The sink is written,
// committed and discarded only by the calling thread. The source is read by one thread at a
// time: its first buffer by the calling thread, the rest by the worker, each read() returning
// before the next one starts and ordered after it by the pipeline's mutex. So neither needs
// locking; but a source must not depend on the thread it is read from (thread-local state, an
// object bound to the caller's thread or event loop) nor share unsynchronised state with the
// sink. An exception thrown by read() is rethrown on the calling thread; a read() that blocks
// delays stopping after a failed write until it returns.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>

#include "error.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Fills up to buffer.size() bytes; returns 0 only at the end of the data.
    virtual Result<std::size_t> read(std::span<std::uint8_t> buffer) = 0;
};

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Result<void> write(ByteView data) = 0;
};

// A sink for decrypted data, which is unauthenticated until the whole input has been
// checked. Decryption calls exactly one of commit() (the tag verified) or discard()
// (anything failed); an implementation must not expose written bytes before commit(),
// e.g. it writes to a temporary file and renames it on commit.
class AuthenticatedSink : public ByteSink {
public:
    virtual Result<void> commit() = 0;
    virtual void discard() noexcept = 0;
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(ByteView data) : m_data(data) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

private:
    ByteView m_data;
};

class IstreamSource final : public ByteSource {
public:
    explicit IstreamSource(std::istream& in) : m_in(in) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

private:
    std::istream& m_in;
};

class OstreamSink final : public ByteSink {
public:
    explicit OstreamSink(std::ostream& out) : m_out(out) {}
    Result<void> write(ByteView data) override;

private:
    std::ostream& m_out;
};

// Collects plaintext in wiped memory and hands it out only after commit().
class SecureBufferSink final : public AuthenticatedSink {
public:
    Result<void> write(ByteView data) override;
    Result<void> commit() override;
    void discard() noexcept override;
    // Empty unless committed.
    SecureBytes take();

private:
    SecureBytes m_data;
    bool m_committed = false;
};

} // namespace nubo::e2ee
