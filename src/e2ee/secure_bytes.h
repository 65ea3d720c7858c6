// Containers for key material that wipe their memory when it is released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nubo::e2ee {

void secureWipe(void* data, std::size_t size) noexcept;

// Allocator that wipes every block before handing it back. Any growth of a
// container reallocates through it, so old copies are wiped too.
template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U>&) noexcept
    {
    }
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept
    {
        secureWipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <typename U>
    bool operator==(const WipingAllocator<U>&) const noexcept
    {
        return true;
    }
};

using Bytes = std::vector<std::uint8_t>;
using SecureBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
// Secrets longer than the small-string buffer (15 chars) live on the heap and
// are wiped; mnemonics and PEM keys always are that long.
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

using ByteView = std::span<const std::uint8_t>;

inline ByteView asBytes(std::string_view s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view asChars(ByteView b)
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline SecureBytes toSecure(ByteView b)
{
    return SecureBytes(b.begin(), b.end());
}

// Constant-time comparison for tags and checksums.
bool equalConstantTime(ByteView a, ByteView b) noexcept;

} // namespace nubo::e2ee
