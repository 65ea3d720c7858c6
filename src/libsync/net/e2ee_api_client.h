// The server's end-to-end encryption API (PROTOCOL.md §3): keys, the encrypted flag, and (for the
// engine's folder transactions) locks and metadata. OCS v2 under
// /ocs/v2.php/apps/end_to_end_encryption/api/v{1|2}; every call carries OCS-APIREQUEST and the
// client's X-E2EE-SUPPORTED header (HttpClient adds it). Thread-safe like HttpClient.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account.h"
#include "sync_error.h"

namespace nubo::sync {

class E2eeApiClient {
public:
    // Fails (Config) when the server does not offer end-to-end encryption.
    static Result<E2eeApiClient> forAccount(const Account& account);

    // Certificates (PEM) by user id; users without one are missing from the map.
    Result<std::map<std::string, std::string>> certificates(const std::vector<std::string>& users) const;
    // POST public-key: the server signs the CSR. Conflict when the user already has a certificate.
    Result<std::string> signCsr(const std::string& csrPem) const;
    // The private-key envelope the server stores (PROTOCOL.md §4.3), nullopt when it has none.
    Result<std::optional<std::string>> privateKeyEnvelope() const;
    // POST private-key. Conflict when one is stored already.
    Result<void> storePrivateKeyEnvelope(const std::string& envelope) const;
    // The server's CA public key (PEM).
    Result<std::string> serverKey() const;
    // PUT encrypted/<fileId>: only an empty folder can be flagged. DELETE encrypted/<fileId> clears
    // the flag again (an empty folder whose setup failed half-way).
    Result<void> setEncrypted(const std::string& fileId) const;
    Result<void> clearEncrypted(const std::string& fileId) const;

    // POST lock/<fileId> with X-NC-E2EE-COUNTER (v2): the lock token. `retake` offers the token
    // of a lock this device took before (a run that was killed). Locked (423 or 403 "already
    // locked") when another client holds it; PreconditionFailed (412 or 400) when the counter is
    // not above the server's: someone else wrote since.
    Result<std::string> lock(const std::string& fileId, std::uint64_t counter,
                             const std::optional<std::string>& retake = {}) const;
    // DELETE lock/<fileId>; with abort the server rolls back what was staged under the token.
    Result<void> unlock(const std::string& fileId, const std::string& token, bool abort) const;

    struct StoredMetadata {
        std::string document;  // the outer JSON
        std::string signature; // X-NC-E2EE-SIGNATURE (base64 CMS), empty on v1
    };
    // GET meta-data/<fileId>; nullopt when the folder has none.
    Result<std::optional<StoredMetadata>> metadata(const std::string& fileId) const;
    // POST (create) or PUT (update) meta-data/<fileId>, under the lock's token.
    Result<void> storeMetadata(const std::string& fileId, const StoredMetadata& metadata, const std::string& token,
                               bool create) const;

    const std::string& apiVersion() const { return m_apiVersion; }

private:
    E2eeApiClient(std::shared_ptr<const HttpClient> http, QUrl base, std::string apiVersion);
    // One OCS call; returns ocs.data (JSON text) of a 2xx reply, else the HTTP status as an error.
    Result<HttpResponse> call(const QByteArray& method, const QString& endpoint,
                              const std::vector<std::pair<QString, QString>>& form = {},
                              const HttpHeaders& headers = {}) const;

    std::shared_ptr<const HttpClient> m_http;
    QUrl m_base; // .../api/v1 or .../api/v2
    std::string m_apiVersion;
};

} // namespace nubo::sync
