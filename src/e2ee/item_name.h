// The one rule for the name of a synced item (one path component), whoever supplies it: a
// server's PROPFIND listing, decrypted end-to-end metadata, or the local disk. A name that breaks
// it never becomes a local path or a server request; it is reported instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nubo::e2ee {

// Why `name` cannot name a synced item, or nullopt when it can. Refused: the empty name, "." and
// "..", names holding '/', '\' or NUL, and names that are not strict UTF-8 (no overlong forms, no
// surrogates). Each of those either escapes the folder it is listed in, cannot be stored by
// Nextcloud, or has no faithful copy on a disk or in a URL.
std::optional<std::string> invalidNameReason(std::string_view name);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);

// A name (or any string a server supplied) made safe for a terminal, a log or a message:
// control characters, DEL and bytes that are not UTF-8 become "\xNN", a backslash "\\".
std::string printableName(std::string_view text);

} // namespace nubo::e2ee
