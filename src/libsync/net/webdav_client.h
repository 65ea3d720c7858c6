// RemoteFs over WebDAV (PROTOCOL.md §2): PROPFIND, streamed GET and PUT, chunked upload v2 with
// resume, MKCOL, MOVE, DELETE. Thread-safe: every method may run on several threads at once.
#pragma once

#include <QByteArray>
#include <QUrl>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "account.h"
#include "remote_fs.h"

namespace nubo::sync {

// One d:response of a 207 Multi-Status reply.
struct DavResource {
    std::string hrefPath; // the href's path, percent-decoded, without a trailing slash
    // The same path split at its (encoded) slashes, each segment percent-decoded on its own, so
    // that an encoded "%2F" stays inside its segment; no empty segment for a trailing slash.
    std::vector<std::string> segments;
    RemoteEntry entry;    // serverPath left empty
};

class WebDavClient final : public RemoteFs {
public:
    // remoteRoot: the server folder that "" stands for ("" or "/" = the user's root).
    WebDavClient(std::shared_ptr<const Account> account, std::string remoteRoot);
    // Uses account->config().remoteRoot.
    explicit WebDavClient(std::shared_ptr<const Account> account);

    Result<RemoteListing> list(const std::string& serverPath) override;
    Result<RemoteEntry> stat(const std::string& serverPath) override;
    Result<UploadResult> upload(const std::string& serverPath, const std::filesystem::path& localFile,
                                const UploadOptions& options) override;
    Result<DownloadResult> download(const std::string& serverPath, const std::filesystem::path& target,
                                    const DownloadOptions& options) override;
    bool supportsBulkUpload() const override;
    Result<std::vector<Result<UploadResult>>> uploadBulk(const std::vector<BulkUploadItem>& items,
                                                        const BulkUploadOptions& options) override;
    Result<RemoteEntry> makeFolder(const std::string& serverPath, const std::string& e2eToken) override;
    Result<void> move(const std::string& fromServerPath, const std::string& toServerPath,
                      const std::string& e2eToken) override;
    Result<void> remove(const std::string& serverPath, const std::optional<std::string>& ifMatch,
                        const std::string& e2eToken) override;
    using RemoteFs::makeFolder;
    using RemoteFs::move;
    using RemoteFs::remove;

    // Deletes the chunks of a chunked upload that will not be resumed (404 counts as done).
    Result<void> abortUpload(const std::string& transferId);

    // The files URL of a server path, every segment percent-encoded.
    QUrl urlFor(const std::string& serverPath) const;
    const std::string& remoteRoot() const { return m_root; }

    // Parses a PROPFIND reply. Properties from a propstat other than 200 are ignored; the ETag is
    // unquoted, the checksum reduced to "SHA1:<lowercase hex>".
    static Result<std::vector<DavResource>> parseMultiStatus(const QByteArray& xml);
    // The JSON reply of a bulk upload, for the parts sent with these X-File-Path values: one result
    // per path, a value only for a part the reply says was stored with an ETag and a file id. A
    // reply that is not a JSON object of objects fails every part.
    static std::vector<Result<UploadResult>> parseBulkReply(const QByteArray& json,
                                                            const std::vector<std::string>& sentPaths);
    // The X-File-Path of a server path: below the user's DAV root, with a leading '/'.
    std::string bulkPathFor(const std::string& serverPath) const;
    // "SHA1:ABC MD5:def" -> "SHA1:abc"; "" when there is no SHA1.
    static std::string pickSha1(const std::string& checksums);

private:
    Result<std::vector<DavResource>> propfind(const QUrl& url, int depth) const;
    Result<UploadResult> uploadSingle(const std::string& serverPath, const std::filesystem::path& localFile,
                                      std::int64_t size, const UploadOptions& options) const;
    Result<UploadResult> uploadChunked(const std::string& serverPath, const std::filesystem::path& localFile,
                                       std::int64_t size, const UploadOptions& options) const;
    // The chunks of a plain upload, several at once, of adapted sizes, after those of an earlier
    // attempt (chunk number -> size) that form a run from the first byte.
    Result<void> sendChunksInParallel(const std::filesystem::path& localFile, std::int64_t size,
                                      const std::string& transferId, const QByteArray& destination,
                                      std::map<std::int64_t, std::int64_t> present, const UploadOptions& options,
                                      UploadResult& result) const;
    QUrl uploadUrl(const std::string& transferId, const QString& item = {}) const;

    std::shared_ptr<const Account> m_account;
    std::shared_ptr<const HttpClient> m_http;
    std::string m_root;
    QUrl m_rootUrl; // files URL of the root, no trailing slash
};

} // namespace nubo::sync
