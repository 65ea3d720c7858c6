// The one rule for the name of a synced item (one path component), whoever supplies it: a
// server's PROPFIND listing, decrypted end-to-end metadata, or the local disk. A name that breaks
// it never becomes a local path or a server request; it is reported instead.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nubo::e2ee {

// Nextcloud refuses longer names, and so do ext4, APFS and NTFS (in bytes or UTF-16 units).
inline constexpr std::size_t kMaxNameBytes = 255;

// Why `name` cannot name a synced item, or nullopt when it can. Refused: the empty name, "." and
// "..", names longer than kMaxNameBytes bytes, names holding '/', '\', NUL or another control
// character (U+0001–U+001F, U+007F), and names that are not strict UTF-8 (no overlong forms, no
// surrogates). Each of those either escapes the folder it is listed in, cannot be stored by
// Nextcloud, or has no faithful copy on a disk, in a URL or on a terminal.
std::optional<std::string> invalidNameReason(std::string_view name);

// Why `id` cannot be the name an item of an end-to-end encrypted folder has on the server (the
// id its metadata lists it under), or nullopt when it can: 32 lowercase hex characters.
std::optional<std::string> invalidItemIdReason(std::string_view id);

// How the disk that receives the names compares them.
enum class NameCase { Sensitive, Insensitive };

// The form under which names are the same item of one folder: Unicode NFC, and case folded
// when the disk ignores case. Two names with equal keys are duplicates, even where the bytes
// differ ("é" composed or decomposed; "A" and "a" on a case-insensitive disk): a disk or another
// client would keep only one of them, and they look alike to a user. A name that is not UTF-8
// is its own key.
std::string nameCollisionKey(std::string_view name, NameCase rule);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);

// A name (or any string a server supplied) made safe for a terminal, a log or a message:
// control characters (C0, DEL and C1), and bytes that are not UTF-8 become "\xNN", a backslash "\\".
std::string printableName(std::string_view text);

} // namespace nubo::e2ee
