// Tests run as root in CI, and root reads and writes past permission bits: an "unreadable folder"
// or a "read-only trash" would not be one. While this object lives, the calling thread runs
// without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER (Linux capabilities are per
// thread), so permission bits apply to it as to any user; the destructor gives them back.
// For a non-root user it changes nothing.
#pragma once

#include <cstring>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace nubo::test {

class WithoutFileCapabilities {
public:
    WithoutFileCapabilities()
    {
        m_header.version = _LINUX_CAPABILITY_VERSION_3;
        m_header.pid = 0;
        if (::syscall(SYS_capget, &m_header, m_saved) != 0)
            return;
        __user_cap_data_struct reduced[2];
        std::memcpy(reduced, m_saved, sizeof reduced);
        for (const int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER})
            reduced[cap / 32].effective &= ~(1u << (cap % 32));
        m_active = ::syscall(SYS_capset, &m_header, reduced) == 0;
    }
    ~WithoutFileCapabilities()
    {
        if (m_active)
            ::syscall(SYS_capset, &m_header, m_saved);
    }
    WithoutFileCapabilities(const WithoutFileCapabilities&) = delete;
    WithoutFileCapabilities& operator=(const WithoutFileCapabilities&) = delete;

private:
    __user_cap_header_struct m_header{};
    __user_cap_data_struct m_saved[2]{};
    bool m_active = false;
};

} // namespace nubo::test
