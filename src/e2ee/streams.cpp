#include "streams.h"

#include <algorithm>
#include <cstring>
#include <istream>
#include <ostream>

namespace nubo::e2ee {

Result<std::size_t> MemorySource::read(std::span<std::uint8_t> buffer)
{
    const std::size_t n = std::min(buffer.size(), m_data.size());
    if (n > 0) std::memcpy(buffer.data(), m_data.data(), n);
    m_data = m_data.subspan(n);
    return n;
}

Result<std::size_t> IstreamSource::read(std::span<std::uint8_t> buffer)
{
    m_in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    if (m_in.bad()) return fail(ErrorCode::Io, "reading the input failed");
    return static_cast<std::size_t>(m_in.gcount());
}

Result<void> OstreamSink::write(ByteView data)
{
    m_out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!m_out) return fail(ErrorCode::Io, "writing the output failed");
    return {};
}

Result<void> SecureBufferSink::write(ByteView data)
{
    m_data.insert(m_data.end(), data.begin(), data.end());
    return {};
}

Result<void> SecureBufferSink::commit()
{
    m_committed = true;
    return {};
}

void SecureBufferSink::discard() noexcept
{
    m_data.clear();
    m_committed = false;
}

SecureBytes SecureBufferSink::take()
{
    return m_committed ? std::move(m_data) : SecureBytes{};
}

} // namespace nubo::e2ee
