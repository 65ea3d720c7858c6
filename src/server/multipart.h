// A strict, streaming reader of the multipart/related bodies of Nextcloud's bulk upload
// (bulk_upload.h). Unlike a general MIME parser it does not search the content for the
// delimiter: every part declares its Content-Length, exactly that many bytes are its content,
// and the delimiter must follow right after them — the framing Nextcloud's
// MultipartRequestParser uses, which lets a part's content contain any bytes, the boundary
// included. Memory is bounded: header lines are capped, content is handed on in slices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nubo::server {

// The boundary of a `multipart/related; boundary=...` Content-Type (quoted or not; other
// parameters are ignored). An error message when the type is another one or the boundary is
// missing, empty, longer than 70 characters or holds a CR, LF or NUL.
std::expected<std::string, std::string> multipartRelatedBoundary(std::string_view contentType);

class MultipartReader {
public:
    struct Limits {
        std::size_t maxHeaderBytes = 16 * 1024; // one part's header block, CRLFs included
        std::size_t maxHeaders = 64;            // header lines of one part
    };
    // Header names in lowercase, values with surrounding spaces and tabs removed.
    using Headers = std::map<std::string, std::string>;
    // Receives content in slices; returns false to stop (the reader then reports an error).
    using Sink = std::function<bool(const char* data, std::size_t size)>;

    MultipartReader(std::istream& in, std::string boundary, Limits limits);
    MultipartReader(std::istream& in, std::string boundary) : MultipartReader(in, std::move(boundary), Limits{}) {}

    // Reads up to and including the headers of the next part. nullopt once the close delimiter
    // ("--boundary--") is reached; whatever follows it (the epilogue) is ignored. Before the
    // next call, the content of the part must have been read with content().
    // Errors: no delimiter where one must be (which is also what a content shorter or longer
    // than the Content-Length declared looks like), a malformed, duplicate, folded or
    // oversized header, a body that ends early.
    std::expected<std::optional<Headers>, std::string> next();

    // Passes exactly `length` bytes of the current part's content to `sink`.
    std::expected<void, std::string> content(std::uint64_t length, const Sink& sink);

private:
    enum class State { Start, Headers, Content, AfterContent, Done, Failed };

    std::expected<void, std::string> expect(std::string_view bytes, const std::string& what);
    std::expected<std::string, std::string> headerLine(std::size_t& budget);
    std::unexpected<std::string> fail(std::string message);

    std::istream& m_in;
    std::string m_boundary;
    Limits m_limits;
    State m_state = State::Start;
};

// A Content-Length value: decimal digits only, at most 2^53 (what a PHP server can count).
std::optional<std::uint64_t> parseContentLength(std::string_view value);

} // namespace nubo::server
