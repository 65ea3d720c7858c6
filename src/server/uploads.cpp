// Chunked upload v2: sessions as folders under <data>/uploads, assembly into tmp/ and the
// storage's commit path. See uploads.h for the protocol and the on-disk layout.
#include "uploads.h"

#include "server_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <system_error>

#include "dav_xml.h"

namespace nubo::server {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUploadsRoot = "/remote.php/dav/uploads";
constexpr std::string_view kSessionFile = ".session";
constexpr std::string_view kAssembleTarget = ".file";



// A name for a temporary file in tmp/ (which is emptied at start-up).
std::string randomName(std::string_view prefix)
{
    static thread_local std::mt19937_64 generator {std::random_device {}()};
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(generator()));
    return std::string(prefix) + buffer;
}

struct FileStat {
    std::int64_t size = 0;
    std::int64_t mtime = 0;   // unix seconds
    std::int64_t mtimeNs = 0; // nanoseconds part
    bool isDir = false;
};

std::optional<FileStat> statOf(const fs::path& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return FileStat {static_cast<std::int64_t>(st.st_size), static_cast<std::int64_t>(st.st_mtim.tv_sec),
                     static_cast<std::int64_t>(st.st_mtim.tv_nsec), S_ISDIR(st.st_mode)};
}

std::string statEtag(const FileStat& st)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "\"%llx%09llx-%llx\"", static_cast<unsigned long long>(st.mtime),
                  static_cast<unsigned long long>(st.mtimeNs), static_cast<unsigned long long>(st.size));
    return buffer;
}

std::string canonicalChunkName(std::uint64_t number)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%05llu", static_cast<unsigned long long>(number));
    return buffer;
}

// OC-Total-Length: absent (nullopt inside), a non-negative integer, or malformed (error).
std::expected<std::optional<std::int64_t>, Response> totalLengthHeader(const Request& request)
{
    const std::string value(trimmed(request.header("OC-Total-Length")));
    if (value.empty())
        return std::optional<std::int64_t>();
    std::int64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec != std::errc() || end != value.data() + value.size() || length < 0)
        return std::unexpected(davError(400, "The OC-Total-Length header must be a non-negative integer"));
    return std::optional<std::int64_t>(length);
}

// The files URL in a Destination header, for the request's user.
DavResult<DavPath> parseDestination(std::string_view header, const std::string& user)
{
    const std::string value(trimmed(header));
    if (value.empty())
        return std::unexpected(DavError {400, "The Destination header is missing"});
    const auto path = urlPath(value);
    if (!path)
        return std::unexpected(DavError {400, "The Destination header is not a URL"});
    const auto decoded = percentDecode(*path);
    if (!decoded)
        return std::unexpected(DavError {400, "The Destination header is not correctly percent-encoded"});
    auto destination = parseDavPath(*decoded, user);
    if (!destination) {
        if (destination.error().status == 403 || destination.error().status == 400)
            return destination;
        return std::unexpected(DavError {400, "The Destination is not in this user's files"});
    }
    if (destination->segments.empty())
        return std::unexpected(DavError {403, "The destination cannot be the root folder"});
    return destination;
}

// Writes the chunks of an upload, in order, into the new file `target`, feeding `hasher` and
// counting `written`; false on any error (the caller removes `target`). The data goes in 1 MiB
// blocks that span the chunks' boundaries:
// - Whole blocks are written with O_DIRECT where the filesystem takes it. Through the page cache,
//   copying a gigabyte into new pages cost more CPU than anything else the server did for the
//   upload, and the fsync before the commit then wrote all of it again; direct writes go to the
//   disk once. Where O_DIRECT is refused (by fcntl or at the first write), the file is written
//   through the page cache, each block handed to the disk at once (sync_file_range).
// - The tail, not a whole number of 4 KiB sectors, goes through the page cache.
// - Each block is hashed on another thread while it is written: one after the other, the
//   digests and the write each took about half of the assembly.
bool assembleChunks(const fs::path& target, const std::vector<fs::path>& chunks, ContentHasher& hasher,
                    std::int64_t& written)
{
    constexpr std::size_t kBlock = 1 << 20;
    constexpr std::size_t kSector = 4096; // O_DIRECT's alignment on every common disk
    // O_DIRECT is asked for after the open: a filesystem without it may create the file and
    // still fail an open that asks for it, and O_EXCL would then refuse the second try.
    const int out = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0)
        return false;
    const int opened = ::fcntl(out, F_GETFL);
    bool direct = opened >= 0 && ::fcntl(out, F_SETFL, opened | O_DIRECT) == 0;
    const auto buffered = [&] {
        direct = false;
        const int current = ::fcntl(out, F_GETFL);
        return current >= 0 && ::fcntl(out, F_SETFL, current & ~O_DIRECT) == 0;
    };
    const std::unique_ptr<char, decltype(&std::free)> block(static_cast<char*>(std::aligned_alloc(kSector, kBlock)),
                                                            &std::free);
    bool ok = block != nullptr;
    std::size_t fill = 0;
    const auto flush = [&] {
        if (direct && fill % kSector != 0 && !buffered())
            return false;
        std::future<void> hashed;
        try {
            hashed = std::async(std::launch::async, [&hasher, &block, fill] { hasher.update(block.get(), fill); });
        } catch (const std::system_error&) {
            hasher.update(block.get(), fill); // no thread to spare
        }
        std::size_t done = writeAll(out, block.get(), fill);
        // O_DIRECT refused after all: the rest through the page cache.
        if (done < fill && errno == EINVAL && direct && buffered())
            done += writeAll(out, block.get() + done, fill - done);
        const bool wrote = done == fill;
        if (hashed.valid())
            hashed.get(); // before the block is filled again
        if (wrote && !direct)
            ::sync_file_range(out, written, static_cast<off_t>(fill), SYNC_FILE_RANGE_WRITE); // a hint
        written += static_cast<std::int64_t>(fill);
        fill = 0;
        return wrote;
    };
    for (std::size_t c = 0; ok && c < chunks.size(); ++c) {
        const int in = ::open(chunks[c].c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            ok = false;
            break;
        }
        for (;;) {
            const ssize_t got = ::read(in, block.get() + fill, kBlock - fill);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                ok = false;
            if (got <= 0)
                break;
            fill += static_cast<std::size_t>(got);
            if (fill == kBlock && !flush()) {
                ok = false;
                break;
            }
        }
        ::close(in);
    }
    if (ok && fill > 0)
        ok = flush();
    return ::close(out) == 0 && ok;
}

// Removes the file at `path` when it goes out of scope, unless released.
struct FileGuard {
    fs::path path;
    ~FileGuard()
    {
        if (!path.empty()) {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    }
};

// Properties served for the upload tree: the few a client uses to resume.
const std::vector<QName>& uploadProperties()
{
    static const std::vector<QName> all = {
        {std::string(kNsDav), "resourcetype"},  {std::string(kNsDav), "getlastmodified"},
        {std::string(kNsDav), "getcontentlength"}, {std::string(kNsDav), "getcontenttype"},
        {std::string(kNsDav), "getetag"},       {std::string(kNsDav), "displayname"},
        {std::string(kNsOc), "size"},
    };
    return all;
}

struct Entry {
    std::string name; // displayname ("" for none)
    bool isDir = false;
    FileStat stat;
};

std::optional<std::string> uploadPropertyValue(const QName& name, const Entry& entry)
{
    if (name.ns == kNsDav) {
        if (name.local == "resourcetype")
            return entry.isDir ? "<d:collection/>" : "";
        if (name.local == "getlastmodified")
            return httpDate(entry.stat.mtime);
        if (name.local == "getetag")
            return xmlEscape(statEtag(entry.stat));
        if (name.local == "getcontentlength" && !entry.isDir)
            return std::to_string(entry.stat.size);
        if (name.local == "getcontenttype" && !entry.isDir)
            return "application/octet-stream";
        if (name.local == "displayname" && !entry.name.empty())
            return xmlEscape(entry.name);
        return std::nullopt;
    }
    if (name.ns == kNsOc && name.local == "size")
        return std::to_string(entry.stat.size);
    return std::nullopt;
}

} // namespace

Uploads::Uploads(fs::path uploadsDir, fs::path tmpDir, UploadHooks hooks, std::chrono::seconds maxIdle)
    : m_dir(std::move(uploadsDir))
    , m_tmp(std::move(tmpDir))
    , m_hooks(std::move(hooks))
{
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec || !fs::is_directory(m_dir))
        throw std::runtime_error("cannot use the uploads folder " + m_dir.string() + ": "
                                 + (ec ? ec.message() : std::string("not a folder")));
    removeExpired(maxIdle);
}

void Uploads::removeExpired(std::chrono::seconds maxIdle)
{
    const std::lock_guard lock(m_mutex);
    const auto oldest = nowSeconds() - maxIdle.count();
    std::error_code ec;
    for (const auto& userEntry : fs::directory_iterator(m_dir, ec)) {
        const auto userDir = userEntry.path();
        if (!userEntry.is_directory(ec)) {
            fs::remove_all(userDir, ec);
            continue;
        }
        bool any = false;
        for (const auto& sessionEntry : fs::directory_iterator(userDir, ec)) {
            const auto dir = sessionEntry.path();
            // A session's folder changes with every chunk that arrives: its mtime is the
            // last activity.
            const auto st = statOf(dir);
            if (!st || !st->isDir || !readSession(dir) || st->mtime < oldest) {
                fs::remove_all(dir, ec);
                continue;
            }
            any = true;
        }
        if (!any)
            fs::remove(userDir, ec);
    }
}

std::optional<std::uint64_t> Uploads::chunkNumber(std::string_view name)
{
    if (name.empty() || name.size() > 20 || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
    if (ec != std::errc() || end != name.data() + name.size())
        return std::nullopt;
    return value;
}

std::vector<std::string> Uploads::ifHeaderEtags(std::string_view header)
{
    // If = 1*( [ "<" url ">" ] "(" 1*( ["Not"] ( "<" state-token ">" / "[" entity-tag "]" ) ) ")" )
    std::vector<std::string> etags;
    bool negated = false;
    for (std::size_t i = 0; i < header.size();) {
        const char c = header[i];
        if (c == '<') { // a resource URL or a state token: skipped
            const auto end = header.find('>', i);
            if (end == std::string_view::npos)
                break;
            i = end + 1;
            negated = false;
        } else if (c == '[') {
            const auto end = header.find(']', i);
            if (end == std::string_view::npos)
                break;
            if (!negated)
                etags.emplace_back(trimmed(header.substr(i + 1, end - i - 1)));
            i = end + 1;
            negated = false;
        } else if (header.substr(i, 3) == "Not" || header.substr(i, 3) == "not") {
            negated = true;
            i += 3;
        } else {
            ++i;
        }
    }
    return etags;
}

DavResult<Uploads::Target> Uploads::parse(std::string_view path, const std::string& requestUser) const
{
    const auto at = path.find(kUploadsRoot);
    if (at == std::string_view::npos)
        return std::unexpected(DavError {404, "Not an uploads path"});
    Target target;
    target.base = std::string(path.substr(0, at + kUploadsRoot.size()));
    std::string_view rest = path.substr(at + kUploadsRoot.size());
    if (!rest.empty() && rest.front() != '/')
        return std::unexpected(DavError {404, "Not an uploads path"});
    if (!rest.empty())
        rest.remove_prefix(1);
    if (rest.ends_with('/'))
        rest.remove_suffix(1);
    std::vector<std::string> segments;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (!isValidName(segment))
            return std::unexpected(DavError {400, "Invalid path segment"});
        segments.emplace_back(segment);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (slash != std::string_view::npos && rest.empty())
            return std::unexpected(DavError {400, "Empty path segment"});
    }
    if (segments.empty())
        return std::unexpected(DavError {404, "No user in the path"});
    if (segments.size() > 3)
        return std::unexpected(DavError {404, "No such item in the uploads folder"});
    if (segments[0] != requestUser)
        return std::unexpected(DavError {403, "Access to another user's uploads is not allowed"});
    target.user = segments[0];
    if (segments.size() > 1)
        target.transfer = segments[1];
    if (segments.size() > 2)
        target.item = segments[2];
    return target;
}

fs::path Uploads::sessionDir(const Target& target) const
{
    return m_dir / target.user / target.transfer;
}

std::optional<Uploads::Session> Uploads::readSession(const fs::path& dir) const
{
    std::ifstream in(dir / kSessionFile, std::ios::binary);
    if (!in)
        return std::nullopt;
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return std::nullopt;
    Session session;
    try {
        session.destination = json.value("destination", std::string());
        if (const auto it = json.find("totalLength"); it != json.end() && it->is_number_integer())
            session.totalLength = it->get<std::int64_t>();
        session.created = json.value("created", std::int64_t {0});
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return session;
}

std::vector<Uploads::Chunk> Uploads::chunks(const fs::path& dir) const
{
    std::vector<Chunk> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const auto number = chunkNumber(name);
        if (!number || name != canonicalChunkName(*number))
            continue;
        const auto st = statOf(entry.path());
        if (!st || st->isDir)
            continue;
        out.push_back(Chunk {*number, entry.path(), st->size});
    }
    std::sort(out.begin(), out.end(), [](const Chunk& a, const Chunk& b) { return a.number < b.number; });
    return out;
}

bool Uploads::busy(const Target& target) const
{
    return m_busy.contains({target.user, target.transfer});
}

Response Uploads::handle(Request& request)
{
    if (request.user.empty())
        return davError(401, "No valid credentials were sent");
    const auto target = parse(request.path, request.user);
    if (!target)
        return davError(target.error());
    switch (request.method) {
    case http::verb::mkcol:
        return mkcol(request, *target);
    case http::verb::put:
        return put(request, *target);
    case http::verb::propfind:
        return propfind(request, *target);
    case http::verb::move:
        return move(request, *target);
    case http::verb::delete_:
        return remove(request, *target);
    case http::verb::get:
    case http::verb::head:
        return davError(405, "Reading intermediate uploads is not allowed");
    case http::verb::options: {
        Response response;
        response.set("DAV", "1, 3");
        response.set("Allow", "OPTIONS, PROPFIND, PUT, MKCOL, MOVE, DELETE");
        return response;
    }
    default:
        return davError(501, "Method " + request.methodName + " is not implemented");
    }
}

Response Uploads::mkcol(Request& request, const Target& target)
{
    if (!request.body.empty())
        return davError(415, "MKCOL with a request body is not supported");
    if (target.transfer.empty())
        return davError(405, "The resource you tried to create already exists");
    if (!target.item.empty())
        return davError(405, "Folders cannot be created inside an upload");

    const auto total = totalLengthHeader(request);
    if (!total)
        return total.error();
    std::optional<DavPath> destination;
    const std::string destinationHeader(trimmed(request.header("Destination")));
    if (!destinationHeader.empty()) {
        auto parsed = parseDestination(destinationHeader, request.user);
        if (!parsed)
            return davError(parsed.error());
        destination = std::move(*parsed);
    }
    if (*total) {
        if (const auto free = m_hooks.freeBytes(target.user, destination); free && **total > *free)
            return davError(507, "Insufficient space in the user's quota");
    }

    // Build the session in tmp/, then rename it into place: complete or absent after a crash.
    const fs::path staging = m_tmp / randomName("session-");
    FileGuard stagingGuard {staging};
    std::error_code ec;
    fs::create_directory(staging, ec);
    if (ec)
        return davError(500, "Cannot create the upload: " + ec.message());
    {
        nlohmann::json json = {{"destination", destinationHeader}, {"created", nowSeconds()}};
        json["totalLength"] = *total ? nlohmann::json(**total) : nlohmann::json(nullptr);
        std::ofstream out(staging / kSessionFile, std::ios::binary);
        out << json.dump();
        out.close();
        if (!out)
            return davError(500, "Cannot create the upload");
    }
    if (!syncPath(staging / kSessionFile, false) || !syncPath(staging, true))
        return davError(500, "Cannot flush the upload");

    const fs::path dir = sessionDir(target);
    {
        const std::lock_guard lock(m_mutex);
        if (fs::exists(dir, ec))
            return davError(405, "The resource you tried to create already exists");
        fs::create_directories(dir.parent_path(), ec);
        if (!ec)
            fs::rename(staging, dir, ec);
        if (ec)
            return davError(500, "Cannot create the upload: " + ec.message());
        stagingGuard.path.clear();
    }
    syncPath(dir.parent_path(), true);
    Response response;
    response.status = 201;
    return response;
}

Response Uploads::put(Request& request, const Target& target)
{
    if (target.transfer.empty() || target.item.empty())
        return davError(405, "PUT is only allowed on chunks of an upload");
    const auto number = chunkNumber(target.item);
    if (!number)
        return davError(400, "Invalid chunk name, must be a decimal number (1..10000, or a byte offset)");
    const auto totalHeader = totalLengthHeader(request);
    if (!totalHeader)
        return totalHeader.error();

    const fs::path dir = sessionDir(target);
    const fs::path chunkFile = dir / canonicalChunkName(*number);
    std::optional<Session> session;
    std::int64_t otherChunks = 0; // bytes already in the session, but for this chunk
    {
        const std::lock_guard lock(m_mutex);
        session = readSession(dir);
        if (!session)
            return davError(404, "The upload does not exist; create it with MKCOL first");
        for (const auto& chunk : chunks(dir)) {
            if (chunk.number != *number)
                otherChunks += chunk.size;
        }
    }

    // The body: the spooled file, or (when the HTTP layer kept it in memory) a file in tmp/.
    FileGuard written;
    fs::path body;
    std::error_code ec;
    if (request.bodyFile && fs::exists(*request.bodyFile, ec)) {
        body = *request.bodyFile;
    } else {
        body = written.path = m_tmp / randomName("chunk-");
        std::ofstream out(body, std::ios::binary);
        out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        out.close();
        if (!out)
            return davError(500, "Cannot store the chunk");
    }
    const auto bodySize = static_cast<std::int64_t>(fs::file_size(body, ec));
    if (ec)
        return davError(500, "Cannot read the uploaded chunk");
    if (const auto length = request.header("Content-Length"); !length.empty() && length != std::to_string(bodySize))
        return davError(400, "Expected " + length + " bytes but received " + std::to_string(bodySize));

    std::optional<DavPath> destination;
    if (auto parsed = parseDestination(session->destination, target.user))
        destination = std::move(*parsed);
    if (const auto free = m_hooks.freeBytes(target.user, destination)) {
        const auto total = totalHeader->has_value() ? *totalHeader : session->totalLength;
        if ((total && *total > *free) || otherChunks + bodySize > *free)
            return davError(507, "Insufficient space in the user's quota");
    }
    if (!syncPath(body, false))
        return davError(500, "Cannot flush the uploaded chunk");

    {
        const std::lock_guard lock(m_mutex);
        if (!readSession(dir))
            return davError(404, "The upload does not exist any more");
        if (busy(target))
            return davError(423, "The upload is being assembled");
        fs::rename(body, chunkFile, ec);
        if (ec)
            return davError(500, "Cannot store the chunk: " + ec.message());
    }
    if (body == written.path)
        written.path.clear();
    else
        request.bodyFile.reset();
    syncPath(dir, true);

    Response response;
    response.status = 201;
    if (const auto st = statOf(chunkFile))
        response.set("ETag", statEtag(*st));
    return response;
}

Response Uploads::propfind(Request& request, const Target& target)
{
    const auto what = parsePropfind(request.body);
    if (!what)
        return davError(400, what.error());
    const std::string depth = toLower(trimmed(request.header("Depth")));
    if (!depth.empty() && depth != "0" && depth != "1" && depth != "infinity")
        return davError(400, "Invalid Depth header");
    const bool withChildren = depth != "0"; // 1 and infinity (served as 1)

    struct Listed {
        std::vector<std::string> segments;
        Entry entry;
    };
    std::vector<Listed> listed;
    {
        const std::lock_guard lock(m_mutex);
        const fs::path userDir = m_dir / target.user;
        if (target.transfer.empty()) {
            FileStat st;
            st.isDir = true;
            st.mtime = nowSeconds();
            if (const auto real = statOf(userDir))
                st = *real;
            listed.push_back({{target.user}, Entry {target.user, true, st}});
            std::error_code ec;
            if (withChildren && fs::is_directory(userDir, ec)) {
                std::vector<Listed> sessions;
                for (const auto& entry : fs::directory_iterator(userDir, ec)) {
                    const std::string name = entry.path().filename().string();
                    const auto sessionStat = statOf(entry.path());
                    if (!sessionStat || !sessionStat->isDir || !readSession(entry.path()))
                        continue;
                    sessions.push_back({{target.user, name}, Entry {name, true, *sessionStat}});
                }
                std::sort(sessions.begin(), sessions.end(),
                          [](const Listed& a, const Listed& b) { return a.entry.name < b.entry.name; });
                listed.insert(listed.end(), sessions.begin(), sessions.end());
            }
        } else {
            const fs::path dir = sessionDir(target);
            const auto sessionStat = statOf(dir);
            if (!sessionStat || !readSession(dir))
                return davError(404, "The upload does not exist");
            const auto all = chunks(dir);
            if (target.item.empty()) {
                Entry session {target.transfer, true, *sessionStat};
                session.stat.size = 0;
                for (const auto& chunk : all)
                    session.stat.size += chunk.size;
                listed.push_back({{target.user, target.transfer}, session});
                if (withChildren) {
                    for (const auto& chunk : all) {
                        const std::string name = chunk.file.filename().string();
                        if (const auto st = statOf(chunk.file))
                            listed.push_back({{target.user, target.transfer, name}, Entry {name, false, *st}});
                    }
                }
            } else {
                const auto number = chunkNumber(target.item);
                const auto it = std::find_if(all.begin(), all.end(), [&](const Chunk& c) { return number && c.number == *number; });
                const auto st = it == all.end() ? std::nullopt : statOf(it->file);
                if (!st)
                    return davError(404, "No such chunk in the upload");
                listed.push_back({{target.user, target.transfer, target.item}, Entry {target.item, false, *st}});
            }
        }
    }

    MultiStatusWriter writer;
    DavPath where;
    where.base = target.base;
    for (const auto& [segments, entry] : listed) {
        std::vector<PropValue> found;
        std::vector<QName> missing;
        const auto& names = what->kind == PropfindRequest::Kind::Prop ? what->props : uploadProperties();
        for (const auto& name : names) {
            auto value = uploadPropertyValue(name, entry);
            if (value)
                found.emplace_back(name, what->kind == PropfindRequest::Kind::PropName ? std::string() : std::move(*value));
            else if (what->kind == PropfindRequest::Kind::Prop)
                missing.push_back(name);
        }
        writer.addResponse(makeHref(where, segments, entry.isDir), found, missing);
    }
    return textResponse(207, writer.finish(), "application/xml; charset=utf-8");
}

Response Uploads::move(Request& request, const Target& target)
{
    if (target.transfer.empty() || target.item != kAssembleTarget)
        return davError(403, "Only " + std::string(kAssembleTarget) + " of an upload can be moved");
    const auto destination = parseDestination(request.header("Destination"), request.user);
    if (!destination)
        return davError(destination.error());
    std::optional<std::int64_t> mtime;
    if (const auto header = request.header("X-OC-Mtime"); !header.empty()) {
        mtime = parseMtime(header);
        if (!mtime)
            return davError(400, "X-OC-Mtime header must be an integer (unix timestamp).");
    }
    const auto totalHeader = totalLengthHeader(request);
    if (!totalHeader)
        return totalHeader.error();
    // The desktop client states the version it replaces in a WebDAV If header; the commit path
    // evaluates If-Match, so an If header's entity tags become one.
    if (request.header("If-Match").empty()) {
        if (const auto etags = ifHeaderEtags(request.header("If")); !etags.empty()) {
            std::string list;
            for (const auto& etag : etags)
                list += (list.empty() ? "" : ", ") + etag;
            request.headers.set("If-Match", list);
        }
    }

    // Claim the session: no chunk may arrive or vanish while it is being assembled.
    const fs::path dir = sessionDir(target);
    std::optional<Session> session;
    std::vector<Chunk> parts;
    {
        const std::lock_guard lock(m_mutex);
        session = readSession(dir);
        if (!session)
            return davError(404, "The upload does not exist");
        if (busy(target))
            return davError(423, "The upload is already being assembled");
        m_busy.insert({target.user, target.transfer});
        parts = chunks(dir);
    }
    struct Release {
        Uploads& self;
        const Target& target;
        ~Release()
        {
            const std::lock_guard lock(self.m_mutex);
            self.m_busy.erase({target.user, target.transfer});
        }
    } release {*this, target};

    const std::optional<std::int64_t> expected = totalHeader->has_value() ? *totalHeader : session->totalLength;
    std::int64_t sum = 0;
    for (const auto& chunk : parts)
        sum += chunk.size;
    const auto lengthMismatch = [&](std::int64_t got) {
        return davError(400, "Chunks on server do not sum up to " + std::to_string(*expected) + " but to "
                                 + std::to_string(got) + " bytes");
    };
    if (expected && sum != *expected)
        return lengthMismatch(sum);
    // Refuse early what the commit would refuse anyway (parent, precondition, E2EE, quota),
    // before spending the time to assemble; the commit checks again under the storage lock.
    if (auto refusal = m_hooks.checkWrite(request, *destination, sum))
        return std::move(*refusal);

    // Assemble into tmp/ with constant memory, without holding any lock.
    const fs::path part = m_tmp / randomName("assemble-");
    FileGuard partGuard {part};
    std::int64_t assembled = 0;
    // The digests the commit verifies or stores, taken as the bytes go by: reading a large file
    // again for them took longer than the assembly itself.
    ContentHasher hasher(hashKindsFor(trimmed(request.header("OC-Checksum"))));
    std::vector<fs::path> files;
    for (const auto& chunk : parts)
        files.push_back(chunk.file);
    if (!assembleChunks(part, files, hasher, assembled))
        return davError(500, "Cannot assemble the upload");
    if (expected && assembled != *expected)
        return lengthMismatch(assembled);
    const auto hashes = hasher.finish();
    if (!hashes)
        return davError(500, "Cannot assemble the upload: " + hashes.error());

    const auto blobId = m_hooks.adoptBlob(part);
    if (!blobId)
        return blobId.error();
    partGuard.path.clear();
    auto response = m_hooks.commit(request, *destination, *blobId, mtime, &*hashes);
    if (response.status == 201 || response.status == 204) {
        const std::lock_guard lock(m_mutex);
        // The chunks are deleted after the reply: unlinking a gigabyte of them took half a second.
        // The session leaves the uploads folder at once; what a stop interrupts, tmp/ loses at
        // the next start.
        std::error_code ec;
        const fs::path done = m_tmp / randomName("done-");
        fs::rename(dir, done, ec);
        if (ec)
            fs::remove_all(dir, ec);
        else
            m_remover.removeAll(done);
        fs::remove(dir.parent_path(), ec); // the user's uploads folder, when now empty
    }
    return response;
}

Response Uploads::remove(Request& request, const Target& target)
{
    (void)request;
    if (target.transfer.empty())
        return davError(403, "The uploads folder cannot be deleted");
    if (target.item == kAssembleTarget)
        return davError(404, "No such chunk in the upload");
    const fs::path dir = sessionDir(target);
    const std::lock_guard lock(m_mutex);
    if (!readSession(dir))
        return davError(404, "The upload does not exist");
    if (busy(target))
        return davError(423, "The upload is being assembled");
    std::error_code ec;
    if (target.item.empty()) {
        fs::remove_all(dir, ec);
        if (ec)
            return davError(500, "Cannot remove the upload: " + ec.message());
        fs::remove(dir.parent_path(), ec); // the user's uploads folder, when now empty
    } else {
        const auto number = chunkNumber(target.item);
        if (!number || !fs::remove(dir / canonicalChunkName(*number), ec))
            return davError(404, "No such chunk in the upload");
    }
    Response response;
    response.status = 204;
    return response;
}

} // namespace nubo::server
