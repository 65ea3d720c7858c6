// Bulk upload: parse the whole multipart body into spooled part files first, then commit each
// part through the storage's PUT path. See bulk_upload.h for the wire format.
#include "bulk_upload.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <pugixml.hpp>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "multipart.h"
#include "server_util.h"

namespace nubo::server {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

namespace {

// A part read from the body, its content waiting in a file of the request's spool folder.
struct Part {
    std::string path; // X-File-Path as sent: the key of its result
    MultipartReader::Headers headers;
    fs::path file;
    Hashes hashes;   // of the content: MD5, and what its OC-Checksum names
};

// The request's spool folder under tmp/, and the part files in it; removes what was not
// committed. A folder per request: concurrent bulk uploads creating their files in tmp/ itself
// queued on that one folder's lock.
struct PartFiles {
    fs::path dir;
    std::vector<Part> parts;
    ~PartFiles()
    {
        std::error_code ignored;
        for (const auto& part : parts)
            fs::remove(part.file, ignored);
        if (!dir.empty())
            fs::remove(dir, ignored);
    }
};

std::string header(const MultipartReader::Headers& headers, const std::string& name)
{
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::string toLower(std::string text)
{
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The message of a SabreDAV-style error reply (davError), or its status when there is none.
std::string errorMessage(const Response& response)
{
    pugi::xml_document doc;
    if (doc.load_buffer(response.body.data(), response.body.size())) {
        for (const auto& node : doc.document_element().children()) {
            const std::string name = node.name();
            if (name == "s:message" || name.ends_with(":message") || name == "message") return node.text().as_string();
        }
    }
    return "HTTP status " + std::to_string(response.status);
}

std::string unquoted(std::string etag)
{
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
    return etag;
}

std::string responseHeader(const Response& response, std::string_view name)
{
    for (const auto& [key, value] : response.headers) {
        if (toLower(key) == toLower(std::string(name))) return value;
    }
    return {};
}

OrderedJson failure(std::string message)
{
    return OrderedJson{{"error", true}, {"message", std::move(message)}};
}

Response jsonReply(unsigned status, const OrderedJson& results, std::string error = {})
{
    // PHP's json_encode of an empty array is "[]"; a client must read that as no results.
    std::string body =
        results.empty() ? std::string("[]") : results.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    Response response = textResponse(status, std::move(body), "application/json; charset=utf-8");
    if (!error.empty()) response.set("X-Nubo-Error", error);
    return response;
}

// X-File-Path: "/dir/name" or "dir/name" below the user's root. Every segment must be a valid
// name, so ".." cannot leave the user's files.
std::expected<std::vector<std::string>, std::string> pathSegments(std::string_view path)
{
    if (path.starts_with('/')) path.remove_prefix(1);
    if (path.empty()) return std::unexpected(std::string("X-File-Path names the root folder, not a file"));
    std::vector<std::string> segments;
    for (;;) {
        const auto slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (!isValidName(segment))
            return std::unexpected("Invalid path: \"" + std::string(segment) + "\" is not a valid file or folder name");
        segments.emplace_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

} // namespace

BulkUpload::BulkUpload(fs::path tmpDir, BulkUploadHooks hooks) : m_tmp(std::move(tmpDir)), m_hooks(std::move(hooks)) {}

Response BulkUpload::handle(Request& request)
{
    if (request.user.empty()) return davError(401, "No valid credentials were sent");
    if (request.method != http::verb::post) {
        Response refused = davError(405, "Bulk upload takes POST only");
        refused.set("Allow", "POST");
        return refused;
    }
    const auto boundary = multipartRelatedBoundary(request.header("Content-Type"));
    if (!boundary) return jsonReply(400, OrderedJson::object(), boundary.error());

    std::unique_ptr<std::istream> body;
    if (request.bodyFile) {
        auto file = std::make_unique<std::ifstream>(*request.bodyFile, std::ios::binary);
        if (!*file) return davError(500, "Cannot read the uploaded data");
        body = std::move(file);
    } else {
        body = std::make_unique<std::istringstream>(request.body);
    }

    // Pass 1: the whole body is parsed, each part spooled, before anything is stored.
    PartFiles spooled;
    MultipartReader reader(*body, *boundary);
    for (;;) {
        auto next = reader.next();
        if (!next) return jsonReply(400, OrderedJson::object(), next.error());
        if (!*next) break;
        const auto& headers = **next;
        if (spooled.parts.size() >= kMaxParts)
            return jsonReply(400, OrderedJson::object(), "more than " + std::to_string(kMaxParts) + " parts");
        const auto lengthHeader = headers.find("content-length");
        if (lengthHeader == headers.end())
            return jsonReply(400, OrderedJson::object(), "a part has no Content-Length header");
        const auto length = parseContentLength(lengthHeader->second);
        if (!length) return jsonReply(400, OrderedJson::object(), "a part's Content-Length is not a number of bytes");
        const std::string path = header(headers, "x-file-path");
        if (path.empty()) return jsonReply(400, OrderedJson::object(), "a part has no X-File-Path header");
        if (header(headers, "x-file-md5").empty() && header(headers, "oc-checksum").empty())
            return jsonReply(400, OrderedJson::object(),
                             "the part for " + path + " has neither X-File-MD5 nor OC-Checksum");

        MultipartReader::Headers kept; // what storing the part needs, nothing more
        for (const char* name :
             {"x-file-mtime", "x-oc-mtime", "x-file-md5", "oc-checksum", "if-match", "if-none-match"}) {
            if (const auto it = headers.find(name); it != headers.end()) kept.insert(*it);
        }
        // The digests the commit verifies or stores, and MD5 for X-File-MD5.
        HashKinds kinds = hashKindsFor(header(kept, "oc-checksum"));
        kinds.md5 = true;
        if (spooled.dir.empty()) {
            const fs::path dir = m_tmp / ("bulk-" + randomHex(12));
            std::error_code ec;
            if (!fs::create_directory(dir, ec)) return davError(500, "Cannot store the uploaded data");
            spooled.dir = dir;
        }
        Part part{path, std::move(kept), spooled.dir / std::to_string(spooled.parts.size()), {}};
        std::FILE* out = std::fopen(part.file.c_str(), "wb");
        if (out == nullptr) return davError(500, "Cannot store the uploaded data");
        spooled.parts.push_back(part); // removed again unless committed
        ContentHasher hasher(kinds);
        bool written = true;
        auto copied = reader.content(*length, [&](const char* data, std::size_t size) {
            hasher.update(data, size);
            written = std::fwrite(data, 1, size, out) == size;
            return written;
        });
        const bool closed = std::fclose(out) == 0;
        if (!written || !closed) return davError(500, "Cannot store the uploaded data");
        if (!copied) return jsonReply(400, OrderedJson::object(), copied.error());
        auto hashes = hasher.finish();
        if (!hashes) return davError(500, "Cannot hash the uploaded data: " + hashes.error());
        spooled.parts.back().hashes = std::move(*hashes);
    }

    // Pass 2: each part is checked and turned into the PUT request of its path.
    struct Ready {
        Request put;
        DavPath destination;
        std::optional<std::int64_t> mtime;
    };
    std::vector<OrderedJson> outcomes(spooled.parts.size());
    std::vector<std::optional<Ready>> ready(spooled.parts.size());
    for (std::size_t i = 0; i < spooled.parts.size(); ++i) {
        const Part& part = spooled.parts[i];
        const auto prepare = [&]() -> std::expected<Ready, OrderedJson> {
            const auto segments = pathSegments(part.path);
            if (!segments) return std::unexpected(failure(segments.error()));
            Ready item{{}, DavPath{"/remote.php/dav/files/" + request.user, request.user, *segments}, {}};

            // Nextcloud prefers X-File-Mtime (what the desktop client sends) to X-OC-Mtime.
            const std::string mtimeHeader = !header(part.headers, "x-file-mtime").empty()
                                                ? header(part.headers, "x-file-mtime")
                                                : header(part.headers, "x-oc-mtime");
            if (!mtimeHeader.empty()) {
                item.mtime = parseMtime(mtimeHeader);
                if (!item.mtime)
                    return std::unexpected(failure("X-File-Mtime header must be an integer (unix timestamp)."));
            }

            if (const auto md5 = header(part.headers, "x-file-md5"); !md5.empty() && toLower(md5) != part.hashes.md5)
                return std::unexpected(failure("The computed checksum does not match the one received from the client."));
            const std::string checksum = header(part.headers, "oc-checksum");
            if (!checksum.empty()) {
                const std::string type = toLower(checksum.substr(0, checksum.find(':')));
                if (checksum.find(':') == std::string::npos || (type != "md5" && type != "sha1" && type != "sha256"))
                    return std::unexpected(
                        failure("Unsupported OC-Checksum \"" + checksum + "\": use MD5, SHA1 or SHA256"));
            }

            // The part as a PUT request: the outer request's identity and E2EE headers, the
            // part's own checksum and preconditions.
            Request& put = item.put;
            put.method = http::verb::put;
            put.methodName = "PUT";
            put.target = request.target;
            put.path = item.destination.base;
            for (const auto& segment : item.destination.segments)
                put.path += "/" + segment;
            put.query = request.query;
            put.user = request.user;
            put.requestId = request.requestId;
            put.secure = request.secure;
            for (const auto& field : request.headers) {
                const std::string name = toLower(std::string(field.name_string()));
                if (name != "content-type" && name != "content-length" && name != "if-match" &&
                    name != "if-none-match" && name != "oc-checksum" && name != "x-oc-mtime")
                    put.headers.insert(field.name_string(), field.value());
            }
            for (const auto* name : {"oc-checksum", "if-match", "if-none-match"}) {
                if (const auto value = header(part.headers, name); !value.empty()) put.headers.set(name, value);
            }
            return item;
        };
        auto item = prepare();
        if (item)
            ready[i] = std::move(*item);
        else
            outcomes[i] = std::move(item.error());
    }

    // Pass 3: the checked parts become blobs together (one flush for all, not two per file).
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < spooled.parts.size(); ++i)
        if (ready[i]) files.push_back(spooled.parts[i].file);
    auto blobs = m_hooks.adoptBlobs(files);

    // Pass 4: each is stored as a PUT of its path would be, in the order sent, in one
    // transaction (one per file cost more than the files' own writes).
    std::vector<BlobCommit> commits;
    std::vector<std::size_t> committing; // the part of each commit
    std::size_t next = 0;
    for (std::size_t i = 0; i < spooled.parts.size(); ++i) {
        if (!ready[i]) continue;
        auto& blob = blobs[next++];
        if (!blob) {
            outcomes[i] = failure(errorMessage(blob.error()));
            continue;
        }
        commits.push_back({&ready[i]->put, ready[i]->destination, *blob, ready[i]->mtime, spooled.parts[i].hashes});
        committing.push_back(i);
    }
    const std::vector<Response> committedAll = commits.empty() ? std::vector<Response>() : m_hooks.commitAll(commits);
    for (std::size_t k = 0; k < committing.size(); ++k) {
        const std::size_t i = committing[k];
        const Response& committed = committedAll[k];
        if (committed.status != 201 && committed.status != 204) {
            outcomes[i] = failure(errorMessage(committed));
            continue;
        }
        outcomes[i] = OrderedJson{{"error", false},
                                  {"etag", unquoted(responseHeader(committed, "OC-ETag"))},
                                  {"fileid", responseHeader(committed, "OC-FileId")},
                                  {"permissions", m_hooks.filePermissions}};
    }
    OrderedJson results = OrderedJson::object();
    for (std::size_t i = 0; i < spooled.parts.size(); ++i)
        results[spooled.parts[i].path] = std::move(outcomes[i]);
    return jsonReply(200, results);
}

} // namespace nubo::server
