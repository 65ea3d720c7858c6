// The end-to-end encryption OCS API (PROTOCOL.md §3), with the real server's semantics:
// keys signed by the server CA, the encrypted flag, hierarchical locks with counters, staged
// metadata and file changes committed at unlock or rolled back by `abort=true`.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "db.h"
#include "http_types.h"
#include "namespace_tree.h"
#include "server_ca.h"

namespace nubo::server {

class E2eeApi {
public:
    // `mutex` guards `db` and `tree`; handle() takes it, the WebDAV hooks expect it held.
    E2eeApi(Db& db, NamespaceTree& tree, std::mutex& mutex, ServerCa& ca, std::chrono::seconds lockTimeout,
            std::function<void(const std::string& blob)> deleteBlob);

    // Creates the API's tables if missing (call with the mutex held, at start-up).
    void migrate();

    // /ocs/v{1,2}.php/apps/end_to_end_encryption/api/v{1,2}/<endpoint>; request.user is set.
    Response handle(Request& request, int apiVersion, bool ocsV2, const std::string& endpoint);

    // Whether the request comes from a client that declares E2EE support (header
    // X-E2EE-SUPPORTED: true) or an official client's User-Agent.
    static bool clientSupportsE2ee(const Request& request);

    // For WebDAV writes (mutex held): may this request change `item` (the target, or the
    // parent folder of a new entry)? nullopt = allowed; otherwise the refusal (403 or 423).
    std::optional<DavError> checkWrite(const Request& request, const Item& item);
    // Whether `item` lies in (or is) an encrypted folder.
    bool insideEncrypted(const Item& item);
    // Blobs a rollback may still need: the WebDAV layer must not delete them yet.
    bool blobPinned(const std::string& blob);

private:
    struct Lock {
        std::int64_t folder = 0;
        std::string token;
        std::int64_t counter = 0;
        std::int64_t lockedAt = 0;
    };
    std::optional<Lock> lockCovering(std::int64_t id);
    std::optional<Lock> conflictingLock(std::int64_t folder, const std::string& token);
    void expireStaleLocks();
    void snapshot(const Lock& lock);
    void finish(const Lock& lock, bool abort);

    Response keys(Request& request, bool ocsV2, const std::string& endpoint);
    Response lock(Request& request, int apiVersion, bool ocsV2, std::int64_t id);
    Response unlock(Request& request, int apiVersion, bool ocsV2, std::int64_t id);
    Response metadata(Request& request, int apiVersion, bool ocsV2, std::int64_t id);
    Response encryptedFlag(Request& request, bool ocsV2, std::int64_t id);
    Response addFiledrop(Request& request, bool ocsV2, std::int64_t id);
    std::string tokenOf(const Request& request, int apiVersion) const;

    Db& m_db;
    NamespaceTree& m_tree;
    std::mutex& m_mutex;
    ServerCa& m_ca;
    std::chrono::seconds m_lockTimeout;
    std::function<void(const std::string&)> m_deleteBlob;
};

} // namespace nubo::server
