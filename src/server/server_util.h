// Small helpers every part of nubo-server uses: time, fsync, random tokens, form fields.
#pragma once

#include <cstdint>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace nubo::server {

std::int64_t nowSeconds();
// Without the leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view trimmed(std::string_view text);
// fsync a file or folder; false on failure.
bool syncPath(const std::filesystem::path& path, bool directory);
// Writes all `size` bytes to `fd` (again after EINTR and short writes). Returns how many were
// written: all of them, or fewer with errno set (EIO for a write of nothing, which is no success).
std::size_t writeAll(int fd, const char* data, std::size_t size);

// From OpenSSL's CSPRNG; throw std::runtime_error if it fails.
std::string randomHex(std::size_t bytes);
std::string randomAlphanumeric(std::size_t length);

// application/x-www-form-urlencoded: '+' is a space, then percent-decoding.
std::optional<std::string> formDecode(std::string_view text);
// The decoded value of `name` in a form body, or nullopt when absent or malformed.
std::optional<std::string> formField(std::string_view body, std::string_view name);

// Strict standard base64 (padding required); nullopt when malformed.
std::optional<std::string> decodeBase64(std::string_view text);

// Deletes folders on background threads, so a request need not wait for a large unlink. The
// destructor waits for the deletions still running: nothing outlives the server's storage.
class BackgroundRemover {
public:
    BackgroundRemover() = default;
    BackgroundRemover(const BackgroundRemover&) = delete;
    BackgroundRemover& operator=(const BackgroundRemover&) = delete;
    ~BackgroundRemover();

    // Removes `path` and everything below it, errors ignored; inline when no thread can start.
    void removeAll(std::filesystem::path path);

private:
    struct State {
        std::mutex mutex;
        std::condition_variable idle;
        int running = 0;
    };
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

} // namespace nubo::server
