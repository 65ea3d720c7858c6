// The strict multipart/related reader behind bulk upload (src/server/multipart.h): framing by
// Content-Length, and every way a body can be malformed or cut short.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "multipart.h"

namespace nubo::server {
namespace {

using namespace std::string_literals;

struct ReadPart {
    MultipartReader::Headers headers;
    std::string content;
};

// Reads every part, taking each one's length from its Content-Length header; the error of the
// first failure, if any.
std::expected<std::vector<ReadPart>, std::string> readAll(const std::string& body, const std::string& boundary,
                                                          MultipartReader::Limits limits = {})
{
    std::istringstream in(body);
    MultipartReader reader(in, boundary, limits);
    std::vector<ReadPart> parts;
    for (;;) {
        auto next = reader.next();
        if (!next) return std::unexpected(next.error());
        if (!*next) return parts;
        ReadPart part{**next, {}};
        const auto length = parseContentLength(part.headers["content-length"]);
        if (!length) return std::unexpected(std::string("test: no usable Content-Length"));
        auto read = reader.content(*length, [&](const char* data, std::size_t size) {
            part.content.append(data, size);
            return true;
        });
        if (!read) return std::unexpected(read.error());
        parts.push_back(std::move(part));
    }
}

std::string part(const std::string& boundary, const std::string& content, const std::string& headers = {})
{
    return "--" + boundary + "\r\nContent-Length: " + std::to_string(content.size()) + "\r\n" + headers + "\r\n" +
           content + "\r\n";
}

TEST(MultipartBoundary, ReadsQuotedAndPlainBoundaries)
{
    EXPECT_EQ(multipartRelatedBoundary("multipart/related; boundary=\"boundary_.oOo._AbC\"").value(),
              "boundary_.oOo._AbC");
    EXPECT_EQ(multipartRelatedBoundary("multipart/related; boundary=abc").value(), "abc");
    EXPECT_EQ(multipartRelatedBoundary("Multipart/Related;type=\"text/x\"; BOUNDARY=x;start=y").value(), "x");
    EXPECT_EQ(multipartRelatedBoundary("multipart/related; type=\"a;b\"; boundary=z").value(), "z");
}

TEST(MultipartBoundary, RefusesWhatIsNotABulkBody)
{
    for (const std::string& contentType : std::vector<std::string>{
             "", "multipart/related", "multipart/related; boundary=", "multipart/related; boundary=\"\"",
             "multipart/form-data; boundary=abc", "application/octet-stream",
             "multipart/related; boundary=" + std::string(71, 'b'), "multipart/related; boundary=a; boundary=b"}) {
        EXPECT_FALSE(multipartRelatedBoundary(contentType)) << contentType;
    }
    EXPECT_TRUE(multipartRelatedBoundary("multipart/related; boundary=" + std::string(70, 'b')));
}

TEST(MultipartContentLength, DigitsOnly)
{
    EXPECT_EQ(parseContentLength("0"), 0u);
    EXPECT_EQ(parseContentLength("1234"), 1234u);
    for (const char* bad : {"", "-1", "+1", "1 ", " 1", "0x10", "1e3", "12abc", "99999999999999999"})
        EXPECT_FALSE(parseContentLength(bad)) << bad;
}

TEST(MultipartReader, ReadsPartsFramedByTheirLength)
{
    const std::string b = "B0undary";
    // Content may hold CRLFs, NULs and the delimiter itself: the length frames it.
    const std::string tricky = "a\r\n--B0undary\r\nX: y\r\n\r\n\0--B0undary--\r\n"s;
    const std::string body = part(b, "hello", "X-File-Path: /a.txt\r\nX-File-MD5:  abc \r\n") + part(b, tricky) +
                             part(b, "") + "--" + b + "--\r\nepilogue is ignored";
    const auto parts = readAll(body, b);
    ASSERT_TRUE(parts) << parts.error();
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[0].content, "hello");
    EXPECT_EQ((*parts)[0].headers.at("x-file-path"), "/a.txt");
    EXPECT_EQ((*parts)[0].headers.at("x-file-md5"), "abc") << "values are trimmed, names lowercased";
    EXPECT_EQ((*parts)[1].content, tricky);
    EXPECT_EQ((*parts)[2].content, "");
}

TEST(MultipartReader, EmptyBodyOfNoParts)
{
    for (const std::string body : {"--b--\r\n", "--b--"}) {
        const auto parts = readAll(body, "b");
        ASSERT_TRUE(parts) << parts.error();
        EXPECT_TRUE(parts->empty());
    }
}

TEST(MultipartReader, LargeContentIsPassedInSlices)
{
    const std::string content(300 * 1024 + 7, 'x');
    std::istringstream in(part("b", content) + "--b--\r\n");
    MultipartReader reader(in, "b");
    ASSERT_TRUE(reader.next().value());
    std::size_t slices = 0, total = 0, largest = 0;
    ASSERT_TRUE(reader.content(content.size(), [&](const char*, std::size_t size) {
        ++slices;
        total += size;
        largest = std::max(largest, size);
        return true;
    }));
    EXPECT_EQ(total, content.size());
    EXPECT_GT(slices, 1u);
    EXPECT_LE(largest, 64u * 1024);
    EXPECT_FALSE(reader.next().value());
}

TEST(MultipartReader, RefusesTruncatedBodies)
{
    const std::string full = part("b", "first") + part("b", "second part") + "--b--\r\n";
    // Every proper prefix is refused, except those that end inside the close delimiter's CRLF.
    for (std::size_t cut = 0; cut < full.size() - 2; ++cut) {
        const auto parts = readAll(full.substr(0, cut), "b");
        EXPECT_FALSE(parts) << "a body cut at " << cut << " of " << full.size() << " was accepted";
    }
    EXPECT_TRUE(readAll(full, "b"));
}

TEST(MultipartReader, RefusesALengthThatDoesNotMatch)
{
    const std::string shorter = "--b\r\nContent-Length: 3\r\n\r\nhello\r\n--b--\r\n";
    const std::string longer = "--b\r\nContent-Length: 7\r\n\r\nhello\r\n--b--\r\n";
    const auto a = readAll(shorter, "b");
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().find("Content-Length"), std::string::npos) << a.error();
    EXPECT_FALSE(readAll(longer, "b"));
}

TEST(MultipartReader, RefusesMalformedFraming)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"no boundary at all", "hello"},
        {"a preamble", "preamble\r\n" + part("b", "x") + "--b--\r\n"},
        {"another boundary", part("c", "x") + "--c--\r\n"},
        {"a boundary that only starts with ours", "--bb\r\nContent-Length: 1\r\n\r\nx\r\n--b--\r\n"},
        {"bare LF line ends", "--b\nContent-Length: 1\n\nx\n--b--\n"},
        {"transport padding after the boundary", "--b  \r\nContent-Length: 1\r\n\r\nx\r\n--b--\r\n"},
        {"no CRLF after the content", "--b\r\nContent-Length: 1\r\n\r\nx--b--\r\n"},
        {"a header without colon", "--b\r\nContent-Length: 1\r\nX-File-Path /a\r\n\r\nx\r\n--b--\r\n"},
        {"a folded header", "--b\r\nContent-Length: 1\r\nX-A: 1\r\n 2\r\n\r\nx\r\n--b--\r\n"},
        {"an empty header name", "--b\r\nContent-Length: 1\r\n: v\r\n\r\nx\r\n--b--\r\n"},
        {"a space in a header name", "--b\r\nContent-Length: 1\r\nX A: v\r\n\r\nx\r\n--b--\r\n"},
        {"a repeated header", "--b\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx\r\n--b--\r\n"},
        {"a NUL in a header", "--b\r\nContent-Length: 1\r\nX: a\0b\r\n\r\nx\r\n--b--\r\n"s},
        {"a lone CR in a header", "--b\r\nContent-Length: 1\r\nX: a\rb\r\n\r\nx\r\n--b--\r\n"},
    };
    for (const auto& [what, body] : cases)
        EXPECT_FALSE(readAll(body, "b")) << what;
}

TEST(MultipartReader, HeaderBlocksAreBounded)
{
    MultipartReader::Limits limits;
    limits.maxHeaderBytes = 256;
    limits.maxHeaders = 4;
    const std::string longValue = part("b", "x", "X-Long: " + std::string(300, 'v') + "\r\n") + "--b--\r\n";
    EXPECT_FALSE(readAll(longValue, "b", limits));
    std::string many;
    for (int i = 0; i < 5; ++i)
        many += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_FALSE(readAll(part("b", "x", many) + "--b--\r\n", "b", limits));
    EXPECT_TRUE(readAll(part("b", "x", "X-1: v\r\n") + "--b--\r\n", "b", limits));
}

TEST(MultipartReader, ASinkThatFailsStopsTheReader)
{
    std::istringstream in(part("b", "content") + "--b--\r\n");
    MultipartReader reader(in, "b");
    ASSERT_TRUE(reader.next().value());
    EXPECT_FALSE(reader.content(7, [](const char*, std::size_t) { return false; }));
    EXPECT_FALSE(reader.next()) << "a failed reader must stay failed";
}

TEST(MultipartReader, ContentMustBeReadBeforeTheNextPart)
{
    std::istringstream in(part("b", "content") + part("b", "more") + "--b--\r\n");
    MultipartReader reader(in, "b");
    ASSERT_TRUE(reader.next().value());
    EXPECT_FALSE(reader.next());
}

} // namespace
} // namespace nubo::server
