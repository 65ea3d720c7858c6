// Small, pure WebDAV/HTTP helpers: DAV path parsing and validation, percent coding, Range,
// HTTP dates, ETag preconditions, SabreDAV-style error replies. No state, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.h"
#include "namespace_tree.h" // DavError, DavResult

namespace nubo::server {

inline constexpr std::string_view kInstanceId = "ocnubo0001";

// A path inside the files DAV tree.
struct DavPath {
    std::string base;                  // decoded prefix up to the user's root, e.g. "/remote.php/dav/files/alice"
    std::string user;
    std::vector<std::string> segments; // validated names below the user's root
};

// Parses a percent-decoded request path:
//   [<prefix>]/remote.php/dav/files/<user>[/<segments>][/]   (user must equal requestUser, else 403)
//   [<prefix>]/remote.php/webdav[/<segments>][/]              (user = requestUser)
// 404 for paths outside the files tree, 400 for invalid segments.
DavResult<DavPath> parseDavPath(std::string_view decodedPath, std::string_view requestUser);

// A valid item name: not empty, not "." or "..", no '/', '\\' or NUL, at most 255 bytes.
bool isValidName(std::string_view name);

// Percent-decodes; nullopt on a malformed escape.
std::optional<std::string> percentDecode(std::string_view in);
// Encodes one path segment (keeps A-Za-z0-9 - _ . ~ ( ) : @, like SabreDAV).
std::string percentEncodeSegment(std::string_view in);
// The path part of an absolute URL ("https://host/x?q" -> "/x") or of an absolute path.
std::optional<std::string> urlPath(std::string_view url);

// Builds the encoded href of an item: base + "/" + segments, with a trailing '/' for folders.
std::string makeHref(const DavPath& where, const std::vector<std::string>& segments, bool isDir);

struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};
enum class RangeKind { None, Satisfiable, Unsatisfiable };
struct RangeResult {
    RangeKind kind = RangeKind::None;
    ByteRange range;
};
// Parses a Range header against a file size. Malformed or multi-range headers yield None
// (serve the whole file, as RFC 9110 allows).
RangeResult parseRange(std::string_view header, std::uint64_t size);

// RFC 1123 date in GMT, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string httpDate(std::int64_t unixSeconds);

// The oc:id / OC-FileId form: fileid zero-padded to 8 digits + instance id.
std::string formatOcId(std::int64_t fileId);

// If-Match / If-None-Match evaluation against the current (unquoted) ETag, nullopt if the
// item does not exist. Returns true when the list matches ("*" matches any existing item).
bool etagListMatches(std::string_view headerValue, const std::optional<std::string>& currentEtag);

// X-OC-Mtime: unix seconds (a fraction is truncated); nullopt when malformed.
std::optional<std::int64_t> parseMtime(std::string_view value);

// Overwrite header: "T" (default) or "F"; nullopt when malformed.
std::optional<bool> parseOverwrite(std::string_view value);

std::string toLower(std::string_view in);

// The SabreDAV exception class a status maps to ("Sabre\\DAV\\Exception\\NotFound" for 404).
std::string_view davExceptionName(unsigned status);
// An error reply with a <d:error> body like SabreDAV's (and WWW-Authenticate for a 401).
Response davError(unsigned status, std::string_view message);
Response davError(const DavError& error);

} // namespace nubo::server
