#include "bandwidth_limiter.h"

#include <algorithm>
#include <thread>

namespace nubo::sync {

namespace {

// The bucket holds at most this much saved-up time, so an idle period does not turn into a burst
// that overshoots the limit over the next seconds.
constexpr double kBurstSeconds = 0.1;

} // namespace

BandwidthLimiter::BandwidthLimiter(std::int64_t kibPerSecond)
    : m_limitKiB(std::max<std::int64_t>(0, kibPerSecond)), m_last(std::chrono::steady_clock::now())
{
}

void BandwidthLimiter::setLimit(std::int64_t kibPerSecond)
{
    std::lock_guard lock(m_mutex);
    m_limitKiB = std::max<std::int64_t>(0, kibPerSecond);
    m_tokens = 0;
    m_last = std::chrono::steady_clock::now();
}

void BandwidthLimiter::refillLocked(std::chrono::steady_clock::time_point now)
{
    const double rate = static_cast<double>(m_limitKiB.load()) * 1024.0;
    const double elapsed = std::chrono::duration<double>(now - m_last).count();
    m_last = now;
    m_tokens = std::min(m_tokens + elapsed * rate, rate * kBurstSeconds);
}

std::chrono::milliseconds BandwidthLimiter::waitTime()
{
    if (unlimited()) return std::chrono::milliseconds(0);
    std::lock_guard lock(m_mutex);
    refillLocked(std::chrono::steady_clock::now());
    if (m_tokens >= 0) return std::chrono::milliseconds(0);
    const double rate = static_cast<double>(m_limitKiB.load()) * 1024.0;
    const auto ms = static_cast<std::int64_t>(-m_tokens / rate * 1000.0) + 1;
    return std::chrono::milliseconds(ms);
}

void BandwidthLimiter::consume(std::int64_t bytes)
{
    if (unlimited() || bytes <= 0) return;
    std::lock_guard lock(m_mutex);
    refillLocked(std::chrono::steady_clock::now());
    m_tokens -= static_cast<double>(bytes);
}

std::int64_t BandwidthLimiter::blockSize(std::int64_t fallback) const
{
    const std::int64_t limit = m_limitKiB.load();
    if (limit <= 0) return fallback;
    return std::clamp<std::int64_t>(limit * 1024 / 20, 4096, fallback);
}

bool BandwidthLimiter::acquire(std::int64_t bytes, const std::atomic<bool>* cancel)
{
    while (true) {
        if (cancel && cancel->load()) return false;
        const auto wait = waitTime();
        if (wait.count() == 0) break;
        std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(50)));
    }
    consume(bytes);
    return true;
}

} // namespace nubo::sync
