#include "local_file.h"

// What every implementation shares: the errno mapping and the temporary names. The operations
// themselves live in local_file_linux.cpp or local_file_portable.cpp (NUBO_PORTABLE_ONLY).
#include "local_file_errors.h"

#include <array>
#include <cerrno>
#include <random>
#include <string_view>
#include <system_error>

#include <openssl/rand.h>

namespace nubo::sync {

namespace {

constexpr std::string_view TEMPORARY_MARKER = ".~nubo";
constexpr std::size_t TEMPORARY_RANDOM_DIGITS = 8;
constexpr std::size_t NAME_MAX_BYTES = 255;

} // namespace

Reason reasonFor(int error)
{
    switch (error) {
    case ENOSPC:
#ifdef EDQUOT // not in every C library (Windows)
    case EDQUOT:
#endif
        return {SyncErrorCode::DiskFull, "the local disk is full; free some space and sync again"};
    case EACCES:
    case EPERM: return {SyncErrorCode::LocalIo, "permission denied"};
    case EROFS: return {SyncErrorCode::LocalIo, "the file system is read-only"};
    case ENAMETOOLONG: return {SyncErrorCode::NameNotAllowed, "the name is too long for the local file system"};
    case EILSEQ: return {SyncErrorCode::NameNotAllowed, "the local file system cannot hold this name"};
    case ENOENT: return {SyncErrorCode::NotFound, "it does not exist"};
    case ENOTDIR: return {SyncErrorCode::NotFound, "a part of the path is not a folder"};
    default: break;
    }
    // The C library's text, without the GNU/XSI strerror_r split.
    std::string text = std::generic_category().message(error);
    return {SyncErrorCode::LocalIo, !text.empty() ? text : "error " + std::to_string(error)};
}

std::string quoted(const std::filesystem::path& path)
{
    return "\"" + path.string() + "\"";
}

SyncError renameError(int error, const std::filesystem::path& from, const std::filesystem::path& to)
{
    Reason reason = reasonFor(error);
    if (error == EEXIST || error == ENOTEMPTY) reason = {SyncErrorCode::FileChanged, "the target already exists"};
    return {reason.code, "renaming " + quoted(from) + " to " + quoted(to) + " failed: " + reason.text};
}

int errnoOf(const std::error_code& error)
{
    // On POSIX the system category holds errno values; elsewhere its equivalent condition does.
    const std::error_condition condition = error.default_error_condition();
    if (condition.category() == std::generic_category()) return condition.value();
    return EIO;
}

namespace {

std::string randomHex(std::size_t digits)
{
    std::array<unsigned char, 16> bytes{};
    const std::size_t count = (digits + 1) / 2;
    if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
        std::random_device device;
        for (std::size_t i = 0; i < count; ++i)
            bytes[i] = static_cast<unsigned char>(device());
    }
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i)
        out.push_back(HEX[(bytes[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f]);
    return out;
}

// Cuts a UTF-8 string to at most `bytes` without splitting a character.
std::string truncateUtf8(const std::string& s, std::size_t bytes)
{
    if (s.size() <= bytes) return s;
    std::size_t end = bytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
        --end;
    return s.substr(0, end);
}

} // namespace

SyncError errnoError(int error, const std::string& operation, const std::filesystem::path& path)
{
    Reason reason = reasonFor(error);
    return {reason.code, operation + " " + quoted(path) + " failed: " + reason.text};
}

std::filesystem::path temporaryPathFor(const std::filesystem::path& target)
{
    const std::size_t room = NAME_MAX_BYTES - 1 - TEMPORARY_MARKER.size() - TEMPORARY_RANDOM_DIGITS;
    const std::string name = truncateUtf8(target.filename().string(), room);
    std::string temporary = ".";
    temporary += name;
    temporary += TEMPORARY_MARKER;
    temporary += randomHex(TEMPORARY_RANDOM_DIGITS);
    return target.parent_path() / temporary;
}

bool isTemporaryName(const std::string& name)
{
    const std::size_t tail = TEMPORARY_MARKER.size() + TEMPORARY_RANDOM_DIGITS;
    if (name.size() < 1 + tail || name.front() != '.') return false;
    const std::string_view end = std::string_view(name).substr(name.size() - tail);
    if (!end.starts_with(TEMPORARY_MARKER)) return false;
    for (const char c : end.substr(TEMPORARY_MARKER.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

} // namespace nubo::sync
