// Small helpers every part of nubo-server uses: time, fsync, random tokens, form fields.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace nubo::server {

std::int64_t nowSeconds();
// fsync a file or folder; false on failure.
bool syncPath(const std::filesystem::path& path, bool directory);

// From OpenSSL's CSPRNG; throw std::runtime_error if it fails.
std::string randomHex(std::size_t bytes);
std::string randomAlphanumeric(std::size_t length);

// application/x-www-form-urlencoded: '+' is a space, then percent-decoding.
std::optional<std::string> formDecode(std::string_view text);
// The decoded value of `name` in a form body, or nullopt when absent or malformed.
std::optional<std::string> formField(std::string_view body, std::string_view name);

// Strict standard base64 (padding required); nullopt when malformed.
std::optional<std::string> decodeBase64(std::string_view text);

} // namespace nubo::server
