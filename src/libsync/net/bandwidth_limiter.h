// A token bucket shared by every transfer of one direction (all uploads, or all downloads) of an
// account, so that the limit the user sets holds for the sum of parallel transfers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace nubo::sync {

class BandwidthLimiter {
public:
    // kibPerSecond: 0 = unlimited.
    explicit BandwidthLimiter(std::int64_t kibPerSecond = 0);

    BandwidthLimiter(const BandwidthLimiter&) = delete;
    BandwidthLimiter& operator=(const BandwidthLimiter&) = delete;

    // Thread-safe; takes effect for the next bytes.
    void setLimit(std::int64_t kibPerSecond);
    std::int64_t limitKiB() const { return m_limitKiB.load(); }
    bool unlimited() const { return m_limitKiB.load() <= 0; }

    // How long a transfer must wait before it may send or read more: zero when the bucket is not
    // in debt. Transfers consume first and wait afterwards (the bucket may go negative), so a
    // large block never starves and the average rate still holds.
    std::chrono::milliseconds waitTime();
    // Takes `bytes` tokens (call after the bytes went through).
    void consume(std::int64_t bytes);
    // A block size that keeps waits short at the current rate (a 20th of a second of traffic,
    // at least 4 KiB); `fallback` when unlimited.
    std::int64_t blockSize(std::int64_t fallback) const;
    // Blocking form for threads without an event loop to keep alive: waits until the bucket is
    // out of debt, then consumes. Returns false when `cancel` became true while waiting.
    bool acquire(std::int64_t bytes, const std::atomic<bool>* cancel = nullptr);

private:
    void refillLocked(std::chrono::steady_clock::time_point now);

    std::atomic<std::int64_t> m_limitKiB;
    std::mutex m_mutex;
    double m_tokens = 0; // bytes; negative while in debt. Starts empty so a transfer cannot burst.
    std::chrono::steady_clock::time_point m_last;
};

} // namespace nubo::sync
