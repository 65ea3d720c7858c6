#include "webdav.h"

#include <charconv>
#include <ctime>

#include "dav_xml.h"

namespace nubo::server {

namespace {

std::vector<std::string_view> split(std::string_view s)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto slash = s.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, slash - start));
        start = slash + 1;
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::optional<std::uint64_t> parseUnsigned(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size())
        return std::nullopt;
    return value;
}

} // namespace

bool isValidName(std::string_view name)
{
    if (name.empty() || name == "." || name == ".." || name.size() > 255)
        return false;
    for (const char c : name) {
        if (c == '/' || c == '\\' || c == '\0')
            return false;
    }
    return true;
}

DavResult<DavPath> parseDavPath(std::string_view path, std::string_view requestUser)
{
    constexpr std::string_view kRemote = "/remote.php/";
    const auto at = path.find(kRemote);
    if (at == std::string_view::npos)
        return std::unexpected(DavError {404, "Not a WebDAV path"});
    const std::string_view rest = path.substr(at + kRemote.size());

    DavPath out;
    std::string_view tail;
    constexpr std::string_view kDav = "dav/files/";
    constexpr std::string_view kLegacy = "webdav";
    if (rest.starts_with(kDav)) {
        const std::string_view afterDav = rest.substr(kDav.size());
        const auto slash = afterDav.find('/');
        const std::string_view user = afterDav.substr(0, slash);
        if (user.empty())
            return std::unexpected(DavError {404, "No user in the path"});
        if (user != requestUser)
            return std::unexpected(DavError {403, "Access to another user's files is not allowed"});
        out.user = std::string(user);
        out.base = std::string(path.substr(0, at + kRemote.size() + kDav.size() + user.size()));
        tail = slash == std::string_view::npos ? std::string_view() : afterDav.substr(slash);
    } else if (rest == kLegacy || rest.starts_with(std::string(kLegacy) + "/")) {
        out.user = std::string(requestUser);
        out.base = std::string(path.substr(0, at + kRemote.size() + kLegacy.size()));
        tail = rest.substr(kLegacy.size());
    } else {
        return std::unexpected(DavError {404, "Not a WebDAV files path"});
    }

    // tail is "" or "/" or "/a/b" or "/a/b/".
    if (tail.empty() || tail == "/")
        return out;
    tail.remove_prefix(1);
    if (tail.ends_with('/'))
        tail.remove_suffix(1);
    for (const auto segment : split(tail)) {
        if (segment.empty())
            return std::unexpected(DavError {400, "Empty path segment"});
        if (!isValidName(segment))
            return std::unexpected(DavError {400, "Invalid path segment"});
        out.segments.emplace_back(segment);
    }
    return out;
}

std::optional<std::string> percentDecode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size())
            return std::nullopt;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string percentEncodeSegment(std::string_view in)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size());
    for (const char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_' || c == '.' || c == '~' || c == '(' || c == ')' || c == ':' || c == '@';
        if (keep) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::optional<std::string> urlPath(std::string_view url)
{
    std::string_view path = url;
    const auto scheme = url.find("://");
    if (scheme != std::string_view::npos) {
        const auto slash = url.find('/', scheme + 3);
        if (slash == std::string_view::npos)
            return std::string("/");
        path = url.substr(slash);
    } else if (!url.starts_with('/')) {
        return std::nullopt;
    }
    const auto end = path.find_first_of("?#");
    if (end != std::string_view::npos)
        path = path.substr(0, end);
    return std::string(path);
}

std::string makeHref(const DavPath& where, const std::vector<std::string>& segments, bool isDir)
{
    std::string href;
    for (const auto segment : split(where.base)) {
        if (segment.empty())
            continue;
        href += '/';
        href += percentEncodeSegment(segment);
    }
    for (const auto& segment : segments) {
        href += '/';
        href += percentEncodeSegment(segment);
    }
    if (isDir || segments.empty())
        href += '/';
    return href;
}

RangeResult parseRange(std::string_view header, std::uint64_t size)
{
    header = trim(header);
    constexpr std::string_view kBytes = "bytes=";
    if (!header.starts_with(kBytes))
        return {};
    const std::string_view spec = trim(header.substr(kBytes.size()));
    if (spec.find(',') != std::string_view::npos)
        return {}; // multiple ranges: serve the whole file
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos)
        return {};
    const std::string_view first = trim(spec.substr(0, dash));
    const std::string_view last = trim(spec.substr(dash + 1));
    if (first.empty()) {
        const auto suffix = parseUnsigned(last);
        if (!suffix)
            return {};
        if (*suffix == 0 || size == 0)
            return {RangeKind::Unsatisfiable, {}};
        const auto length = std::min(*suffix, size);
        return {RangeKind::Satisfiable, {size - length, length}};
    }
    const auto start = parseUnsigned(first);
    if (!start)
        return {};
    std::uint64_t end = size == 0 ? 0 : size - 1;
    if (!last.empty()) {
        const auto parsed = parseUnsigned(last);
        if (!parsed || *parsed < *start)
            return {};
        end = std::min(*parsed, end);
    }
    if (*start >= size)
        return {RangeKind::Unsatisfiable, {}};
    return {RangeKind::Satisfiable, {*start, end - *start + 1}};
}

std::string httpDate(std::int64_t unixSeconds)
{
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buffer[64];
    const auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buffer, n);
}

std::string formatOcId(std::int64_t fileId)
{
    std::string digits = std::to_string(fileId);
    if (digits.size() < 8)
        digits.insert(0, 8 - digits.size(), '0');
    return digits + std::string(kInstanceId);
}

bool etagListMatches(std::string_view headerValue, const std::optional<std::string>& currentEtag)
{
    std::size_t start = 0;
    while (start <= headerValue.size()) {
        auto comma = headerValue.find(',', start);
        if (comma == std::string_view::npos)
            comma = headerValue.size();
        std::string_view tag = trim(headerValue.substr(start, comma - start));
        start = comma + 1;
        if (tag.empty())
            continue;
        if (tag == "*") {
            if (currentEtag)
                return true;
            continue;
        }
        if (tag.starts_with("W/"))
            tag.remove_prefix(2);
        if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
            tag = tag.substr(1, tag.size() - 2);
        if (currentEtag && tag == *currentEtag)
            return true;
    }
    return false;
}

std::optional<std::int64_t> parseMtime(std::string_view value)
{
    value = trim(value);
    const auto dot = value.find('.');
    std::string_view whole = value.substr(0, dot);
    if (dot != std::string_view::npos) {
        for (const char c : value.substr(dot + 1)) {
            if (c < '0' || c > '9')
                return std::nullopt;
        }
    }
    const auto parsed = parseUnsigned(whole);
    if (!parsed || *parsed > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    return static_cast<std::int64_t>(*parsed);
}

std::optional<bool> parseOverwrite(std::string_view value)
{
    value = trim(value);
    if (value.empty() || value == "T" || value == "t")
        return true;
    if (value == "F" || value == "f")
        return false;
    return std::nullopt;
}

std::string toLower(std::string_view in)
{
    std::string out(in);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view davExceptionName(unsigned status)
{
    switch (status) {
    case 400:
        return "Sabre\\DAV\\Exception\\BadRequest";
    case 401:
        return "Sabre\\DAV\\Exception\\NotAuthenticated";
    case 403:
        return "Sabre\\DAV\\Exception\\Forbidden";
    case 404:
        return "Sabre\\DAV\\Exception\\NotFound";
    case 405:
        return "Sabre\\DAV\\Exception\\MethodNotAllowed";
    case 409:
        return "Sabre\\DAV\\Exception\\Conflict";
    case 412:
        return "Sabre\\DAV\\Exception\\PreconditionFailed";
    case 415:
        return "Sabre\\DAV\\Exception\\UnsupportedMediaType";
    case 416:
        return "Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable";
    case 423:
        return "Sabre\\DAV\\Exception\\Locked";
    case 501:
        return "Sabre\\DAV\\Exception\\NotImplemented";
    case 507:
        return "Sabre\\DAV\\Exception\\InsufficientStorage";
    default:
        return "Sabre\\DAV\\Exception";
    }
}

Response davError(unsigned status, std::string_view message)
{
    auto response = textResponse(status, davErrorXml(davExceptionName(status), message), "application/xml; charset=utf-8");
    if (status == 401)
        response.set("WWW-Authenticate", "Basic realm=\"Nextcloud\", charset=\"UTF-8\"");
    return response;
}

Response davError(const DavError& error)
{
    return davError(error.status, error.message);
}

} // namespace nubo::server
