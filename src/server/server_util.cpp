#include "server_util.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <system_error>
#include <thread>
#include <stdexcept>
#include <vector>

#include "webdav.h"

namespace nubo::server {

std::string_view trimmed(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::int64_t nowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::size_t writeAll(int fd, const char* data, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t written = ::write(fd, data + done, size - done);
        if (written < 0 && errno == EINTR) continue;
        if (written == 0) errno = EIO;
        if (written <= 0) break;
        done += static_cast<std::size_t>(written);
    }
    return done;
}

bool syncPath(const std::filesystem::path& path, bool directory)
{
    const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

std::string randomHex(std::size_t bytes)
{
    std::vector<unsigned char> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (const unsigned char b : buffer) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string randomAlphanumeric(std::size_t length)
{
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    while (out.size() < length) {
        std::array<unsigned char, 128> buffer {};
        if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
            throw std::runtime_error("RAND_bytes failed");
        for (const unsigned char byte : buffer) {
            if (byte < 248 && out.size() < length) // 248 = 4 * 62: no modulo bias
                out += alphabet[byte % alphabet.size()];
        }
    }
    return out;
}

std::optional<std::string> formDecode(std::string_view text)
{
    std::string plus(text);
    for (char& c : plus) {
        if (c == '+')
            c = ' ';
    }
    return percentDecode(plus);
}

std::optional<std::string> formField(std::string_view body, std::string_view name)
{
    while (!body.empty()) {
        const std::size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (formDecode(pair.substr(0, eq)) == name)
            return eq == std::string_view::npos ? std::optional<std::string>(std::string()) : formDecode(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        body.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::string> decodeBase64(std::string_view text)
{
    if (text.empty() || text.size() % 4 != 0)
        return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - (text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0));
    return out;
}

BackgroundRemover::~BackgroundRemover()
{
    std::unique_lock lock(m_state->mutex);
    m_state->idle.wait(lock, [this] { return m_state->running == 0; });
}

void BackgroundRemover::removeAll(std::filesystem::path path)
{
    {
        const std::lock_guard lock(m_state->mutex);
        ++m_state->running;
    }
    const auto finished = [](State& state) {
        {
            const std::lock_guard lock(state.mutex);
            --state.running;
        }
        state.idle.notify_all();
    };
    try {
        std::thread([state = m_state, path, finished] {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
            finished(*state);
        }).detach();
    } catch (const std::system_error&) {
        // No thread to spare: the caller's work is done all the same, so delete here.
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
        finished(*m_state);
    }
}

} // namespace nubo::server
