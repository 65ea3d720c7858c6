#include "exclude_list.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local_file.h"

namespace nubo::sync {

namespace {

// Taken from the official client's sync-exclude.lst (nextcloud/desktop), plus Nubo's own files.
// Deliberately missing: "*.~*" (it would hide ordinary names such as "draft.~1") and the official
// client's conflict markers (conflict copies are the user's data; the engine decides about them).
constexpr std::string_view DEFAULT_PATTERNS = R"(
# Nubo's own files: the journal with its -wal and -shm, and downloads not yet renamed into place.
.nubo_journal.db*
.*.~nubo*

# Journals and logs of other sync clients that may have used this folder.
.sync_*.db*
._sync_*.db*
.csync_journal.db*
csync_journal.db*
.owncloudsync.log*
*csync_timedif.ctmp*
*.unison
.synkron.*
.sync.ffs_db
.symform
.symform-store

# Editors and office suites: backups, swap and lock files.
*~
.*.sw?
.*.*sw?
.#*
\#*#
*.kate-swp
*.gnucash.tmp-*
.~lock.*
~$*
~*.tmp

# Downloads in progress.
*.part
*.filepart
*.crdownload

# Operating system and desktop metadata.
]Desktop.ini
]desktop.ini
]Thumbs.db
]photothumb.db
System Volume Information
].DS_Store
].ds_store
._*
]Icon\r*
].TemporaryItems
].Trashes
].DocumentRevisions-V100
].Trash-*
.fseventd
.apdisk
.directory
.fuse_hidden*
.nfs*
My Saved Places.
)";

// Whether `s` holds `text` at `offset` (which may be past the end).
bool hasAt(std::string_view s, std::size_t offset, const std::string& text)
{
    return offset <= s.size() && s.size() - offset >= text.size() &&
           std::memcmp(s.data() + offset, text.data(), text.size()) == 0;
}

std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (lead >= 0xf0)
        n = 4;
    else if (lead >= 0xe0)
        n = 3;
    else if (lead >= 0xc0)
        n = 2;
    return std::min(n, s.size() - i);
}

char32_t utf8Decode(std::string_view s, std::size_t i, std::size_t length)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    if (length == 1) return lead;
    char32_t cp = lead & (0x7fu >> length);
    for (std::size_t k = 1; k < length; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
    return cp;
}

// The official client's escapes; the others ("\*", "\?", "\[", "\\") stay for the glob to read as
// literal characters.
std::string expandEscapes(std::string_view line)
{
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '\\' || i + 1 == line.size()) {
            out.push_back(line[i]);
            continue;
        }
        const char next = line[i + 1];
        char expanded = 0;
        switch (next) {
        case '#': expanded = '#'; break;
        case '\'': expanded = '\''; break;
        case '"': expanded = '"'; break;
        case 'a': expanded = '\a'; break;
        case 'b': expanded = '\b'; break;
        case 'f': expanded = '\f'; break;
        case 'n': expanded = '\n'; break;
        case 'r': expanded = '\r'; break;
        case 't': expanded = '\t'; break;
        case 'v': expanded = '\v'; break;
        default: break;
        }
        if (expanded != 0) {
            out.push_back(expanded);
        } else {
            out.push_back('\\');
            out.push_back(next);
        }
        ++i;
    }
    return out;
}

} // namespace

ExcludeList ExcludeList::defaults()
{
    ExcludeList list;
    list.addText(DEFAULT_PATTERNS);
    return list;
}

Result<void> ExcludeList::addFile(const std::filesystem::path& file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(errnoError(errno, "reading the exclude list", file));
    std::string text;
    char buffer[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            return std::unexpected(errnoError(error, "reading the exclude list", file));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    addText(text);
    return {};
}

void ExcludeList::addText(std::string_view text)
{
    while (!text.empty()) {
        const auto newline = text.find('\n');
        addPattern(text.substr(0, newline));
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
}

void ExcludeList::addPattern(std::string_view line)
{
    // A raw carriage return can only come from CRLF line ends; one in a name is written "\r".
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') return;
    m_patterns.emplace_back(line);

    if (line.front() == ']') line.remove_prefix(1);
    std::string glob = expandEscapes(line);

    Pattern pattern;
    if (glob.size() > 1 && glob.ends_with('/') && !glob.ends_with("\\/")) {
        pattern.dirOnly = true;
        glob.pop_back();
    }
    if (glob.starts_with('/')) {
        pattern.fullPath = true;
        glob.erase(0, glob.find_first_not_of('/'));
    }
    if (glob.find('/') != std::string::npos) pattern.fullPath = true;
    if (glob.empty()) return;
    pattern.glob = glob;

    std::vector<Token>& tokens = pattern.tokens;
    auto literal = [&](std::string_view text) {
        if (tokens.empty() || tokens.back().kind != Token::Literal) tokens.push_back(Token{});
        tokens.back().text.append(text);
    };
    for (std::size_t i = 0; i < glob.size();) {
        const char c = glob[i];
        if (c == '\\' && i + 1 < glob.size()) {
            literal(std::string_view(glob).substr(i + 1, 1));
            i += 2;
        } else if (c == '*') {
            if (tokens.empty() || tokens.back().kind != Token::Star)
                tokens.push_back(Token{Token::Star, false, {}, {}});
            ++i;
        } else if (c == '?') {
            tokens.push_back(Token{Token::AnyChar, false, {}, {}});
            ++i;
        } else if (c == '[') {
            Token token{Token::Class, false, {}, {}};
            std::size_t j = i + 1;
            if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) {
                token.negated = true;
                ++j;
            }
            bool closed = false;
            bool first = true;
            while (j < glob.size()) {
                if (glob[j] == ']' && !first) {
                    closed = true;
                    ++j;
                    break;
                }
                first = false;
                if (glob[j] == '\\' && j + 1 < glob.size()) ++j;
                std::size_t length = utf8Length(glob, j);
                const char32_t low = utf8Decode(glob, j, length);
                char32_t high = low;
                j += length;
                if (j + 1 < glob.size() && glob[j] == '-' && glob[j + 1] != ']') {
                    ++j;
                    if (glob[j] == '\\' && j + 1 < glob.size()) ++j;
                    length = utf8Length(glob, j);
                    high = utf8Decode(glob, j, length);
                    j += length;
                }
                token.ranges.emplace_back(low, high);
            }
            if (closed) {
                tokens.push_back(std::move(token));
                i = j;
            } else {
                // An unclosed '[' means itself, as in fnmatch(3).
                literal("[");
                ++i;
            }
        } else {
            literal(std::string_view(glob).substr(i, 1));
            ++i;
        }
    }

    for (const Token& token : tokens)
        pattern.minLength += token.kind == Token::Literal ? token.text.size() : token.kind == Token::Star ? 0 : 1;
    if (tokens.front().kind == Token::Literal) pattern.prefix = tokens.front().text;
    if (tokens.back().kind == Token::Literal) pattern.suffix = tokens.back().text;
    for (const Token& token : tokens)
        if (token.kind == Token::Literal && token.text.size() > pattern.longestLiteral.size())
            pattern.longestLiteral = token.text;

    Index& index = pattern.fullPath ? m_pathIndex : m_nameIndex;
    m_hasPathPatterns = m_hasPathPatterns || pattern.fullPath;
    const auto position = static_cast<std::uint32_t>(m_compiled.size());
    if (!pattern.prefix.empty())
        index.byFirst[static_cast<unsigned char>(pattern.prefix.front())].push_back(position);
    else if (!pattern.suffix.empty())
        index.byLast[static_cast<unsigned char>(pattern.suffix.back())].push_back(position);
    else
        index.always.push_back(position);
    m_compiled.push_back(std::move(pattern));
}

bool ExcludeList::matches(const Pattern& pattern, std::string_view s)
{
    // Cheap rejections first, in plain memcmp/memmem: this runs for every item of every scan.
    if (s.size() < pattern.minLength || !hasAt(s, 0, pattern.prefix) ||
        !hasAt(s, s.size() - pattern.suffix.size(), pattern.suffix))
        return false;
    if (pattern.longestLiteral.size() > pattern.prefix.size() &&
        ::memmem(s.data(), s.size(), pattern.longestLiteral.data(), pattern.longestLiteral.size()) == nullptr)
        return false;

    // Backtracking to the last star only is enough: a star cannot cross '/', so letting an earlier
    // star take more could never move a later token past a '/' the later star cannot cross either.
    const std::vector<Token>& tokens = pattern.tokens;
    std::size_t ti = 0;
    std::size_t si = 0;
    std::size_t starToken = std::string_view::npos;
    std::size_t starEnd = 0;
    for (;;) {
        if (ti < tokens.size()) {
            const Token& token = tokens[ti];
            if (token.kind == Token::Star) {
                starToken = ti++;
                starEnd = si;
                continue;
            }
            if (token.kind == Token::Literal) {
                if (hasAt(s, si, token.text)) {
                    si += token.text.size();
                    ++ti;
                    continue;
                }
            } else if (si < s.size() && s[si] != '/') {
                const std::size_t length = utf8Length(s, si);
                bool ok = true;
                if (token.kind == Token::Class) {
                    const char32_t cp = utf8Decode(s, si, length);
                    const bool inside = std::any_of(token.ranges.begin(), token.ranges.end(),
                                                    [cp](const auto& r) { return cp >= r.first && cp <= r.second; });
                    ok = inside != token.negated;
                }
                if (ok) {
                    si += length;
                    ++ti;
                    continue;
                }
            }
        } else if (si == s.size()) {
            return true;
        }
        if (starToken == std::string_view::npos || starEnd >= s.size() || s[starEnd] == '/') return false;
        starEnd += utf8Length(s, starEnd);
        si = starEnd;
        ti = starToken + 1;
    }
}

bool ExcludeList::matchesAny(const Index& index, std::string_view subject, bool isDirectory) const
{
    if (subject.empty()) return false;
    auto any = [&](const std::vector<std::uint32_t>& candidates) {
        for (const std::uint32_t i : candidates) {
            const Pattern& pattern = m_compiled[i];
            if ((!pattern.dirOnly || isDirectory) && matches(pattern, subject)) return true;
        }
        return false;
    };
    return any(index.byFirst[static_cast<unsigned char>(subject.front())]) ||
           any(index.byLast[static_cast<unsigned char>(subject.back())]) || any(index.always);
}

bool ExcludeList::isExcluded(std::string_view path, bool isDirectory) const
{
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return matchesAny(m_nameIndex, name, isDirectory) ||
           (m_hasPathPatterns && matchesAny(m_pathIndex, path, isDirectory));
}

namespace {

constexpr std::string_view CONFLICT_MARKER = " (conflicted copy ";
constexpr std::size_t MAX_NAME_BYTES = 255; // NAME_MAX of the usual Linux, macOS and Windows file systems

bool digits(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD hhmmss"
bool isConflictTimestamp(std::string_view s)
{
    return s.size() == 17 && digits(s.substr(0, 4)) && s[4] == '-' && digits(s.substr(5, 2)) && s[7] == '-' &&
           digits(s.substr(8, 2)) && s[10] == ' ' && digits(s.substr(11, 6));
}

} // namespace

bool isConflictCopyName(std::string_view name)
{
    // The official client may put a user name before the time ("(conflicted copy alice 2026-...)")
    // and keeps parentheses out of it, so the marker ends at the first ')'.
    const std::string_view marker = CONFLICT_MARKER.substr(1);
    for (auto at = name.find(marker); at != std::string_view::npos; at = name.find(marker, at + 1)) {
        const auto close = name.find(')', at);
        if (close == std::string_view::npos) return false;
        const std::string_view inside = name.substr(at + marker.size(), close - at - marker.size());
        if (inside.size() >= 17 && isConflictTimestamp(inside.substr(inside.size() - 17))) return true;
    }
    return false;
}

std::string conflictCopyPath(const std::string& path, std::int64_t unixTime)
{
    const auto slash = path.rfind('/');
    const std::size_t nameStart = slash == std::string::npos ? 0 : slash + 1;
    auto dot = path.rfind('.');
    if (dot == std::string::npos || dot <= nameStart) dot = path.size();

    const auto seconds = static_cast<std::time_t>(unixTime);
    std::tm local{};
    char stamp[32] = "0000-00-00 000000";
    if (localtime_r(&seconds, &local) != nullptr) std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H%M%S", &local);
    std::string marker(CONFLICT_MARKER);
    marker.append(stamp);
    marker.push_back(')');

    // The copy's name must fit where the original did (255 bytes): the base name gives way, cut
    // at a character boundary; an extension too long to keep is treated as part of the base.
    std::string_view base(path.data() + nameStart, dot - nameStart);
    std::string_view extension(path.data() + dot, path.size() - dot);
    if (base.size() + marker.size() + extension.size() > MAX_NAME_BYTES && marker.size() + extension.size() > MAX_NAME_BYTES - 1) {
        base = std::string_view(path.data() + nameStart, path.size() - nameStart);
        extension = {};
    }
    if (base.size() + marker.size() + extension.size() > MAX_NAME_BYTES) {
        std::size_t keep = MAX_NAME_BYTES - marker.size() - extension.size();
        while (keep > 0 && (static_cast<unsigned char>(base[keep]) & 0xc0) == 0x80) --keep; // not inside a character
        base = base.substr(0, keep);
    }

    std::string result;
    result.reserve(nameStart + base.size() + marker.size() + extension.size());
    result.append(path, 0, nameStart);
    result.append(base);
    result.append(marker);
    result.append(extension);
    return result;
}

} // namespace nubo::sync
