#include "multipart.h"

#include "server_util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace nubo::server {

namespace {

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// RFC 9110 token characters (header names).
bool isTokenChar(char c)
{
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

} // namespace

std::expected<std::string, std::string> multipartRelatedBoundary(std::string_view contentType)
{
    const auto semicolon = contentType.find(';');
    const std::string type = lowered(trimmed(contentType.substr(0, semicolon)));
    if (type != "multipart/related")
        return std::unexpected("Content-Type must be multipart/related, not \"" + type + "\"");
    std::optional<std::string> boundary;
    std::string_view rest =
        semicolon == std::string_view::npos ? std::string_view() : contentType.substr(semicolon + 1);
    while (!rest.empty()) {
        // Parameters are split at ';' outside quotes.
        std::size_t end = 0;
        bool quoted = false;
        for (; end < rest.size(); ++end) {
            if (rest[end] == '"')
                quoted = !quoted;
            else if (rest[end] == ';' && !quoted)
                break;
        }
        const std::string_view parameter = trimmed(rest.substr(0, end));
        rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
        const auto equals = parameter.find('=');
        if (equals == std::string_view::npos || lowered(trimmed(parameter.substr(0, equals))) != "boundary") continue;
        std::string_view value = trimmed(parameter.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (boundary) return std::unexpected(std::string("Content-Type names more than one boundary"));
        boundary = std::string(value);
    }
    if (!boundary) return std::unexpected(std::string("Content-Type has no boundary parameter"));
    if (boundary->empty() || boundary->size() > 70)
        return std::unexpected(std::string("the boundary must have 1 to 70 characters"));
    if (boundary->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        return std::unexpected(std::string("the boundary holds a line break or NUL"));
    return *boundary;
}

std::optional<std::uint64_t> parseContentLength(std::string_view value)
{
    if (value.empty() || value.size() > 16 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::uint64_t length = 0;
    std::from_chars(value.data(), value.data() + value.size(), length);
    if (length > (std::uint64_t{1} << 53)) return std::nullopt;
    return length;
}

MultipartReader::MultipartReader(std::istream& in, std::string boundary, Limits limits)
    : m_in(in), m_boundary(std::move(boundary)), m_limits(limits)
{
}

std::unexpected<std::string> MultipartReader::fail(std::string message)
{
    m_state = State::Failed;
    return std::unexpected(std::move(message));
}

std::expected<void, std::string> MultipartReader::expect(std::string_view bytes, const std::string& what)
{
    std::string got(bytes.size(), '\0');
    m_in.read(got.data(), static_cast<std::streamsize>(got.size()));
    got.resize(static_cast<std::size_t>(m_in.gcount()));
    if (got.size() < bytes.size()) return fail("the body ends before " + what + " (truncated)");
    if (got != bytes) return fail(what + " is not where it must be");
    return {};
}

std::expected<std::string, std::string> MultipartReader::headerLine(std::size_t& budget)
{
    std::string line;
    for (;;) {
        const int c = m_in.get();
        if (c == std::char_traits<char>::eof())
            return fail(std::string("the body ends inside a part's headers (truncated)"));
        if (budget == 0)
            return fail("a part's headers are longer than " + std::to_string(m_limits.maxHeaderBytes) + " bytes");
        --budget;
        if (c == '\n') return fail(std::string("a header line of a part does not end with CRLF"));
        if (c == '\r') {
            if (budget == 0 || m_in.get() != '\n')
                return fail(std::string("a header line of a part does not end with CRLF"));
            --budget;
            return line;
        }
        if (c == '\0') return fail(std::string("a part's header holds a NUL byte"));
        line.push_back(static_cast<char>(c));
    }
}

std::expected<std::optional<MultipartReader::Headers>, std::string> MultipartReader::next()
{
    switch (m_state) {
    case State::Done: return std::optional<Headers>();
    case State::Failed: return std::unexpected(std::string("the body was already found malformed"));
    case State::Headers:
    case State::Content: return fail(std::string("the content of the previous part was not read"));
    case State::Start:
    case State::AfterContent: break;
    }
    // A delimiter line: CRLF (ending the previous content) "--" boundary, then CRLF before the
    // next part's headers or "--" for the close delimiter. The body starts right with the first
    // delimiter: no preamble, as every client sends it.
    const bool afterContent = m_state == State::AfterContent;
    const std::string what = afterContent ? "the boundary after a part's content" : "the first boundary";
    const std::string delimiter = (afterContent ? "\r\n--" : "--") + m_boundary;
    if (auto ok = expect(delimiter, what); !ok) {
        // Right after a content, other bytes than the delimiter almost always mean a
        // Content-Length that does not match the content.
        if (afterContent && m_in.gcount() == static_cast<std::streamsize>(delimiter.size()))
            return std::unexpected(ok.error() + " (a part's Content-Length does not match its content)");
        return std::unexpected(ok.error());
    }
    std::array<char, 2> after{};
    m_in.read(after.data(), 2);
    if (m_in.gcount() < 2) return fail(std::string("the body ends after a boundary (truncated)"));
    if (after[0] == '-' && after[1] == '-') {
        m_state = State::Done;
        return std::optional<Headers>();
    }
    if (after[0] != '\r' || after[1] != '\n')
        return fail(std::string("a boundary line is followed by something other than CRLF or \"--\""));

    Headers headers;
    std::size_t budget = m_limits.maxHeaderBytes;
    for (;;) {
        auto line = headerLine(budget);
        if (!line) return std::unexpected(line.error());
        if (line->empty()) break;
        if (headers.size() >= m_limits.maxHeaders)
            return fail("a part has more than " + std::to_string(m_limits.maxHeaders) + " headers");
        if (line->front() == ' ' || line->front() == '\t')
            return fail(std::string("a part's header is folded over several lines"));
        const auto colon = line->find(':');
        if (colon == std::string::npos) return fail(std::string("a part's header line has no ':'"));
        const std::string_view name = std::string_view(*line).substr(0, colon);
        if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar))
            return fail(std::string("a part's header has an invalid name"));
        if (!headers.emplace(lowered(name), std::string(trimmed(std::string_view(*line).substr(colon + 1)))).second)
            return fail("a part repeats the header " + std::string(name));
    }
    m_state = State::Content;
    return std::optional<Headers>(std::move(headers));
}

std::expected<void, std::string> MultipartReader::content(std::uint64_t length, const Sink& sink)
{
    if (m_state != State::Content) return fail(std::string("no part's content is due here"));
    std::array<char, 64 * 1024> buffer;
    while (length > 0) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer.size()));
        m_in.read(buffer.data(), static_cast<std::streamsize>(want));
        const auto got = static_cast<std::size_t>(m_in.gcount());
        if (got > 0 && !sink(buffer.data(), got)) return fail(std::string("cannot store a part's content"));
        if (got < want)
            return fail(std::string("the body ends inside a part's content (truncated, or a Content-Length larger "
                                    "than the content)"));
        length -= got;
    }
    m_state = State::AfterContent;
    return {};
}

} // namespace nubo::server
