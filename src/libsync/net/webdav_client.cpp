#include "webdav_client.h"

#include "encoding.h"
#include "item_name.h"

#include <QDateTime>
#include <QFile>
#include <QIODevice>
#include <QTimer>
#include <QUuid>
#include <QXmlStreamReader>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace nubo::sync {

namespace {

const QString kDav = QStringLiteral("DAV:");
const QString kOc = QStringLiteral("http://owncloud.org/ns");
const QString kNc = QStringLiteral("http://nextcloud.org/ns");

const QByteArray kPropfindBody = R"(<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
  <d:prop>
    <d:resourcetype/><d:getlastmodified/><d:getcontentlength/><d:getetag/>
    <oc:fileid/><oc:permissions/><oc:size/><oc:checksums/><nc:is-encrypted/>
  </d:prop>
</d:propfind>
)";

// The assembly of a large chunked upload happens inside the final MOVE, which stays silent
// meanwhile: give it more than the usual idle time.
constexpr int kMoveTimeoutFactor = 10;
constexpr int kMaxChunks = 10000;
// Adapted chunk sizes stay within what the official client allows (chunkV2MinChunkSize and
// chunkV2MaxChunkSize: Nextcloud may keep chunks as S3 multipart parts, 5 MB to 5 GB except the
// last); a caller that asks for smaller chunks than 5 MB (tests) gets its size as the minimum.
constexpr std::int64_t kMinAdaptedChunk = 5'000'000;
constexpr std::int64_t kMaxAdaptedChunk = 5'000'000'000;
constexpr int kMaxParallelChunks = 8;

std::string trimSlashes(std::string path)
{
    while (!path.empty() && path.front() == '/')
        path.erase(0, 1);
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    return path;
}

// Every segment percent-encoded (spaces, '#', '%', '?', non-ASCII...), joined by '/'.
QByteArray encodePath(const std::string& path)
{
    QByteArray out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        if (slash > start) {
            if (!out.isEmpty()) out += '/';
            out += QUrl::toPercentEncoding(QString::fromStdString(path.substr(start, slash - start)));
        }
        start = slash + 1;
    }
    return out;
}

QUrl appendEncoded(QUrl base, const QByteArray& encoded)
{
    QString path = base.path(QUrl::FullyEncoded);
    while (path.endsWith('/'))
        path.chop(1);
    if (!encoded.isEmpty()) path += '/' + QString::fromLatin1(encoded);
    base.setPath(path, QUrl::StrictMode);
    return base;
}

// The path of a URL as segments, each percent-decoded on its own ("a%2Fb" stays one segment "a/b").
// A trailing slash (a folder's href) adds no segment; a doubled one does.
std::vector<std::string> decodedSegments(const QUrl& url)
{
    const QByteArray encoded = url.path(QUrl::FullyEncoded).toUtf8();
    QList<QByteArray> parts = encoded.split('/');
    if (!parts.isEmpty() && parts.front().isEmpty()) parts.removeFirst(); // the leading '/'
    if (!parts.isEmpty() && parts.back().isEmpty()) parts.removeLast();   // one trailing '/'
    std::vector<std::string> segments;
    segments.reserve(static_cast<std::size_t>(parts.size()));
    for (const QByteArray& part : parts)
        segments.push_back(QByteArray::fromPercentEncoding(part).toStdString());
    return segments;
}

std::string decodedPath(const QUrl& url)
{
    std::string path = url.path(QUrl::FullyDecoded).toStdString();
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

std::string unquoteEtag(QByteArray etag)
{
    etag = etag.trimmed();
    if (etag.startsWith("W/")) etag.remove(0, 2);
    if (etag.size() >= 2 && etag.startsWith('"') && etag.endsWith('"')) etag = etag.mid(1, etag.size() - 2);
    return etag.toStdString();
}

// OC-FileId is oc:id: the numeric file id zero-padded, followed by the instance id.
std::string fileIdFromOcId(const QByteArray& ocId)
{
    qsizetype end = 0;
    while (end < ocId.size() && ocId[end] >= '0' && ocId[end] <= '9')
        ++end;
    QByteArray digits = ocId.left(end);
    while (digits.size() > 1 && digits.startsWith('0'))
        digits.remove(0, 1);
    return digits.toStdString();
}

std::int64_t parseHttpDate(const QString& text)
{
    // An HTTP date is an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110): RFC 2822's form
    // with GMT for +0000, so it is read as that, in UTC. A parse through the local time zone
    // (QLocale::toDateTime) cost 40 us per item listed, with a stat of /etc/localtime each time.
    QString date = text.trimmed();
    if (date.endsWith(QLatin1String(" GMT")))
        date.replace(date.size() - 3, 3, QStringLiteral("+0000"));
    const QDateTime time = QDateTime::fromString(date, Qt::RFC2822Date);
    return time.isValid() ? time.toSecsSinceEpoch() : 0;
}

std::string lastSegment(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A window [offset, offset + length) of a request body as a QIODevice, produced in small blocks
// and paced by the upload limiter: the body of a PUT or of one chunk, in constant memory. Not
// sequential, so QNAM can rewind it when it has to resend. Subclasses say what the bytes are.
class PacedWindowDevice : public QIODevice {
public:
    PacedWindowDevice(const std::filesystem::path& file, qint64 offset, qint64 length, BandwidthLimiter* limiter)
        : m_file(QString::fromStdString(file.string())), m_offset(offset), m_length(length), m_limiter(limiter)
    {
    }

    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }
    bool atEnd() const override { return pos() >= m_length; }

protected:
    // Up to `want` (> 0) bytes of the window from pos() on; -1 with an error string on failure.
    virtual qint64 readWindow(char* data, qint64 want) = 0;

    Result<void> openFile()
    {
        if (!m_file.open(QIODevice::ReadOnly)) {
            return fail(SyncErrorCode::LocalIo,
                        "cannot read " + m_file.fileName().toStdString() + ": " + m_file.errorString().toStdString());
        }
        return {};
    }

    qint64 readData(char* data, qint64 maxSize) override
    {
        const qint64 remaining = m_length - pos();
        if (remaining <= 0) return 0;
        qint64 want = std::min(maxSize, remaining);
        if (m_limiter && !m_limiter->unlimited()) {
            if (const auto wait = m_limiter->waitTime(); wait.count() > 0) {
                // Nothing now; QNAM waits for readyRead, which comes when the bucket has refilled.
                if (!m_wakeScheduled) {
                    m_wakeScheduled = true;
                    QTimer::singleShot(wait, this, [this] {
                        m_wakeScheduled = false;
                        emit readyRead();
                    });
                }
                return 0;
            }
            want = std::min<qint64>(want, m_limiter->blockSize(want));
        }
        const qint64 got = readWindow(data, want);
        if (got > 0 && m_limiter) m_limiter->consume(got);
        return got;
    }
    qint64 writeData(const char*, qint64) override { return -1; }

    QFile m_file;
    qint64 m_offset;
    qint64 m_length;

private:
    BandwidthLimiter* m_limiter;
    bool m_wakeScheduled = false;
};

// The window's bytes are the file's own.
class FileWindowDevice final : public PacedWindowDevice {
public:
    using PacedWindowDevice::PacedWindowDevice;

    Result<void> openWindow()
    {
        if (auto opened = openFile(); !opened) return opened;
        if (!m_file.seek(m_offset)) {
            return fail(SyncErrorCode::LocalIo,
                        "cannot read " + m_file.fileName().toStdString() + ": " + m_file.errorString().toStdString());
        }
        QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        return {};
    }

    bool seek(qint64 position) override
    {
        if (position < 0 || position > m_length) return false;
        return QIODevice::seek(position) && m_file.seek(m_offset + position);
    }

protected:
    qint64 readWindow(char* data, qint64 want) override
    {
        const qint64 got = m_file.read(data, want);
        if (got < 0) {
            setErrorString(m_file.errorString());
            return -1;
        }
        if (got == 0) {
            setErrorString(QStringLiteral("the file became shorter while it was being uploaded"));
            return -1;
        }
        return got;
    }
};

// The window's bytes are what an encoded upload sends: the file's bytes through an EncodingPass,
// then the pass's trailer. The pass given is positioned at the window's first plaintext byte; a
// copy of it is kept so the window can start over (QNAM rewinds a body it has to send again).
class EncodedWindowDevice final : public PacedWindowDevice {
public:
    EncodedWindowDevice(const std::filesystem::path& file, qint64 offset, qint64 length, qint64 plainSize,
                        std::unique_ptr<EncodingPass> start, BandwidthLimiter* limiter)
        : PacedWindowDevice(file, offset, length, limiter), m_plainSize(plainSize), m_start(std::move(start))
    {
    }

    Result<void> openWindow()
    {
        if (auto opened = openFile(); !opened) return opened;
        if (auto reset = restart(); !reset) return reset;
        QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        return {};
    }

    // The pass after the window's last plaintext byte, once the window was read to its end.
    std::unique_ptr<EncodingPass> takePass() { return std::move(m_pass); }

    bool seek(qint64 position) override
    {
        if (position < 0 || position > m_length || !restart()) return false;
        // Forward from the start again: the cipher state depends on every byte before.
        std::vector<char> skip(std::min<qint64>(position, 1 << 20));
        for (qint64 done = 0; done < position;) {
            const qint64 got = encode(skip.data(), std::min<qint64>(position - done, qint64(skip.size())), done);
            if (got <= 0) return false;
            done += got;
        }
        return QIODevice::seek(position);
    }

protected:
    qint64 readWindow(char* data, qint64 want) override { return encode(data, want, pos()); }

private:
    Result<void> restart()
    {
        auto pass = m_start->copy();
        if (!pass) return std::unexpected(pass.error());
        m_pass = std::move(*pass);
        m_trailer.reset();
        if (!m_file.seek(std::min(m_offset, m_plainSize))) {
            return fail(SyncErrorCode::LocalIo, "cannot read " + m_file.fileName().toStdString());
        }
        return {};
    }
    // Up to `want` bytes of the window from `at` (relative) on, which must follow the last ones.
    qint64 encode(char* data, qint64 want, qint64 at)
    {
        const qint64 absolute = m_offset + at;
        if (absolute < m_plainSize) {
            want = std::min(want, m_plainSize - absolute);
            const qint64 got = m_file.read(data, want);
            if (got <= 0) {
                setErrorString(got < 0 ? m_file.errorString()
                                       : QStringLiteral("the file became shorter while it was being uploaded"));
                return -1;
            }
            if (auto encoded = m_pass->update(data, got); !encoded) {
                setErrorString(QString::fromStdString(encoded.error().message));
                return -1;
            }
            return got;
        }
        if (!m_trailer) {
            auto last = m_pass->copy(); // the window's pass stays usable for a rewind
            auto trailer = last ? (*last)->finish() : Result<std::string>(std::unexpected(last.error()));
            if (!trailer) {
                setErrorString(QString::fromStdString(trailer.error().message));
                return -1;
            }
            m_trailer = std::move(*trailer);
        }
        const qint64 into = absolute - m_plainSize;
        const qint64 n = std::min<qint64>(want, qint64(m_trailer->size()) - into);
        if (n <= 0) return -1;
        std::memcpy(data, m_trailer->data() + into, static_cast<std::size_t>(n));
        return n;
    }

    qint64 m_plainSize;
    std::unique_ptr<EncodingPass> m_start;
    std::unique_ptr<EncodingPass> m_pass;
    std::optional<std::string> m_trailer;
};

// Runs the file's bytes [from, to) through `pass` without sending them (chunks already on the
// server from an earlier attempt: the cipher state must still cover them).
Result<void> advancePass(const std::filesystem::path& file, qint64 from, qint64 to, EncodingPass& pass)
{
    if (from >= to) return {};
    QFile in(QString::fromStdString(file.string()));
    if (!in.open(QIODevice::ReadOnly) || !in.seek(from)) {
        return fail(SyncErrorCode::LocalIo, "cannot read " + file.string() + ": " + in.errorString().toStdString());
    }
    std::vector<char> buffer(1 << 20);
    for (qint64 done = from; done < to;) {
        const qint64 got = in.read(buffer.data(), std::min<qint64>(to - done, qint64(buffer.size())));
        if (got <= 0) return fail(SyncErrorCode::FileChanged, file.string() + " became shorter while it was uploaded");
        if (auto encoded = pass.update(buffer.data(), got); !encoded) return encoded;
        done += got;
    }
    return {};
}

// The options with their checksum, computed now by checksumLater when it is still missing.
Result<UploadOptions> withChecksum(const UploadOptions& options)
{
    UploadOptions ready = options;
    if (ready.checksumLater && ready.checksum.empty()) {
        auto sum = ready.checksumLater();
        if (!sum) return std::unexpected(sum.error());
        ready.checksum = std::move(*sum);
    }
    return ready;
}

struct FileState {
    std::int64_t size = -1;
    std::int64_t mtimeNs = 0;
    bool operator==(const FileState&) const = default;
};

Result<FileState> localState(const std::filesystem::path& file)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        return fail(SyncErrorCode::LocalIo, "cannot read " + file.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return fail(SyncErrorCode::LocalIo, file.string() + " is not a regular file");
    return FileState{static_cast<std::int64_t>(st.st_size),
                     static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

SyncError localWriteError(const std::filesystem::path& target, int error)
{
    if (error == ENOSPC || error == EDQUOT) {
        return SyncError{SyncErrorCode::DiskFull,
                         "the local disk is full: cannot write " + target.string() + ": " + std::strerror(error)};
    }
    return SyncError{SyncErrorCode::LocalIo, "cannot write " + target.string() + ": " + std::strerror(error)};
}

SyncError fileChanged(const std::filesystem::path& file)
{
    return SyncError{SyncErrorCode::FileChanged,
                     file.string() + " changed while it was being uploaded; it will be uploaded again"};
}

// Props of one propstat, by namespace-qualified name.
struct PropValues {
    std::map<QString, QString> text;
    bool collection = false;
    QString checksums;
};

void parseProp(QXmlStreamReader& xml, PropValues& values)
{
    while (xml.readNextStartElement()) {
        const QString ns = xml.namespaceUri().toString();
        const QString name = xml.name().toString();
        if (ns == kDav && name == u"resourcetype") {
            while (xml.readNextStartElement()) {
                if (xml.namespaceUri() == kDav && xml.name() == u"collection") values.collection = true;
                xml.skipCurrentElement();
            }
        } else if (ns == kOc && name == u"checksums") {
            while (xml.readNextStartElement()) {
                if (xml.namespaceUri() == kOc && xml.name() == u"checksum") {
                    values.checksums += ' ' + xml.readElementText(QXmlStreamReader::IncludeChildElements);
                } else {
                    xml.skipCurrentElement();
                }
            }
        } else {
            values.text[ns + '|' + name] = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
        }
    }
}

bool propstatOk(const QString& status)
{
    // "HTTP/1.1 200 OK"
    const QStringList words = status.simplified().split(' ');
    return words.size() >= 2 && words[1] == u"200";
}

std::optional<DavResource> parseResponse(QXmlStreamReader& xml)
{
    QString href;
    PropValues found;
    while (xml.readNextStartElement()) {
        if (xml.namespaceUri() == kDav && xml.name() == u"href") {
            href = xml.readElementText().trimmed();
        } else if (xml.namespaceUri() == kDav && xml.name() == u"propstat") {
            PropValues values;
            QString status;
            while (xml.readNextStartElement()) {
                if (xml.namespaceUri() == kDav && xml.name() == u"prop") {
                    parseProp(xml, values);
                } else if (xml.namespaceUri() == kDav && xml.name() == u"status") {
                    status = xml.readElementText();
                } else {
                    xml.skipCurrentElement();
                }
            }
            if (propstatOk(status)) {
                for (auto& [key, value] : values.text)
                    found.text[key] = value;
                found.collection = found.collection || values.collection;
                found.checksums += values.checksums;
            }
        } else {
            xml.skipCurrentElement();
        }
    }
    if (href.isEmpty()) return std::nullopt;

    const auto get = [&](const QString& ns, const char* name) {
        const auto it = found.text.find(ns + '|' + QLatin1String(name));
        return it == found.text.end() ? QString() : it->second;
    };
    DavResource resource;
    const QUrl hrefUrl(href);
    resource.hrefPath = decodedPath(hrefUrl);
    resource.segments = decodedSegments(hrefUrl);
    RemoteEntry& entry = resource.entry;
    entry.type = found.collection ? ItemType::Directory : ItemType::File;
    entry.etag = unquoteEtag(get(kDav, "getetag").toUtf8());
    entry.fileId = get(kOc, "fileid").toStdString();
    entry.permissions = get(kOc, "permissions").toStdString();
    entry.mtime = parseHttpDate(get(kDav, "getlastmodified"));
    const QString length = get(kDav, "getcontentlength");
    const QString size = get(kOc, "size");
    entry.size = (entry.type == ItemType::File && !length.isEmpty() ? length : size).toLongLong();
    entry.checksum = WebDavClient::pickSha1(found.checksums.toStdString());
    entry.encrypted = get(kNc, "is-encrypted") == u"1";
    return resource;
}

// Removes a download target that did not complete, unless it is not a regular file (a device
// given as target must never be unlinked).
struct PartialTarget {
    std::filesystem::path path;
    int fd = -1;
    bool keep = false;
    ~PartialTarget()
    {
        if (fd >= 0) ::close(fd);
        if (keep) return;
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
    }
};

} // namespace

WebDavClient::WebDavClient(std::shared_ptr<const Account> account, std::string remoteRoot)
    : m_account(std::move(account)), m_http(m_account->http()), m_root(trimSlashes(std::move(remoteRoot))),
      m_rootUrl(appendEncoded(m_account->davFilesUrl(), encodePath(m_root)))
{
}

WebDavClient::WebDavClient(std::shared_ptr<const Account> account) : WebDavClient(account, account->config().remoteRoot)
{
}

QUrl WebDavClient::urlFor(const std::string& serverPath) const
{
    return appendEncoded(m_rootUrl, encodePath(serverPath));
}

QUrl WebDavClient::uploadUrl(const std::string& transferId, const QString& item) const
{
    QByteArray path = QUrl::toPercentEncoding(QString::fromStdString(transferId));
    if (!item.isEmpty()) path += '/' + QUrl::toPercentEncoding(item);
    return appendEncoded(m_account->davUploadsUrl(), path);
}

std::string WebDavClient::pickSha1(const std::string& checksums)
{
    const QStringList parts = QString::fromStdString(checksums).split(' ', Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        if (part.startsWith(QStringLiteral("SHA1:"), Qt::CaseInsensitive) && part.size() > 5) {
            return "SHA1:" + part.mid(5).toLower().toStdString();
        }
    }
    return {};
}

Result<std::vector<DavResource>> WebDavClient::parseMultiStatus(const QByteArray& data)
{
    QXmlStreamReader xml(data);
    std::vector<DavResource> out;
    bool sawMultistatus = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        if (xml.namespaceUri() == kDav && xml.name() == u"multistatus") {
            sawMultistatus = true;
        } else if (xml.namespaceUri() == kDav && xml.name() == u"response") {
            if (auto resource = parseResponse(xml)) out.push_back(std::move(*resource));
        }
    }
    if (xml.hasError()) {
        return fail(SyncErrorCode::Protocol,
                    "the server's PROPFIND reply is not valid XML: " + xml.errorString().toStdString() + " (line " +
                        std::to_string(xml.lineNumber()) + ")");
    }
    if (!sawMultistatus) return fail(SyncErrorCode::Protocol, "the server's PROPFIND reply is not a multistatus");
    return out;
}

Result<std::vector<DavResource>> WebDavClient::propfind(const QUrl& url, int depth) const
{
    HttpRequest request;
    request.method = "PROPFIND";
    request.url = url;
    request.headers = {{"Depth", QByteArray::number(depth)}, {"Content-Type", "application/xml; charset=utf-8"}};
    request.body = kPropfindBody;
    auto response = m_http->send(request, {207});
    if (!response) return std::unexpected(response.error());
    auto resources = parseMultiStatus(response->body);
    if (!resources) {
        SyncError error = resources.error();
        error.message = "PROPFIND " + url.path().toStdString() + ": " + error.message;
        return std::unexpected(error);
    }
    if (resources->empty()) {
        return fail(SyncErrorCode::Protocol, "PROPFIND " + url.path().toStdString() + ": the reply lists nothing");
    }
    return resources;
}

Result<RemoteListing> WebDavClient::list(const std::string& serverPath)
{
    const std::string path = trimSlashes(serverPath);
    const QUrl url = urlFor(path);
    auto resources = propfind(url, 1);
    if (!resources) return std::unexpected(resources.error());
    const std::string selfPath = decodedPath(url);
    const std::vector<std::string> selfSegments = decodedSegments(url);
    RemoteListing listing;
    bool haveSelf = false;
    for (auto& resource : *resources) {
        if (!haveSelf && resource.segments == selfSegments) {
            listing.self = std::move(resource.entry);
            listing.self.serverPath = path;
            haveSelf = true;
            continue;
        }
        // A child is the folder's path plus exactly one segment, and that segment must be a name
        // that stays in the folder: a server's "..", "a%2F..%2Fb" or "/etc/x" never becomes a
        // path here, and no request is ever sent for it.
        const bool child = resource.segments.size() == selfSegments.size() + 1 &&
                           std::equal(selfSegments.begin(), selfSegments.end(), resource.segments.begin());
        if (!child) {
            listing.refused.emplace_back(e2ee::printableName(resource.hrefPath),
                                         "it is not an item of the folder listed (" + e2ee::printableName(selfPath) +
                                             ")");
            continue;
        }
        std::string name = std::move(resource.segments.back());
        if (auto invalid = e2ee::invalidNameReason(name)) {
            listing.refused.emplace_back(e2ee::printableName(name), *invalid);
            continue;
        }
        resource.entry.serverPath = joinPath(path, name);
        listing.children.emplace_back(std::move(name), std::move(resource.entry));
    }
    if (!haveSelf) {
        return fail(SyncErrorCode::Protocol, "PROPFIND " + selfPath + ": the reply does not list the folder itself");
    }
    return listing;
}

Result<RemoteEntry> WebDavClient::stat(const std::string& serverPath)
{
    const std::string path = trimSlashes(serverPath);
    auto resources = propfind(urlFor(path), 0);
    if (!resources) return std::unexpected(resources.error());
    RemoteEntry entry = std::move(resources->front().entry);
    entry.serverPath = path;
    return entry;
}

namespace {
void addToken(HttpHeaders& headers, const std::string& e2eToken)
{
    if (!e2eToken.empty()) headers.emplaceBack("e2e-token", QByteArray::fromStdString(e2eToken));
}

// The error of a write request, marked when the server may have applied the write anyway.
std::unexpected<SyncError> failedWrite(SyncError error)
{
    const bool refused = error.httpStatus >= 400 && error.httpStatus < 500;
    const bool local = error.code == SyncErrorCode::LocalIo || error.code == SyncErrorCode::FileChanged ||
                       error.code == SyncErrorCode::DiskFull || error.code == SyncErrorCode::NameNotAllowed;
    error.outcomeUnknown = !refused && !local;
    return std::unexpected(std::move(error));
}
} // namespace

Result<RemoteEntry> WebDavClient::makeFolder(const std::string& serverPath, const std::string& e2eToken)
{
    HttpRequest request;
    request.method = "MKCOL";
    request.url = urlFor(serverPath);
    addToken(request.headers, e2eToken);
    auto response = m_http->send(request, {201});
    if (!response) return failedWrite(response.error());
    // Nextcloud and nubo-server name the new folder's id in the reply, as the official client
    // expects: no PROPFIND then (one round trip per folder on a slow link). Its ETag changes with
    // every upload into it anyway, and the engine lists it again next run. Inside an encrypted
    // folder the entry is read back, since the engine needs the server's encrypted flag.
    if (e2eToken.empty()) {
        const std::string fileId = fileIdFromOcId(response->header("OC-FileId"));
        if (!fileId.empty()) {
            RemoteEntry made;
            made.type = ItemType::Directory;
            made.serverPath = serverPath;
            made.fileId = fileId;
            QByteArray etag = response->header("OC-ETag");
            if (etag.isEmpty()) etag = response->header("ETag");
            made.etag = unquoteEtag(etag);
            return made;
        }
    }
    auto made = stat(serverPath);
    if (!made) made.error().outcomeUnknown = true; // the folder was made; only reading it back failed
    return made;
}

Result<void> WebDavClient::move(const std::string& fromServerPath, const std::string& toServerPath,
                                const std::string& e2eToken)
{
    HttpRequest request;
    request.method = "MOVE";
    request.url = urlFor(fromServerPath);
    request.headers = {{"Destination", urlFor(toServerPath).toEncoded()}, {"Overwrite", "F"}};
    addToken(request.headers, e2eToken);
    auto response = m_http->send(request, {201, 204});
    if (!response) return failedWrite(response.error());
    return {};
}

Result<void> WebDavClient::remove(const std::string& serverPath, const std::optional<std::string>& ifMatch,
                                  const std::string& e2eToken)
{
    if (trimSlashes(serverPath).empty()) return fail(SyncErrorCode::Internal, "refusing to delete the sync root");
    HttpRequest request;
    request.method = "DELETE";
    request.url = urlFor(serverPath);
    addToken(request.headers, e2eToken);
    if (ifMatch) request.headers.emplaceBack("If-Match", '"' + QByteArray::fromStdString(*ifMatch) + '"');
    auto response = m_http->send(request, {200, 204});
    if (!response) return failedWrite(response.error());
    return {};
}

Result<void> WebDavClient::abortUpload(const std::string& transferId)
{
    HttpRequest request;
    request.method = "DELETE";
    request.url = uploadUrl(transferId);
    auto response = m_http->send(request, {200, 204, 404});
    if (!response) return std::unexpected(response.error());
    return {};
}

Result<UploadResult> WebDavClient::upload(const std::string& serverPath, const std::filesystem::path& localFile,
                                          const UploadOptions& options)
{
    auto before = localState(localFile);
    if (!before) return std::unexpected(before.error());
    const bool chunked = before->size + (options.encoder ? options.encoder->trailerSize() : 0) > options.chunkThreshold;
    Result<UploadResult> result;
    if (chunked) {
        result = uploadChunked(trimSlashes(serverPath), localFile, before->size, options);
    } else {
        // A single PUT sends the checksum with its headers: it is needed now.
        auto ready = withChecksum(options);
        if (!ready) return std::unexpected(ready.error());
        result = uploadSingle(trimSlashes(serverPath), localFile, before->size, *ready);
    }
    if (!result) {
        // A file that shrank under the upload fails the request itself; say why.
        if (auto after = localState(localFile);
            result.error().code != SyncErrorCode::Cancelled && (!after || !(*after == *before))) {
            return std::unexpected(fileChanged(localFile));
        }
        return result;
    }
    auto after = localState(localFile);
    if (!after || !(*after == *before)) {
        // The server verified a plain upload's checksum, so it refused bytes that changed; an
        // encoded upload is not checked that way: the server took what was read, which the
        // caller must know (it describes that blob, and uploads the file again later).
        if (!options.encoder) return std::unexpected(fileChanged(localFile));
        result->changedWhileSent = true;
    }
    if (result->etag.empty() || result->fileId.empty()) {
        // Servers answer both headers; if one did not, ask for them rather than return blanks.
        auto entry = stat(serverPath);
        if (!entry) return std::unexpected(entry.error());
        result->etag = entry->etag;
        result->fileId = entry->fileId;
    }
    return result;
}

namespace {

void addWriteHeaders(HttpHeaders& headers, const UploadOptions& options)
{
    headers.emplaceBack("X-OC-Mtime", QByteArray::number(static_cast<qlonglong>(options.mtime)));
    if (!options.checksum.empty() && !options.encoder) {
        headers.emplaceBack("OC-Checksum", QByteArray::fromStdString(options.checksum));
    }
    addToken(headers, options.e2eToken);
    if (options.ifMatch) headers.emplaceBack("If-Match", '"' + QByteArray::fromStdString(*options.ifMatch) + '"');
    // nubo-server and Nextcloud answer 412 when the file exists, so a racing upload survives.
    if (options.mustNotExist) headers.emplaceBack("If-None-Match", "*");
}

void readWriteReply(const HttpResponse& response, UploadResult& result)
{
    QByteArray etag = response.header("OC-ETag");
    if (etag.isEmpty()) etag = response.header("ETag");
    result.etag = unquoteEtag(etag);
    result.fileId = fileIdFromOcId(response.header("OC-FileId"));
}

} // namespace

Result<UploadResult> WebDavClient::uploadSingle(const std::string& serverPath, const std::filesystem::path& localFile,
                                                std::int64_t size, const UploadOptions& options) const
{
    std::unique_ptr<QIODevice> body;
    if (options.encoder) {
        auto pass = options.encoder->start();
        if (!pass) return std::unexpected(pass.error());
        auto device = std::make_unique<EncodedWindowDevice>(localFile, 0, size + options.encoder->trailerSize(), size,
                                                            std::move(*pass), &m_account->uploadLimiter());
        if (auto opened = device->openWindow(); !opened) return std::unexpected(opened.error());
        body = std::move(device);
    } else {
        auto device = std::make_unique<FileWindowDevice>(localFile, 0, size, &m_account->uploadLimiter());
        if (auto opened = device->openWindow(); !opened) return std::unexpected(opened.error());
        body = std::move(device);
    }
    HttpRequest request;
    request.method = "PUT";
    request.url = urlFor(serverPath);
    request.bodyDevice = body.get();
    request.headers.emplaceBack("Content-Type", "application/octet-stream");
    addWriteHeaders(request.headers, options);
    request.uploadProgress = options.progress;
    request.cancel = options.cancel;
    auto response = m_http->send(request, {200, 201, 204});
    if (!response) return failedWrite(response.error());
    UploadResult result;
    readWriteReply(*response, result);
    return result;
}

bool WebDavClient::supportsBulkUpload() const
{
    return m_account->capabilities().bulkUpload;
}

std::string WebDavClient::bulkPathFor(const std::string& serverPath) const
{
    return "/" + joinPath(m_root, trimSlashes(serverPath));
}

std::vector<Result<UploadResult>> WebDavClient::parseBulkReply(const QByteArray& json,
                                                               const std::vector<std::string>& sentPaths)
{
    std::vector<Result<UploadResult>> results;
    const auto failAll = [&](const std::string& why) {
        results.assign(sentPaths.size(),
                       std::unexpected(SyncError{SyncErrorCode::Protocol, "the bulk upload's reply " + why, 200}));
        return results;
    };
    const nlohmann::json reply = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (reply.is_discarded()) return failAll("is not JSON");
    if (!reply.is_object()) return failAll("is not a JSON object");
    results.reserve(sentPaths.size());
    for (const std::string& path : sentPaths) {
        const auto notStated = [&](const std::string& why) {
            results.push_back(
                std::unexpected(SyncError{SyncErrorCode::Protocol, "the bulk upload's reply " + why, 200}));
        };
        const auto it = reply.find(path);
        if (it == reply.end()) {
            notStated("does not mention " + path);
            continue;
        }
        if (!it->is_object()) {
            notStated("says nothing readable about " + path);
            continue;
        }
        const auto error = it->find("error");
        if (error == it->end() || !error->is_boolean()) {
            notStated("does not say whether " + path + " was stored");
            continue;
        }
        if (error->get<bool>()) {
            const auto message = it->find("message");
            results.push_back(std::unexpected(SyncError{
                SyncErrorCode::ServerError,
                "the server refused " + path + " in a bulk upload" +
                    (message != it->end() && message->is_string() ? ": " + message->get<std::string>() : ""),
                200}));
            continue;
        }
        const auto etag = it->find("etag");
        const auto fileId = it->find("fileid");
        UploadResult result;
        if (etag != it->end() && etag->is_string()) result.etag = unquoteEtag(QByteArray::fromStdString(*etag));
        if (fileId != it->end() && fileId->is_string()) {
            result.fileId = fileIdFromOcId(QByteArray::fromStdString(*fileId));
        } else if (fileId != it->end() && fileId->is_number_unsigned()) {
            result.fileId = std::to_string(fileId->get<std::uint64_t>());
        }
        // Without both the journal could not describe the stored version: treat as not stated.
        if (result.etag.empty() || result.fileId.empty() || result.fileId == "0") {
            notStated("gives no ETag or file id for " + path);
            continue;
        }
        results.push_back(std::move(result));
    }
    return results;
}

Result<std::vector<Result<UploadResult>>> WebDavClient::uploadBulk(const std::vector<BulkUploadItem>& items,
                                                                   const BulkUploadOptions& options)
{
    std::vector<Result<UploadResult>> results(items.size());
    std::vector<std::optional<FileState>> states(items.size());
    std::vector<std::size_t> sent; // indexes of the items that are parts of the request
    std::vector<std::string> sentPaths;
    const QByteArray boundary = "nubo_" + QUuid::createUuid().toString(QUuid::Id128).toLatin1();
    // The body in one allocation, the files read through one scratch buffer: grown part by part,
    // with a buffer per file, it was copied and page-faulted again and again (a quarter of the
    // client's time in a bulk upload of small files).
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string path = bulkPathFor(items[i].serverPath);
        // A part's headers are raw lines: a name with a control character (Linux allows a
        // newline) would end its header and could add others. Such a file goes by PUT, whose URL
        // percent-encodes it.
        if (std::any_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
            results[i] = fail(SyncErrorCode::NameNotAllowed, "'" + items[i].serverPath + "' cannot be named in a bulk upload");
            continue;
        }
        auto before = localState(items[i].localFile);
        if (!before) {
            results[i] = std::unexpected(before.error());
            continue;
        }
        states[i] = *before;
    }
    qsizetype bodySize = 0, largest = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!states[i]) continue;
        bodySize += qsizetype(states[i]->size) + 512 + qsizetype(items[i].serverPath.size() + items[i].checksum.size());
        largest = std::max(largest, qsizetype(states[i]->size));
    }
    QByteArray body;
    body.reserve(bodySize + boundary.size() + 8);
    std::vector<char> content(std::size_t(largest) + 1);
    std::int64_t fileBytes = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!states[i]) continue;
        const BulkUploadItem& item = items[i];
        const std::string path = bulkPathFor(item.serverPath);
        QFile file(QString::fromStdString(item.localFile.string()));
        if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
            results[i] = fail(SyncErrorCode::LocalIo, "cannot read " + item.localFile.string() + ": " +
                                                          file.errorString().toStdString());
            states[i].reset();
            continue;
        }
        // One byte more than the stat said: a file that grew since is caught here.
        qint64 size = 0;
        for (qint64 got = 0; size < qint64(content.size()); size += got) {
            got = file.read(content.data() + size, qint64(content.size()) - size);
            if (got <= 0) break;
        }
        if (size != states[i]->size) {
            results[i] = std::unexpected(fileChanged(item.localFile));
            states[i].reset();
            continue;
        }
        e2ee::StreamDigest md5(e2ee::StreamDigest::Kind::Md5);
        md5.update(content.data(), static_cast<std::size_t>(size));
        auto md5Hex = md5.hex();
        if (!md5Hex) {
            results[i] = fail(SyncErrorCode::Internal, md5Hex.error().message);
            states[i].reset();
            continue;
        }
        body += "--" + boundary + "\r\n";
        body += "Content-Length: " + QByteArray::number(size) + "\r\n";
        body += "Content-Type: application/octet-stream\r\n";
        body += "X-File-Path: " + QByteArray::fromStdString(path) + "\r\n";
        body += "X-File-MD5: " + QByteArray::fromStdString(*md5Hex) + "\r\n";
        if (!item.checksum.empty()) body += "OC-Checksum: " + QByteArray::fromStdString(item.checksum) + "\r\n";
        body += "X-File-Mtime: " + QByteArray::number(static_cast<qlonglong>(item.mtime)) + "\r\n";
        // Bulk upload sends new files only: a file that appeared on the server meanwhile stays.
        body += "If-None-Match: *\r\n";
        body += "\r\n";
        body.append(content.data(), size);
        body += "\r\n";
        fileBytes += size;
        sent.push_back(i);
        sentPaths.push_back(path);
    }
    if (sent.empty()) return results;
    body += "--" + boundary + "--\r\n";

    HttpRequest request;
    request.method = "POST";
    request.url = m_account->serverUrl();
    request.url.setPath(m_account->serverUrl().path(QUrl::FullyEncoded) + QStringLiteral("/remote.php/dav/bulk"),
                        QUrl::StrictMode);
    request.headers.emplaceBack("Content-Type", "multipart/related; boundary=\"" + boundary + "\"");
    request.body = body;
    // Progress in the files' bytes, as for every other upload: the request's own bytes (headers
    // of each part included) took the sync's progress past its total.
    if (options.progress) {
        const std::int64_t bodyBytes = body.size();
        request.uploadProgress = [progress = options.progress, fileBytes, bodyBytes](std::int64_t bytesSent) {
            progress(std::min(bytesSent, bodyBytes) * fileBytes / std::max<std::int64_t>(bodyBytes, 1));
        };
    }
    request.cancel = options.cancel;
    auto response = m_http->send(request, {200});
    if (!response) return failedWrite(response.error());
    auto replies = parseBulkReply(response->body, sentPaths);
    for (std::size_t k = 0; k < sent.size(); ++k) {
        const std::size_t i = sent[k];
        if (replies[k]) {
            // As for a single upload: the server checked the checksums of what was read, but if
            // the file changed since it was stat'ed the journal must not describe it by that stat.
            if (auto after = localState(items[i].localFile); !after || !(*after == *states[i])) {
                results[i] = std::unexpected(fileChanged(items[i].localFile));
                continue;
            }
        }
        results[i] = std::move(replies[k]);
    }
    return results;
}

Result<UploadResult> WebDavClient::uploadChunked(const std::string& serverPath, const std::filesystem::path& localFile,
                                                 std::int64_t plainSize, const UploadOptions& options) const
{
    // An encoded upload sends the encoded stream (plaintext size plus the trailer) in chunks; the
    // running pass follows the chunks in order, also over those already on the server.
    const std::int64_t size = plainSize + (options.encoder ? options.encoder->trailerSize() : 0);
    std::unique_ptr<EncodingPass> running;
    if (options.encoder) {
        auto pass = options.encoder->start();
        if (!pass) return std::unexpected(pass.error());
        running = std::move(*pass);
    }
    std::int64_t chunkSize = std::max<std::int64_t>(options.chunkSize, 1);
    chunkSize = std::max(chunkSize, (size + kMaxChunks - 1) / kMaxChunks);
    const std::int64_t count = (size + chunkSize - 1) / chunkSize;

    std::string transferId = options.transferId;
    if (transferId.empty()) transferId = QUuid::createUuid().toString(QUuid::Id128).toStdString();
    if (!std::all_of(transferId.begin(), transferId.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; })) {
        return fail(SyncErrorCode::Internal, "invalid transfer id '" + transferId + "'");
    }
    const QByteArray destination = urlFor(serverPath).toEncoded();
    const QByteArray totalLength = QByteArray::number(static_cast<qlonglong>(size));
    const QUrl session = uploadUrl(transferId);

    // Plain content may go in parallel chunks of adapted sizes. An encoded upload stays one chunk
    // after another of a fixed size: its encoding pass runs through the content in order, and a
    // resumed one must find its earlier chunks where this layout puts them.
    const bool adaptive = !options.encoder && (options.parallelChunks > 1 || options.targetChunkMilliseconds > 0);

    // Resume: chunks of an earlier attempt that have the size this layout expects are kept.
    std::map<std::int64_t, std::int64_t> present; // chunk number -> size on the server
    auto listing = propfind(session, 1);
    if (listing) {
        const std::string sessionPath = decodedPath(session);
        for (const auto& resource : *listing) {
            if (resource.hrefPath == sessionPath || resource.entry.type != ItemType::File) continue;
            bool ok = false;
            const std::int64_t number = QString::fromStdString(lastSegment(resource.hrefPath)).toLongLong(&ok);
            if (ok) present[number] = resource.entry.size;
        }
        for (const auto& [number, chunkBytes] : present) {
            if (!adaptive && (number < 1 || number > count)) { // would be assembled into the file: must go
                HttpRequest request;
                request.method = "DELETE";
                request.url = uploadUrl(transferId, QString::number(number).rightJustified(5, '0'));
                if (auto removed = m_http->send(request, {200, 204, 404}); !removed) {
                    return std::unexpected(removed.error());
                }
            }
        }
    } else if (listing.error().code == SyncErrorCode::NotFound) {
        HttpRequest request;
        request.method = "MKCOL";
        request.url = session;
        request.headers = {{"Destination", destination}, {"OC-Total-Length", totalLength}};
        addToken(request.headers, options.e2eToken);
        if (auto created = m_http->send(request, {201}); !created) return std::unexpected(created.error());
    } else {
        return std::unexpected(listing.error());
    }

    UploadResult result;
    if (adaptive) {
        if (auto sent = sendChunksInParallel(localFile, size, transferId, destination, present, options, result);
            !sent) {
            return std::unexpected(sent.error());
        }
    }
    std::int64_t done = 0;
    for (std::int64_t number = 1; !adaptive && number <= count; ++number) {
        if (options.cancel && options.cancel->load()) {
            return fail(SyncErrorCode::Cancelled, "upload of " + serverPath + " cancelled");
        }
        const std::int64_t offset = (number - 1) * chunkSize;
        const std::int64_t length = std::min(chunkSize, size - offset);
        const std::int64_t plainEnd = std::min(offset + length, plainSize);
        if (const auto it = present.find(number); it != present.end() && it->second == length) {
            if (running) {
                if (auto advanced = advancePass(localFile, std::min(offset, plainSize), plainEnd, *running); !advanced) {
                    return std::unexpected(advanced.error());
                }
            }
            ++result.chunksReused;
            done += length;
            if (options.progress) options.progress(done);
            continue;
        }
        std::unique_ptr<QIODevice> body;
        EncodedWindowDevice* encoded = nullptr;
        if (running) {
            auto start = running->copy();
            if (!start) return std::unexpected(start.error());
            auto device = std::make_unique<EncodedWindowDevice>(localFile, offset, length, plainSize, std::move(*start),
                                                                &m_account->uploadLimiter());
            if (auto opened = device->openWindow(); !opened) return std::unexpected(opened.error());
            encoded = device.get();
            body = std::move(device);
        } else {
            auto device = std::make_unique<FileWindowDevice>(localFile, offset, length, &m_account->uploadLimiter());
            if (auto opened = device->openWindow(); !opened) return std::unexpected(opened.error());
            body = std::move(device);
        }
        HttpRequest request;
        request.method = "PUT";
        request.url = uploadUrl(transferId, QString::number(number).rightJustified(5, '0'));
        request.bodyDevice = body.get();
        request.headers = {{"Content-Type", "application/octet-stream"},
                           {"Destination", destination},
                           {"OC-Total-Length", totalLength}};
        addToken(request.headers, options.e2eToken);
        request.cancel = options.cancel;
        if (options.progress) {
            request.uploadProgress = [&](std::int64_t sent) { options.progress(done + sent); };
        }
        if (auto sent = m_http->send(request, {201, 204}); !sent) return std::unexpected(sent.error());
        if (encoded) {
            // The window was read to its end: its pass now stands after its last plaintext byte.
            auto after = encoded->takePass();
            if (!after) return fail(SyncErrorCode::Internal, "the encoding of " + serverPath + " lost its state");
            running = std::move(after);
        }
        done += length;
        if (options.progress) options.progress(done);
    }
    if (options.cancel && options.cancel->load()) {
        return fail(SyncErrorCode::Cancelled, "upload of " + serverPath + " cancelled");
    }
    if (running) {
        // The trailer (the tag) must be known before the file is assembled, also when the chunk
        // that carries it was already on the server and so never went through a window.
        auto last = running->copy();
        if (!last) return std::unexpected(last.error());
        if (auto trailer = (*last)->finish(); !trailer) return std::unexpected(trailer.error());
    }

    HttpRequest request;
    request.method = "MOVE";
    request.url = uploadUrl(transferId, QStringLiteral(".file"));
    request.headers = {{"Destination", destination}, {"OC-Total-Length", totalLength}};
    // Hashed while the chunks went up (checksumLater): the server checks the assembled file against it.
    auto ready = withChecksum(options);
    if (!ready) return std::unexpected(ready.error());
    addWriteHeaders(request.headers, *ready);
    request.timeout = m_http->options().timeout * kMoveTimeoutFactor;
    auto response = m_http->send(request, {200, 201, 204});
    if (!response) return failedWrite(response.error());
    readWriteReply(*response, result);
    return result;
}

Result<void> WebDavClient::sendChunksInParallel(const std::filesystem::path& localFile, std::int64_t size,
                                                const std::string& transferId, const QByteArray& destination,
                                                std::map<std::int64_t, std::int64_t> present,
                                                const UploadOptions& options, UploadResult& result) const
{
    // Resume: chunk sizes vary from attempt to attempt, so what counts is the run of chunks from
    // number 1 whose sizes add up without a gap; the next chunks are numbered after it. Anything
    // else there (a chunk after a gap, one sent in parallel with a chunk that failed) would be
    // assembled into the file: it goes.
    std::int64_t offset = 0;
    std::int64_t first = 1;
    for (auto it = present.find(first); it != present.end() && it->second > 0 && offset + it->second <= size;
         it = present.find(first)) {
        offset += it->second;
        ++first;
    }
    if (offset < size && first > kMaxChunks) { // no number left for the rest: start over
        offset = 0;
        first = 1;
    }
    for (const auto& [number, chunkBytes] : present) {
        if (number >= first || number < 1) {
            HttpRequest request;
            request.method = "DELETE";
            request.url = uploadUrl(transferId, QString::number(number).rightJustified(5, '0'));
            if (auto removed = m_http->send(request, {200, 204, 404}); !removed) {
                return std::unexpected(removed.error());
            }
        }
    }
    result.chunksReused = first - 1;
    if (options.progress && offset > 0) options.progress(offset);

    const QByteArray totalLength = QByteArray::number(static_cast<qlonglong>(size));
    const std::int64_t minChunk = std::min(std::max<std::int64_t>(options.chunkSize, 1), kMinAdaptedChunk);
    const int workers = std::clamp(options.parallelChunks, 1, kMaxParallelChunks);
    std::mutex mutex; // guards everything below, and calls of options.progress
    std::int64_t nextOffset = offset;
    std::int64_t nextNumber = first;
    std::int64_t chunkSize = std::max<std::int64_t>(options.chunkSize, 1);
    std::int64_t done = offset;
    std::map<std::int64_t, std::int64_t> inFlight; // chunk number -> bytes sent so far
    std::optional<SyncError> error;
    const auto reportProgress = [&] { // with the mutex held
        if (!options.progress) return;
        std::int64_t total = done;
        for (const auto& [number, sent] : inFlight)
            total += sent;
        options.progress(total);
    };
    // Each worker takes the next chunk: its number, offset and the size adapted so far. Every
    // chunk streams from the file through its own window, in constant memory.
    const auto worker = [&] {
        for (;;) {
            std::int64_t number = 0, chunkOffset = 0, length = 0;
            {
                std::lock_guard lock(mutex);
                if (error || nextOffset >= size) return;
                if (options.cancel && options.cancel->load()) {
                    error = SyncError{SyncErrorCode::Cancelled, "upload of " + localFile.string() + " cancelled", 0};
                    return;
                }
                const std::int64_t left = size - nextOffset;
                // No worker takes more than its share of what is left (while that is more than a
                // minimal chunk each), or the end of a file would go through one connection.
                std::int64_t wanted = chunkSize;
                if (left > minChunk * workers) wanted = std::min(wanted, (left + workers - 1) / workers);
                const std::int64_t numbersLeft = kMaxChunks - nextNumber + 1; // the 10000-chunk limit
                length = std::min(left, std::max({wanted, minChunk, (left + numbersLeft - 1) / numbersLeft}));
                number = nextNumber++;
                chunkOffset = nextOffset;
                nextOffset += length;
                inFlight[number] = 0;
            }
            const auto started = std::chrono::steady_clock::now();
            FileWindowDevice body(localFile, chunkOffset, length, &m_account->uploadLimiter());
            Result<void> sent = body.openWindow();
            if (sent) {
                HttpRequest request;
                request.method = "PUT";
                request.url = uploadUrl(transferId, QString::number(number).rightJustified(5, '0'));
                request.bodyDevice = &body;
                request.headers = {{"Content-Type", "application/octet-stream"},
                                   {"Destination", destination},
                                   {"OC-Total-Length", totalLength}};
                request.cancel = options.cancel;
                request.uploadProgress = [&, number](std::int64_t bytes) {
                    std::lock_guard lock(mutex);
                    if (const auto it = inFlight.find(number); it != inFlight.end() && bytes > it->second) {
                        it->second = std::min(bytes, length);
                        reportProgress();
                    }
                };
                if (auto response = m_http->send(request, {201, 204}); !response) {
                    sent = std::unexpected(response.error());
                }
            }
            const std::int64_t elapsedMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                    .count() +
                1;
            std::lock_guard lock(mutex);
            inFlight.erase(number);
            if (!sent) {
                if (!error) error = sent.error();
                return;
            }
            done += length;
            if (options.targetChunkMilliseconds > 0) {
                // As the official client does: the size that would have taken the target time,
                // averaged with the current size to smooth out the noise of one measurement.
                const double predicted = static_cast<double>(length) *
                                         static_cast<double>(options.targetChunkMilliseconds) /
                                         static_cast<double>(elapsedMs);
                const double next = (static_cast<double>(chunkSize) + predicted) / 2;
                chunkSize = static_cast<std::int64_t>(
                    std::clamp(next, static_cast<double>(minChunk), static_cast<double>(kMaxAdaptedChunk)));
            }
            reportProgress();
        }
    };
    std::vector<std::thread> threads;
    for (int i = 1; i < workers; ++i)
        threads.emplace_back(worker);
    worker();
    for (std::thread& thread : threads)
        thread.join();
    if (error) return std::unexpected(*error);
    return {};
}

Result<DownloadResult> WebDavClient::download(const std::string& serverPath, const std::filesystem::path& target,
                                              const DownloadOptions& options)
{
    PartialTarget partial{target};
    partial.fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (partial.fd < 0) {
        const int error = errno;
        partial.keep = true; // nothing of ours to remove
        return std::unexpected(localWriteError(target, error));
    }

    QString expectedType;
    QString expectedHex;
    if (!options.expectedChecksum.empty()) {
        const QString expected = QString::fromStdString(options.expectedChecksum).trimmed();
        const qsizetype colon = expected.indexOf(':');
        expectedType = expected.left(colon).toUpper();
        expectedHex = expected.mid(colon + 1).toLower();
    }
    e2ee::StreamDigest sha1(e2ee::StreamDigest::Kind::Sha1);
    std::optional<e2ee::StreamDigest> other;
    if (expectedType == u"MD5") other.emplace(e2ee::StreamDigest::Kind::Md5);
    if (expectedType == u"SHA256") other.emplace(e2ee::StreamDigest::Kind::Sha256);

    std::int64_t written = 0;
    HttpRequest request;
    request.url = urlFor(serverPath);
    request.downloadLimiter = &m_account->downloadLimiter();
    request.cancel = options.cancel;
    request.downloadProgress = options.progress;
    const auto writeOut = [&](const char* data, std::int64_t size) -> Result<void> {
        sha1.update(data, static_cast<std::size_t>(size));
        if (other) other->update(data, static_cast<std::size_t>(size));
        for (std::int64_t done = 0; done < size;) {
            const ssize_t n = ::write(partial.fd, data + done, static_cast<std::size_t>(size - done));
            if (n < 0) {
                if (errno == EINTR) continue;
                return std::unexpected(localWriteError(target, errno));
            }
            done += n;
        }
        written += size;
        return {};
    };
    std::string decoded;
    request.sink = [&](const char* data, std::int64_t size) -> Result<void> {
        if (!options.decoder) return writeOut(data, size);
        decoded.clear();
        if (auto ok = options.decoder->update(data, size, decoded); !ok) return ok;
        return writeOut(decoded.data(), static_cast<std::int64_t>(decoded.size()));
    };
    auto response = m_http->send(request, {200});
    if (!response) return std::unexpected(response.error());
    if (options.decoder) {
        decoded.clear();
        if (auto ok = options.decoder->finish(decoded); !ok) return std::unexpected(ok.error());
        if (auto ok = writeOut(decoded.data(), static_cast<std::int64_t>(decoded.size())); !ok) {
            return std::unexpected(ok.error());
        }
    }

    if (::fsync(partial.fd) != 0) return std::unexpected(localWriteError(target, errno));
    const int fd = partial.fd;
    partial.fd = -1;
    if (::close(fd) != 0) return std::unexpected(localWriteError(target, errno));

    DownloadResult result;
    result.size = written;
    result.etag =
        unquoteEtag(response->header("OC-ETag").isEmpty() ? response->header("ETag") : response->header("OC-ETag"));
    auto sha1Hex = sha1.hex();
    if (!sha1Hex) return fail(SyncErrorCode::Internal, sha1Hex.error().message);
    result.checksum = "SHA1:" + *sha1Hex;
    if (!expectedHex.isEmpty() && !options.decoder) {
        QString actual;
        if (expectedType == u"SHA1") actual = QString::fromStdString(*sha1Hex);
        if (other) {
            auto otherHex = other->hex();
            if (!otherHex) return fail(SyncErrorCode::Internal, otherHex.error().message);
            actual = QString::fromStdString(*otherHex);
        }
        // Types this client cannot compute (Adler32...) are not checked rather than refused.
        if (!actual.isEmpty() && actual != expectedHex) {
            return fail(SyncErrorCode::ChecksumMismatch,
                        "GET " + request.url.path().toStdString() + ": the downloaded content does not match the " +
                            "server's checksum (expected " + options.expectedChecksum + ", got " +
                            expectedType.toStdString() + ":" + actual.toStdString() + ")");
        }
    }
    partial.keep = true;
    return result;
}

} // namespace nubo::sync
