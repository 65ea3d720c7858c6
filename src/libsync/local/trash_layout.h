// The freedesktop.org trash layout both trash implementations write (trash_linux.cpp,
// trash_portable.cpp): files/<name> and info/<name>.trashinfo. Internal to nubo_sync_local.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nubo::sync::trash_layout {

inline constexpr std::string_view INFO_SUFFIX = ".trashinfo";
inline constexpr std::size_t NAME_MAX_BYTES = 255;
// Far more than any trash holds of one name; a bound so a broken file system cannot loop us.
inline constexpr int MAX_NAME_ATTEMPTS = 10000;

// RFC 2396: unreserved characters (alphanumerics and marks) and the path separator stay as they
// are; the rest is %XX (the Path= line of a .trashinfo file).
std::string percentEncode(std::string_view path);

// "name", "name.2", "name.3", …, shortened so that "<candidate>.trashinfo" fits in one name.
std::string candidateName(const std::string& name, int attempt);

} // namespace nubo::sync::trash_layout
