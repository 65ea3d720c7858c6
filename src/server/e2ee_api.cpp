#include "e2ee_api.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>

#include "router.h"
#include "server_util.h"

namespace nubo::server {

using nlohmann::json;

namespace {




// A parameter from the query, a form body or a JSON body, as OCS accepts all three.
std::optional<std::string> parameter(const Request& request, const std::string& name)
{
    if (const auto it = request.query.find(name); it != request.query.end()) return it->second;
    const std::string contentType = request.header("Content-Type");
    if (contentType.starts_with("application/json")) {
        const auto body = json::parse(request.body, nullptr, false);
        if (body.is_object() && body.contains(name) && body[name].is_string()) return body[name].get<std::string>();
        return std::nullopt;
    }
    return formField(request.body, name);
}


Response fail(bool ocsV2, unsigned status, const std::string& message)
{
    return ocsReply(ocsV2, status, json{{"message", message}}.dump(), message);
}

Response ok(bool ocsV2, const json& data = json::array())
{
    return ocsReply(ocsV2, 200, data.dump());
}

} // namespace

E2eeApi::E2eeApi(Db& db, NamespaceTree& tree, std::mutex& mutex, ServerCa& ca, std::chrono::seconds lockTimeout,
                 std::function<void(const std::string& blob)> deleteBlob)
    : m_db(db), m_tree(tree), m_mutex(mutex), m_ca(ca), m_lockTimeout(lockTimeout), m_deleteBlob(std::move(deleteBlob))
{
}

void E2eeApi::migrate()
{
    m_db.exec(R"sql(
        CREATE TABLE IF NOT EXISTS e2ee_public_keys(user TEXT PRIMARY KEY, certificate TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS e2ee_private_keys(user TEXT PRIMARY KEY, envelope TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS e2ee_metadata(folder INTEGER PRIMARY KEY, metadata TEXT NOT NULL,
                                                 signature TEXT NOT NULL DEFAULT '');
        CREATE TABLE IF NOT EXISTS e2ee_staged_metadata(token TEXT NOT NULL, folder INTEGER NOT NULL,
                                                        metadata TEXT, signature TEXT NOT NULL DEFAULT '',
                                                        PRIMARY KEY(token, folder));
        CREATE TABLE IF NOT EXISTS e2ee_locks(folder INTEGER PRIMARY KEY, token TEXT NOT NULL,
                                              counter INTEGER NOT NULL, locked_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS e2ee_counters(folder INTEGER PRIMARY KEY, counter INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS e2ee_snapshots(token TEXT NOT NULL, id INTEGER NOT NULL, owner TEXT, parent INTEGER,
                                                  name TEXT, is_dir INTEGER, size INTEGER, mtime INTEGER, etag TEXT,
                                                  blob TEXT, checksum TEXT, encrypted INTEGER,
                                                  PRIMARY KEY(token, id));
    )sql");
}

bool E2eeApi::clientSupportsE2ee(const Request& request)
{
    if (request.header("X-E2EE-SUPPORTED") == "true") return true;
    const std::string agent = request.header("User-Agent");
    return agent.find("mirall/") != std::string::npos || agent.find("Nextcloud-android") != std::string::npos ||
           agent.find("Nextcloud-iOS") != std::string::npos;
}

std::string E2eeApi::tokenOf(const Request& request, int apiVersion) const
{
    std::string token = request.header("e2e-token");
    if (token.empty() && apiVersion == 1) {
        if (const auto it = request.query.find("e2e-token"); it != request.query.end()) token = it->second;
    }
    return token;
}

void E2eeApi::expireStaleLocks()
{
    const std::int64_t limit = nowSeconds() - m_lockTimeout.count();
    auto stale = m_db.prepare("SELECT folder, token, counter, locked_at FROM e2ee_locks WHERE locked_at < ?");
    stale.bind(1, limit);
    std::vector<Lock> expired;
    while (stale.step()) expired.push_back({stale.integer(0), stale.text(1), stale.integer(2), stale.integer(3)});
    for (const Lock& lock : expired) finish(lock, true); // an abandoned transaction is rolled back
}

std::optional<E2eeApi::Lock> E2eeApi::lockCovering(std::int64_t id)
{
    auto locks = m_db.prepare("SELECT folder, token, counter, locked_at FROM e2ee_locks");
    while (locks.step()) {
        Lock lock{locks.integer(0), locks.text(1), locks.integer(2), locks.integer(3)};
        if (m_tree.isSelfOrAncestor(lock.folder, id)) return lock;
    }
    return std::nullopt;
}

std::optional<E2eeApi::Lock> E2eeApi::conflictingLock(std::int64_t folder, const std::string& token)
{
    auto locks = m_db.prepare("SELECT folder, token, counter, locked_at FROM e2ee_locks");
    while (locks.step()) {
        Lock lock{locks.integer(0), locks.text(1), locks.integer(2), locks.integer(3)};
        if (lock.token == token) continue;
        if (m_tree.isSelfOrAncestor(lock.folder, folder) || m_tree.isSelfOrAncestor(folder, lock.folder)) return lock;
    }
    return std::nullopt;
}

bool E2eeApi::insideEncrypted(const Item& item)
{
    std::optional<Item> current = item;
    while (current) {
        if (current->encrypted) return true;
        current = current->parent ? m_tree.byId(*current->parent) : std::nullopt;
    }
    return false;
}

// The real app's LockPlugin (verifyTokenOnWriteAccess): a write into an encrypted folder needs
// an e2e-token, whether or not the folder is locked: 403 without one. With one, every lock on
// the item or its ancestors must hold that token and there must be at least one: 423 otherwise
// (also when nothing is locked, as LockManager::isLocked(..., requireLock) answers). The token
// comes from the header, or from the query when there is no header (API v1 clients). A header
// that is present but empty is a (wrong) token, as it is for the real app.
std::optional<DavError> E2eeApi::checkWrite(const Request& request, const Item& item)
{
    if (!insideEncrypted(item)) return std::nullopt;
    if (!clientSupportsE2ee(request)) {
        return DavError{403, "writes into end-to-end encrypted folders need an E2EE-capable client "
                             "(X-E2EE-SUPPORTED: true)"};
    }
    std::optional<std::string> token;
    if (const auto it = request.headers.find("e2e-token"); it != request.headers.end()) {
        token = std::string(it->value());
    } else if (const auto query = request.query.find("e2e-token"); query != request.query.end()) {
        token = query->second;
    }
    if (!token) return DavError{403, "Write access to end-to-end encrypted folder requires token - no token sent"};
    expireStaleLocks();
    bool lockedByToken = false;
    auto locks = m_db.prepare("SELECT folder, token FROM e2ee_locks");
    while (locks.step()) {
        if (!m_tree.isSelfOrAncestor(locks.integer(0), item.id)) continue;
        if (locks.text(1) != *token) {
            lockedByToken = false;
            break;
        }
        lockedByToken = true;
    }
    if (!lockedByToken) {
        return DavError{423, "Write access to end-to-end encrypted folder requires token - resource not locked or "
                             "wrong token sent"};
    }
    return std::nullopt;
}

bool E2eeApi::blobPinned(const std::string& blob)
{
    auto s = m_db.prepare("SELECT 1 FROM e2ee_snapshots WHERE blob = ? LIMIT 1");
    s.bind(1, blob);
    return s.step();
}

void E2eeApi::snapshot(const Lock& lock)
{
    m_db.prepare("DELETE FROM e2ee_snapshots WHERE token = ?").bind(1, lock.token).run();
    m_db.prepare("WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT i.id FROM items i JOIN sub ON i.parent = sub.id) "
                 "INSERT INTO e2ee_snapshots(token, id, owner, parent, name, is_dir, size, mtime, etag, blob, checksum, "
                 "encrypted) SELECT ?2, id, owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted "
                 "FROM items WHERE id IN (SELECT id FROM sub)")
        .bind(1, lock.folder)
        .bind(2, lock.token)
        .run();
}

// Ends a lock: commits staged metadata, or (abort) restores the folder tree as it was when
// the lock was taken and drops staged metadata. Blobs nobody needs any more are deleted.
void E2eeApi::finish(const Lock& lock, bool abort)
{
    std::vector<std::string> unusedBlobs;
    {
        Transaction transaction(m_db);
        if (abort) {
            const auto before = m_tree.byId(lock.folder);
            auto current = m_db.prepare(
                "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT i.id FROM items i JOIN sub ON i.parent = sub.id) "
                "SELECT blob FROM items WHERE id IN (SELECT id FROM sub) AND blob IS NOT NULL AND blob != ''");
            current.bind(1, lock.folder);
            while (current.step()) unusedBlobs.push_back(current.text(0));
            m_db.prepare("WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT i.id FROM items i JOIN sub ON "
                         "i.parent = sub.id) DELETE FROM items WHERE id IN (SELECT id FROM sub)")
                .bind(1, lock.folder)
                .run();
            m_db.prepare("INSERT OR REPLACE INTO items(id, owner, parent, name, is_dir, size, mtime, etag, blob, checksum, "
                         "encrypted) SELECT id, owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted "
                         "FROM e2ee_snapshots WHERE token = ?")
                .bind(1, lock.token)
                .run();
            const auto after = m_tree.byId(lock.folder);
            if (after && after->parent) {
                // The restored rows carry their old sizes; the ancestors get the difference, and
                // the folder and its ancestors new ETags, so clients see that something changed back.
                const std::int64_t delta = before ? after->size - before->size : 0;
                m_tree.propagate(*after->parent, delta, nowSeconds());
                m_db.prepare("UPDATE items SET etag = lower(hex(randomblob(8))) WHERE id = ?").bind(1, lock.folder).run();
            }
            m_db.prepare("DELETE FROM e2ee_staged_metadata WHERE token = ?").bind(1, lock.token).run();
        } else {
            auto staged = m_db.prepare("SELECT folder, metadata, signature FROM e2ee_staged_metadata WHERE token = ?");
            staged.bind(1, lock.token);
            std::vector<std::int64_t> changedFolders;
            while (staged.step()) {
                changedFolders.push_back(staged.integer(0));
                if (staged.isNull(1)) {
                    m_db.prepare("DELETE FROM e2ee_metadata WHERE folder = ?").bind(1, staged.integer(0)).run();
                } else {
                    m_db.prepare("INSERT OR REPLACE INTO e2ee_metadata(folder, metadata, signature) VALUES(?, ?, ?)")
                        .bind(1, staged.integer(0))
                        .bind(2, staged.text(1))
                        .bind(3, staged.text(2))
                        .run();
                }
            }
            m_db.prepare("DELETE FROM e2ee_staged_metadata WHERE token = ?").bind(1, lock.token).run();
            // A metadata-only change (a rename) must show in the listing too: the folders whose
            // metadata changed and their ancestors get new ETags, so other clients read them again.
            for (const std::int64_t folder : changedFolders) {
                if (m_tree.byId(folder)) m_tree.propagate(folder, 0, nowSeconds());
            }
            auto snapshotBlobs = m_db.prepare("SELECT blob FROM e2ee_snapshots WHERE token = ? AND blob IS NOT NULL "
                                              "AND blob != ''");
            snapshotBlobs.bind(1, lock.token);
            while (snapshotBlobs.step()) unusedBlobs.push_back(snapshotBlobs.text(0));
        }
        m_db.prepare("DELETE FROM e2ee_snapshots WHERE token = ?").bind(1, lock.token).run();
        m_db.prepare("DELETE FROM e2ee_locks WHERE folder = ?").bind(1, lock.folder).run();
        transaction.commit();
    }
    for (const std::string& blob : unusedBlobs) {
        if (!m_tree.blobReferenced(blob) && !blobPinned(blob)) m_deleteBlob(blob);
    }
}


Response E2eeApi::keys(Request& request, bool ocsV2, const std::string& endpoint)
{
    const std::string& user = request.user;
    const auto method = request.method;
    if (endpoint == "server-key" && method == http::verb::get) return ok(ocsV2, {{"public-key", m_ca.publicKeyPem()}});

    if (endpoint == "public-key") {
        if (method == http::verb::get) {
            json users = json::array();
            if (const auto list = parameter(request, "users"); list && !list->empty()) {
                users = json::parse(*list, nullptr, false);
                if (!users.is_array()) return fail(ocsV2, 400, "Cannot decode userlist");
            }
            if (std::find(users.begin(), users.end(), json(user)) == users.end()) users.push_back(user);
            json keys = json::object();
            for (const json& uid : users) {
                if (!uid.is_string()) return fail(ocsV2, 400, "Cannot decode userlist");
                auto s = m_db.prepare("SELECT certificate FROM e2ee_public_keys WHERE user = ?");
                s.bind(1, uid.get<std::string>());
                if (!s.step()) {
                    return fail(ocsV2, 404, "Could not find the public key belonging to the user " + uid.get<std::string>());
                }
                keys[uid.get<std::string>()] = s.text(0);
            }
            return ok(ocsV2, {{"public-keys", keys}});
        }
        auto exists = m_db.prepare("SELECT 1 FROM e2ee_public_keys WHERE user = ?");
        exists.bind(1, user);
        const bool present = exists.step();
        if (method == http::verb::post) {
            if (present) return ocsReply(ocsV2, 409, "[]", "public key exists");
            const auto csr = parameter(request, "csr");
            if (!csr) return fail(ocsV2, 400, "Could not parse the CSR, please make sure to submit a valid CSR");
            auto certificate = m_ca.signCsr(*csr, user);
            if (!certificate) return fail(ocsV2, certificate.error().status, certificate.error().message);
            m_db.prepare("INSERT INTO e2ee_public_keys(user, certificate) VALUES(?, ?)").bind(1, user).bind(2, *certificate).run();
            return ok(ocsV2, {{"public-key", *certificate}});
        }
        if (method == http::verb::put) {
            const auto certificate = parameter(request, "publicKey");
            if (!certificate || !certificate->starts_with("-----BEGIN CERTIFICATE-----")) {
                return fail(ocsV2, 400, "Invalid public key format");
            }
            if (present) return ocsReply(ocsV2, 409, "[]", "public key exists");
            m_db.prepare("INSERT INTO e2ee_public_keys(user, certificate) VALUES(?, ?)").bind(1, user).bind(2, *certificate).run();
            return ok(ocsV2, {{"public-key", *certificate}});
        }
        if (method == http::verb::delete_) {
            if (!present) return fail(ocsV2, 404, "Could not find the public key belonging to " + user);
            m_db.prepare("DELETE FROM e2ee_public_keys WHERE user = ?").bind(1, user).run();
            return ok(ocsV2);
        }
    }

    if (endpoint == "private-key") {
        auto existing = m_db.prepare("SELECT envelope FROM e2ee_private_keys WHERE user = ?");
        existing.bind(1, user);
        const bool present = existing.step();
        if (method == http::verb::get) {
            if (!present) return fail(ocsV2, 404, "Could not find the private key");
            return ok(ocsV2, {{"private-key", existing.text(0)}});
        }
        if (method == http::verb::post) {
            const auto envelope = parameter(request, "privateKey");
            if (!envelope) return fail(ocsV2, 400, "Invalid private key format");
            std::vector<std::string> parts;
            for (std::size_t start = 0;;) {
                const std::size_t bar = envelope->find('|', start);
                parts.push_back(envelope->substr(start, bar == std::string::npos ? std::string::npos : bar - start));
                if (bar == std::string::npos) break;
                start = bar + 1;
            }
            const auto iv = parts.size() == 3 ? decodeBase64(parts[1]) : std::nullopt;
            const auto salt = parts.size() == 3 ? decodeBase64(parts[2]) : std::nullopt;
            if (parts.size() != 3 || !decodeBase64(parts[0]) || !iv || iv->size() != 12 || !salt || salt->size() != 40) {
                return fail(ocsV2, 400, "Invalid private key format");
            }
            if (present) return ocsReply(ocsV2, 409, "[]", "private key exists");
            m_db.prepare("INSERT INTO e2ee_private_keys(user, envelope) VALUES(?, ?)").bind(1, user).bind(2, *envelope).run();
            return ok(ocsV2, {{"private-key", *envelope}});
        }
        if (method == http::verb::delete_) {
            if (!present) return fail(ocsV2, 404, "Could not find the private key belonging to the user " + user);
            m_db.prepare("DELETE FROM e2ee_private_keys WHERE user = ?").bind(1, user).run();
            return ok(ocsV2);
        }
    }
    return fail(ocsV2, 405, "method not allowed on " + endpoint);
}

Response E2eeApi::encryptedFlag(Request& request, bool ocsV2, std::int64_t id)
{
    const auto item = m_tree.byId(id);
    if (!item || item->owner != request.user) return fail(ocsV2, 404, "no such folder");
    if (!item->isDir || !item->parent) return fail(ocsV2, 403, "only a folder other than the root can be encrypted");
    const bool empty = m_tree.children(id).empty();
    if (request.method == http::verb::put) {
        if (!empty && !item->encrypted) return fail(ocsV2, 403, "only an empty folder can be marked encrypted");
        m_tree.setEncrypted(id, true, nowSeconds());
        return ok(ocsV2);
    }
    if (request.method == http::verb::delete_) {
        if (!empty) return fail(ocsV2, 403, "the encrypted flag cannot be removed while the folder is not empty");
        m_tree.setEncrypted(id, false, nowSeconds());
        return ok(ocsV2);
    }
    return fail(ocsV2, 405, "method not allowed");
}

Response E2eeApi::lock(Request& request, int apiVersion, bool ocsV2, std::int64_t id)
{
    const auto item = m_tree.byId(id);
    if (!item || item->owner != request.user || !item->isDir) {
        return fail(ocsV2, 403, "You are not allowed to create the lock");
    }
    if (!item->parent) return fail(ocsV2, 403, "You are not allowed to lock the root");
    if (!insideEncrypted(*item)) return fail(ocsV2, 403, "only end-to-end encrypted folders can be locked");

    std::int64_t counter = 0;
    if (apiVersion >= 2) {
        const std::string header = request.header("X-NC-E2EE-COUNTER");
        char* end = nullptr;
        counter = header.empty() ? 0 : std::strtoll(header.c_str(), &end, 10);
        if (header.empty() || end == nullptr || *end != '\0' || counter <= 0) {
            return fail(ocsV2, 400, "X-NC-E2EE-COUNTER is missing in the request");
        }
    }
    std::string token = request.header("e2e-token");
    if (const auto param = parameter(request, "e2e-token"); token.empty() && param) token = *param;

    expireStaleLocks();
    if (const auto held = conflictingLock(id, token)) return fail(ocsV2, 423, "File already locked");
    auto existing = m_db.prepare("SELECT token, counter FROM e2ee_locks WHERE folder = ?");
    existing.bind(1, id);
    const bool retake = existing.step() && !token.empty() && existing.text(0) == token;

    auto stored = m_db.prepare("SELECT counter FROM e2ee_counters WHERE folder = ?");
    stored.bind(1, id);
    const std::int64_t previous = stored.step() ? stored.integer(0) : 0;
    if (apiVersion >= 2 && (retake ? counter < previous : counter <= previous)) {
        return fail(ocsV2, 412, "the counter " + std::to_string(counter) + " is not greater than the stored " +
                                    std::to_string(previous));
    }
    Transaction transaction(m_db);
    if (retake) {
        m_db.prepare("UPDATE e2ee_locks SET locked_at = ?, counter = ? WHERE folder = ?")
            .bind(1, nowSeconds()).bind(2, counter).bind(3, id).run();
    } else {
        token = randomAlphanumeric(64);
        const Lock lock{id, token, counter, nowSeconds()};
        m_db.prepare("INSERT INTO e2ee_locks(folder, token, counter, locked_at) VALUES(?, ?, ?, ?)")
            .bind(1, id).bind(2, token).bind(3, counter).bind(4, lock.lockedAt).run();
        snapshot(lock);
    }
    if (apiVersion >= 2) {
        m_db.prepare("INSERT OR REPLACE INTO e2ee_counters(folder, counter) VALUES(?, ?)").bind(1, id).bind(2, counter).run();
    }
    transaction.commit();
    return ok(ocsV2, {{"e2e-token", token}});
}

Response E2eeApi::unlock(Request& request, int apiVersion, bool ocsV2, std::int64_t id)
{
    const std::string token = tokenOf(request, apiVersion);
    if (token.empty()) return fail(ocsV2, 400, "e2e-token is empty");
    const auto item = m_tree.byId(id);
    if (!item || item->owner != request.user || !item->isDir) {
        return fail(ocsV2, 403, "You are not allowed to remove the lock");
    }
    expireStaleLocks();
    auto existing = m_db.prepare("SELECT token, counter, locked_at FROM e2ee_locks WHERE folder = ?");
    existing.bind(1, id);
    if (!existing.step()) return fail(ocsV2, 404, "File not locked");
    const Lock lock{id, existing.text(0), existing.integer(1), existing.integer(2)};
    if (lock.token != token) return fail(ocsV2, 403, "You are not allowed to remove the lock");
    const auto abort = parameter(request, "abort");
    finish(lock, abort && *abort == "true");
    return ok(ocsV2);
}

Response E2eeApi::metadata(Request& request, int apiVersion, bool ocsV2, std::int64_t id)
{
    const auto item = m_tree.byId(id);
    if (!item || item->owner != request.user || !item->isDir) {
        return fail(ocsV2, 404, "Could not find metadata for \"" + std::to_string(id) + "\"");
    }
    auto committed = m_db.prepare("SELECT metadata, signature FROM e2ee_metadata WHERE folder = ?");
    committed.bind(1, id);
    const bool present = committed.step();
    if (request.method == http::verb::get) {
        if (!present) return fail(ocsV2, 404, "Could not find metadata for \"" + std::to_string(id) + "\"");
        Response response = ok(ocsV2, {{"meta-data", committed.text(0)}});
        response.set("X-NC-E2EE-SIGNATURE", committed.text(1));
        return response;
    }

    const std::string token = tokenOf(request, apiVersion);
    const std::string signature = request.header("X-NC-E2EE-SIGNATURE");
    if (token.empty()) return fail(ocsV2, 412, "e2e-token is empty");
    const bool writes = request.method == http::verb::post || request.method == http::verb::put;
    if (apiVersion >= 2 && writes && signature.empty()) return fail(ocsV2, 412, "X-NC-E2EE-SIGNATURE is empty");
    expireStaleLocks();
    const auto lock = lockCovering(id);
    if (!lock || lock->token != token) {
        return fail(ocsV2, 403, "You are not allowed to edit the file, make sure to first lock it, and then send the "
                                "right token");
    }
    auto staged = m_db.prepare("SELECT metadata FROM e2ee_staged_metadata WHERE token = ? AND folder = ?");
    staged.bind(1, token).bind(2, id);
    const bool hasStaged = staged.step();
    const bool exists = hasStaged ? !staged.isNull(0) : present;

    const auto stage = [&](const std::optional<std::string>& metadata) {
        auto s = m_db.prepare("INSERT OR REPLACE INTO e2ee_staged_metadata(token, folder, metadata, signature) "
                              "VALUES(?, ?, ?, ?)");
        s.bind(1, token).bind(2, id);
        if (metadata) s.bind(3, *metadata); else s.bindNull(3);
        s.bind(4, signature).run();
    };
    if (request.method == http::verb::delete_) {
        if (!exists) return fail(ocsV2, 404, "Could not find metadata for \"" + std::to_string(id) + "\"");
        stage(std::nullopt);
        return ok(ocsV2);
    }
    const auto document = parameter(request, "metaData");
    if (!document) return fail(ocsV2, 400, "metaData is missing");
    if (request.method == http::verb::post && exists) return ocsReply(ocsV2, 409, "[]", "metadata exists");
    if (request.method == http::verb::put && !exists) return fail(ocsV2, 404, "Metadata-file does not exist");
    if (!writes) return fail(ocsV2, 405, "method not allowed");
    stage(*document);
    return ok(ocsV2, {{"meta-data", *document}});
}

// File drop (public upload links): entries are merged into the committed document's "filedrop"
// object, which signatures do not cover, without a client-held lock. Refused while a client
// holds a lock on the folder, as the real server's own short lock would be.
Response E2eeApi::addFiledrop(Request& request, bool ocsV2, std::int64_t id)
{
    const auto item = m_tree.byId(id);
    if (!item || item->owner != request.user || !item->isDir || !item->parent) {
        return fail(ocsV2, 403, "You are not allowed to create the lock");
    }
    expireStaleLocks();
    if (lockCovering(id)) return fail(ocsV2, 403, "File already locked");
    const auto entries = parameter(request, "filedrop");
    const json added = entries ? json::parse(*entries, nullptr, false) : json();
    if (!added.is_object()) return fail(ocsV2, 400, "filedrop must be a JSON object");
    auto committed = m_db.prepare("SELECT metadata FROM e2ee_metadata WHERE folder = ?");
    committed.bind(1, id);
    if (!committed.step()) return fail(ocsV2, 404, "Metadata-file does not exist");
    json document = json::parse(committed.text(0), nullptr, false);
    if (!document.is_object()) return fail(ocsV2, 400, "Cannot update filedrop: the stored metadata is not a JSON object");
    if (!document.contains("filedrop") || !document["filedrop"].is_object()) document["filedrop"] = json::object();
    for (const auto& [key, value] : added.items()) document["filedrop"][key] = value;
    m_db.prepare("UPDATE e2ee_metadata SET metadata = ? WHERE folder = ?").bind(1, document.dump()).bind(2, id).run();
    return ok(ocsV2, {{"filedrop", added}});
}

Response E2eeApi::handle(Request& request, int apiVersion, bool ocsV2, const std::string& endpoint)
{
    if (!clientSupportsE2ee(request)) {
        return fail(ocsV2, 403, "end-to-end encryption needs a client that sends X-E2EE-SUPPORTED: true");
    }
    std::lock_guard guard(m_mutex);
    try {
        if (endpoint == "public-key" || endpoint == "private-key" || endpoint == "server-key") {
            return keys(request, ocsV2, endpoint);
        }
        const std::size_t slash = endpoint.find('/');
        const std::string family = endpoint.substr(0, slash);
        std::string rest = slash == std::string::npos ? std::string() : endpoint.substr(slash + 1);
        const bool filedrop = rest.ends_with("/filedrop");
        if (filedrop) rest.resize(rest.size() - std::string("/filedrop").size());
        char* end = nullptr;
        const long long id = std::strtoll(rest.c_str(), &end, 10);
        if (rest.empty() || end == nullptr || *end != '\0' || id <= 0) return fail(ocsV2, 404, "no such endpoint");
        if (family == "encrypted") return encryptedFlag(request, ocsV2, id);
        if (family == "lock" && request.method == http::verb::post) return lock(request, apiVersion, ocsV2, id);
        if (family == "lock" && request.method == http::verb::delete_) return unlock(request, apiVersion, ocsV2, id);
        if (family == "meta-data" && !filedrop) return metadata(request, apiVersion, ocsV2, id);
        if (family == "meta-data" && request.method == http::verb::put) return addFiledrop(request, ocsV2, id);
        return fail(ocsV2, 404, "no such endpoint: " + endpoint);
    } catch (const std::exception& e) {
        return fail(ocsV2, 500, std::string("Internal error: ") + e.what());
    }
}

} // namespace nubo::server
