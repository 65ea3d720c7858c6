#include "journal.h"

#include <algorithm>
#include <sqlite3.h>
#include <string_view>
#include <tuple>
#include <utility>

#include "journal_migrations.h"

namespace nubo::sync {

namespace {

// Sync runs can overlap with a GUI reading the journal; waiting a few seconds for a lock beats
// failing a whole run on a momentary SQLITE_BUSY.
constexpr int BUSY_TIMEOUT_MS = 5000;
constexpr std::int64_t MAX_BACKOFF_SECONDS = 24 * 60 * 60;

class Statement {
public:
    Statement() = default;
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3_stmt* get() const { return m_stmt; }
    sqlite3_stmt** out() { return &m_stmt; }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

// Leaves a cached statement ready for its next use whatever way the caller leaves.
class ResetOnExit {
public:
    explicit ResetOnExit(sqlite3_stmt* stmt) : m_stmt(stmt) {}
    ~ResetOnExit()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    sqlite3_stmt* m_stmt;
};

// The strings outlive the step that reads them, so SQLite need not copy them.
void bindText(sqlite3_stmt* stmt, int index, std::string_view text)
{
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view columnText(sqlite3_stmt* stmt, int index)
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, index));
    if (text == nullptr) return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, index))};
}

// Empty columns are common (folders have no checksum) and cost nothing this way; the rest go
// straight to std::string::assign without a temporary.
void assignText(std::string& out, sqlite3_stmt* stmt, int index)
{
    const int length = sqlite3_column_bytes(stmt, index);
    if (length > 0)
        out.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, index)), static_cast<std::size_t>(length));
}

std::string fileDisplay(const std::filesystem::path& file)
{
    return "\"" + file.string() + "\"";
}

} // namespace

struct Journal::Statements {
    Statement begin;
    Statement commit;
    Statement rollback;
    Statement loadAll;
    Statement record;
    Statement children;
    Statement subtree;
    Statement encrypted;
    Statement inodes;
    Statement count;
    Statement upsert;
    Statement deleteOne;
    Statement deleteRange;
    Statement deleteAll;
    Statement blacklistAll;
    Statement blacklistGet;
    Statement blacklistPut;
    Statement blacklistDelete;
    Statement settingGet;
    Statement settingPut;
    Statement e2eeAll;
    Statement e2eePut;
};

Journal::Journal(sqlite3* db, std::filesystem::path file)
    : m_db(db), m_file(std::move(file)), m_statements(std::make_unique<Statements>())
{
}

Journal::~Journal()
{
    // Statements must be finalized before the connection can close.
    m_statements.reset();
    sqlite3_close_v2(m_db);
}

int Journal::schemaVersion() const
{
    return m_version;
}

SyncError Journal::sqliteError(const std::string& what) const
{
    const int code = sqlite3_errcode(m_db) & 0xff;
    const std::string detail = sqlite3_errmsg(m_db);
    const std::string file = fileDisplay(m_file);
    switch (code) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return {SyncErrorCode::Journal,
                "the journal " + file + " is damaged or is not a Nubo journal (" + detail + " while trying to " + what +
                    "); move it away or delete it, together with its -wal and -shm files, to start over: " +
                    "the next sync then compares every file with the server again"};
    case SQLITE_FULL:
        return {SyncErrorCode::DiskFull,
                "the local disk is full: could not " + what + " in the journal " + file + "; free some space"};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {SyncErrorCode::Journal, "the journal " + file + " is in use by another process (could not " + what +
                                            "); stop the other sync of this folder and try again"};
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return {SyncErrorCode::Journal, "the journal " + file + " cannot be opened or written (" + detail +
                                            " while trying to " + what +
                                            "); check that its folder exists and that the folder and the file are "
                                            "writable"};
    default: return {SyncErrorCode::Journal, "the journal " + file + ": could not " + what + " (" + detail + ")"};
    }
}

Result<void> Journal::exec(const char* sql, const std::string& what)
{
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return std::unexpected(sqliteError(what));
    return {};
}

Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& file)
{
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    // The Journal owns the handle from here on, so every early return closes it.
    std::unique_ptr<Journal> journal(new Journal(db, file));
    if (rc != SQLITE_OK) {
        if (db == nullptr)
            return fail(SyncErrorCode::Journal, "could not open the journal " + fileDisplay(file) + ": out of memory");
        return std::unexpected(journal->sqliteError("open it"));
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);

    // The first statement that reads the file is the one that notices it is not a database.
    if (auto ok = journal->exec("PRAGMA journal_mode=WAL", "switch it to WAL mode"); !ok)
        return std::unexpected(ok.error());
    // NORMAL in WAL mode loses at most the last transactions on power loss, never consistency,
    // and the sync engine repairs a journal that is a little behind.
    if (auto ok = journal->exec("PRAGMA synchronous=NORMAL", "set its durability"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = journal->migrate(); !ok) return std::unexpected(ok.error());
    return journal;
}

Result<void> Journal::migrate()
{
    {
        Statement stmt;
        if (sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, stmt.out(), nullptr) != SQLITE_OK ||
            sqlite3_step(stmt.get()) != SQLITE_ROW)
            return std::unexpected(sqliteError("read the schema version"));
        m_version = sqlite3_column_int(stmt.get(), 0);
    }

    const auto migrations = journalMigrations();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (m_version > latest)
        return fail(SyncErrorCode::Journal, "the journal " + fileDisplay(m_file) +
                                                " was written by a newer Nubo (schema " + std::to_string(m_version) +
                                                ", this version knows up to " + std::to_string(latest) +
                                                "); update Nubo or remove the file to start over");

    for (const Migration& migration : migrations) {
        if (migration.version <= m_version) continue;
        const std::string what = std::string("apply the schema migration ") + migration.name;
        // IMMEDIATE: two processes opening an old journal at once must not both migrate it.
        if (auto ok = exec("BEGIN IMMEDIATE", what); !ok) return ok;
        const std::string bump = "PRAGMA user_version = " + std::to_string(migration.version);
        auto ok = exec(migration.sql, what);
        if (ok) ok = exec(bump.c_str(), what);
        if (ok) ok = exec("COMMIT", what);
        if (!ok) {
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            return ok;
        }
        m_version = migration.version;
    }
    return {};
}

namespace {

// Prepares `slot` on first use; later calls only hand back the cached statement.
sqlite3_stmt* prepared(sqlite3* db, Statement& slot, const char* sql)
{
    if (slot.get() == nullptr &&
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot.out(), nullptr) != SQLITE_OK)
        return nullptr;
    return slot.get();
}

} // namespace

namespace {

constexpr const char* kItemColumns = "path, server_path, type, encrypted, inode, size, mtime, etag, file_id, "
                                     "permissions, checksum, mtime_ns, ctime";

// Fills `record` from the row `stmt` stands on (columns as kItemColumns); false for an unknown type.
bool readRecord(sqlite3_stmt* stmt, JournalRecord& record)
{
    const int type = sqlite3_column_int(stmt, 2);
    if (type != static_cast<int>(ItemType::File) && type != static_cast<int>(ItemType::Directory))
        return false;
    record.type = static_cast<ItemType>(type);
    assignText(record.serverPath, stmt, 1);
    record.encrypted = sqlite3_column_int(stmt, 3) != 0;
    record.inode = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 4));
    record.size = sqlite3_column_int64(stmt, 5);
    record.mtime = sqlite3_column_int64(stmt, 6);
    assignText(record.etag, stmt, 7);
    assignText(record.fileId, stmt, 8);
    assignText(record.permissions, stmt, 9);
    assignText(record.checksum, stmt, 10);
    record.mtimeNs = sqlite3_column_int64(stmt, 11);
    record.ctime = sqlite3_column_int64(stmt, 12);
    return true;
}

int slashes(const std::string& path)
{
    return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

} // namespace

Result<JournalTree> Journal::loadAll()
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->loadAll,
                                  (std::string("SELECT ") + kItemColumns + " FROM items ORDER BY path").c_str());
    if (stmt == nullptr) return std::unexpected(sqliteError("load the records"));
    ResetOnExit reset(stmt);

    JournalTree tree;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        // Rows arrive in key order (BINARY collation sorts as std::string does), so the hint makes
        // every insertion constant time; the record is filled in place to avoid temporaries.
        const auto* path = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        const auto pathLength = static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0));
        auto it = tree.emplace_hint(tree.end(), std::piecewise_construct, std::forward_as_tuple(path, pathLength),
                                    std::forward_as_tuple());
        if (!readRecord(stmt, it->second))
            return fail(SyncErrorCode::Journal, "the journal " + fileDisplay(m_file) +
                                                    " has a record of unknown type " +
                                                    std::to_string(sqlite3_column_int(stmt, 2)) + " for \"" +
                                                    it->first + "\"; remove the file to start over");
    }
    if (rc != SQLITE_DONE) return std::unexpected(sqliteError("load the records"));
    return tree;
}

Result<JournalRows> Journal::readRows(sqlite3_stmt* stmt) const
{
    ResetOnExit reset(stmt);
    JournalRows rows;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        auto& [path, record] = rows.emplace_back();
        assignText(path, stmt, 0);
        if (!readRecord(stmt, record))
            return fail(SyncErrorCode::Journal, "the journal " + fileDisplay(m_file) +
                                                    " has a record of unknown type " +
                                                    std::to_string(sqlite3_column_int(stmt, 2)) + " for \"" + path +
                                                    "\"; remove the file to start over");
    }
    if (rc != SQLITE_DONE) return std::unexpected(sqliteError("read the records"));
    return rows;
}

Result<std::optional<JournalRecord>> Journal::record(const std::string& path) const
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->record,
                                  (std::string("SELECT ") + kItemColumns + " FROM items WHERE path = ?1").c_str());
    if (stmt == nullptr) return std::unexpected(sqliteError("read a record"));
    bindText(stmt, 1, path);
    auto rows = readRows(stmt);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::optional<JournalRecord>();
    return std::optional<JournalRecord>(std::move(rows->front().second));
}

Result<JournalRows> Journal::children(const std::string& folder) const
{
    // The depth expression is the one of the items_by_depth index (migration 004), so this is one
    // range of that index. Below "p" means between "p/" and "p0" ('0' follows '/'); the top level
    // is everything above "" (the root) without a slash, and "\xff" is above every UTF-8 path.
    sqlite3_stmt* stmt = prepared(m_db, m_statements->children,
                                  (std::string("SELECT ") + kItemColumns +
                                   " FROM items WHERE (length(path) - length(replace(path, '/', ''))) = ?1 "
                                   "AND path > ?2 AND path < ?3 ORDER BY path")
                                      .c_str());
    if (stmt == nullptr) return std::unexpected(sqliteError("read a folder's records"));
    // Bound without a copy: the bounds must outlive the reading.
    const std::string low = folder.empty() ? std::string() : folder + '/';
    const std::string high = folder.empty() ? std::string("\xff") : folder + '0';
    sqlite3_bind_int(stmt, 1, folder.empty() ? 0 : slashes(folder) + 1);
    bindText(stmt, 2, low);
    bindText(stmt, 3, high);
    return readRows(stmt);
}

Result<JournalRows> Journal::subtree(const std::string& folder) const
{
    sqlite3_stmt* stmt = prepared(
        m_db, m_statements->subtree,
        (std::string("SELECT ") + kItemColumns + " FROM items WHERE path > ?1 AND path < ?2 ORDER BY path").c_str());
    if (stmt == nullptr) return std::unexpected(sqliteError("read a folder's records"));
    const std::string low = folder.empty() ? std::string() : folder + '/';
    const std::string high = folder.empty() ? std::string("\xff") : folder + '0';
    bindText(stmt, 1, low);
    bindText(stmt, 2, high);
    return readRows(stmt);
}

Result<JournalRows> Journal::encryptedRecords() const
{
    sqlite3_stmt* stmt = prepared(
        m_db, m_statements->encrypted,
        (std::string("SELECT ") + kItemColumns + " FROM items WHERE encrypted != 0 ORDER BY path").c_str());
    if (stmt == nullptr) return std::unexpected(sqliteError("read the encrypted folders' records"));
    return readRows(stmt);
}

Result<std::vector<std::uint64_t>> Journal::inodes() const
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->inodes, "SELECT inode FROM items WHERE inode != 0");
    if (stmt == nullptr) return std::unexpected(sqliteError("read the records' inodes"));
    ResetOnExit reset(stmt);
    std::vector<std::uint64_t> found;
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        found.push_back(static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0)));
    if (step != SQLITE_DONE) return std::unexpected(sqliteError("read the records' inodes"));
    std::ranges::sort(found);
    return found;
}

Result<std::int64_t> Journal::count() const
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->count, "SELECT count(*) FROM items");
    if (stmt == nullptr) return std::unexpected(sqliteError("count the records"));
    ResetOnExit reset(stmt);
    if (sqlite3_step(stmt) != SQLITE_ROW) return std::unexpected(sqliteError("count the records"));
    return sqlite3_column_int64(stmt, 0);
}

Result<void> Journal::apply(const std::vector<std::pair<std::string, JournalRecord>>& upserts,
                            const std::vector<std::string>& deletedTrees)
{
    Statements& s = *m_statements;
    sqlite3_stmt* begin = prepared(m_db, s.begin, "BEGIN IMMEDIATE");
    sqlite3_stmt* commit = prepared(m_db, s.commit, "COMMIT");
    sqlite3_stmt* rollback = prepared(m_db, s.rollback, "ROLLBACK");
    sqlite3_stmt* upsert = prepared(m_db, s.upsert,
                                    "INSERT OR REPLACE INTO items (path, server_path, type, encrypted, inode, size, "
                                    "mtime, etag, file_id, permissions, checksum, mtime_ns, ctime) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    sqlite3_stmt* deleteOne = prepared(m_db, s.deleteOne, "DELETE FROM items WHERE path = ?1");
    // Everything below "p" starts with "p/" and so lies strictly between "p/" and "p0" ('0' follows
    // '/'); a range keeps "p b" and "pb" out, which a LIKE would need escaping for, and uses the key.
    sqlite3_stmt* deleteRange = prepared(m_db, s.deleteRange, "DELETE FROM items WHERE path > ?1 AND path < ?2");
    sqlite3_stmt* deleteAll = prepared(m_db, s.deleteAll, "DELETE FROM items");
    if (!begin || !commit || !rollback || !upsert || !deleteOne || !deleteRange || !deleteAll)
        return std::unexpected(sqliteError("prepare the update"));

    auto step = [&](sqlite3_stmt* stmt) {
        ResetOnExit reset(stmt);
        return sqlite3_step(stmt) == SQLITE_DONE;
    };
    if (!step(begin)) return std::unexpected(sqliteError("start a transaction"));

    auto abort = [&](const std::string& what) {
        SyncError error = sqliteError(what); // before ROLLBACK replaces the connection's last error
        step(rollback);
        return std::unexpected(std::move(error));
    };

    // Deletes first: a subtree removed and then re-created (a move, a folder replaced by a file)
    // keeps its new records.
    std::string low;
    std::string high;
    for (const std::string& tree : deletedTrees) {
        if (tree.empty()) {
            if (!step(deleteAll)) return abort("forget every record");
            continue;
        }
        low.assign(tree).push_back('/');
        high.assign(tree).push_back('0');
        {
            ResetOnExit reset(deleteOne);
            bindText(deleteOne, 1, tree);
            if (sqlite3_step(deleteOne) != SQLITE_DONE) return abort("forget \"" + tree + "\"");
        }
        ResetOnExit reset(deleteRange);
        bindText(deleteRange, 1, low);
        bindText(deleteRange, 2, high);
        if (sqlite3_step(deleteRange) != SQLITE_DONE) return abort("forget the contents of \"" + tree + "\"");
    }

    for (const auto& [path, record] : upserts) {
        ResetOnExit reset(upsert);
        bindText(upsert, 1, path);
        bindText(upsert, 2, record.serverPath);
        sqlite3_bind_int(upsert, 3, static_cast<int>(record.type));
        sqlite3_bind_int(upsert, 4, record.encrypted ? 1 : 0);
        sqlite3_bind_int64(upsert, 5, static_cast<sqlite3_int64>(record.inode));
        sqlite3_bind_int64(upsert, 6, record.size);
        sqlite3_bind_int64(upsert, 7, record.mtime);
        bindText(upsert, 8, record.etag);
        bindText(upsert, 9, record.fileId);
        bindText(upsert, 10, record.permissions);
        bindText(upsert, 11, record.checksum);
        sqlite3_bind_int64(upsert, 12, record.mtimeNs);
        sqlite3_bind_int64(upsert, 13, record.ctime);
        if (sqlite3_step(upsert) != SQLITE_DONE) return abort("record \"" + path + "\"");
    }

    if (!step(commit)) return abort("commit the update");
    return {};
}

Result<std::vector<BlacklistEntry>> Journal::blacklist()
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->blacklistAll,
                                  "SELECT path, message, failures, retry_at FROM blacklist ORDER BY path");
    if (stmt == nullptr) return std::unexpected(sqliteError("read the error list"));
    ResetOnExit reset(stmt);
    std::vector<BlacklistEntry> entries;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        BlacklistEntry& entry = entries.emplace_back();
        entry.path = columnText(stmt, 0);
        entry.message = columnText(stmt, 1);
        entry.failures = sqlite3_column_int(stmt, 2);
        entry.retryAt = sqlite3_column_int64(stmt, 3);
    }
    if (rc != SQLITE_DONE) return std::unexpected(sqliteError("read the error list"));
    return entries;
}

Result<BlacklistEntry> Journal::recordFailure(const std::string& path, const std::string& message, std::int64_t now,
                                              std::int64_t baseSeconds, std::int64_t maxSeconds)
{
    Statements& s = *m_statements;
    sqlite3_stmt* get = prepared(m_db, s.blacklistGet, "SELECT failures FROM blacklist WHERE path = ?1");
    sqlite3_stmt* put = prepared(m_db, s.blacklistPut,
                                 "INSERT OR REPLACE INTO blacklist (path, message, failures, retry_at) "
                                 "VALUES (?1, ?2, ?3, ?4)");
    if (get == nullptr || put == nullptr) return std::unexpected(sqliteError("record an error"));

    // A read followed by a write: one transaction so a concurrent writer cannot lose a count.
    if (auto ok = exec("BEGIN IMMEDIATE", "record an error"); !ok) return std::unexpected(ok.error());
    auto abort = [&](const std::string& what) {
        SyncError error = sqliteError(what);
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return std::unexpected(std::move(error));
    };

    BlacklistEntry entry{path, message, 1, now};
    {
        ResetOnExit reset(get);
        bindText(get, 1, path);
        const int rc = sqlite3_step(get);
        if (rc == SQLITE_ROW)
            entry.failures = std::max(0, sqlite3_column_int(get, 0)) + 1;
        else if (rc != SQLITE_DONE)
            return abort("read the error list");
    }

    // Doubling stops at the cap, so a long-failing item cannot overflow the delay.
    const std::int64_t cap = std::clamp<std::int64_t>(maxSeconds, 0, MAX_BACKOFF_SECONDS);
    std::int64_t delay = std::clamp<std::int64_t>(baseSeconds, 0, cap);
    for (int i = 1; i < entry.failures && delay < cap; ++i)
        delay = std::min(delay * 2, cap);
    entry.retryAt = now + delay;

    {
        ResetOnExit reset(put);
        bindText(put, 1, entry.path);
        bindText(put, 2, entry.message);
        sqlite3_bind_int(put, 3, entry.failures);
        sqlite3_bind_int64(put, 4, entry.retryAt);
        if (sqlite3_step(put) != SQLITE_DONE) return abort("record an error");
    }
    if (auto ok = exec("COMMIT", "record an error"); !ok) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return std::unexpected(ok.error());
    }
    return entry;
}

Result<void> Journal::clearFailure(const std::string& path)
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->blacklistDelete, "DELETE FROM blacklist WHERE path = ?1");
    if (stmt == nullptr) return std::unexpected(sqliteError("clear an error"));
    ResetOnExit reset(stmt);
    bindText(stmt, 1, path);
    if (sqlite3_step(stmt) != SQLITE_DONE) return std::unexpected(sqliteError("clear an error"));
    return {};
}

Result<std::optional<std::string>> Journal::setting(const std::string& key)
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->settingGet, "SELECT value FROM settings WHERE key = ?1");
    if (stmt == nullptr) return std::unexpected(sqliteError("read the setting " + key));
    ResetOnExit reset(stmt);
    bindText(stmt, 1, key);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return std::optional<std::string>(std::string(columnText(stmt, 0)));
    if (rc != SQLITE_DONE) return std::unexpected(sqliteError("read the setting " + key));
    return std::optional<std::string>();
}

Result<void> Journal::setSetting(const std::string& key, const std::string& value)
{
    sqlite3_stmt* stmt =
        prepared(m_db, m_statements->settingPut, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");
    if (stmt == nullptr) return std::unexpected(sqliteError("write the setting " + key));
    ResetOnExit reset(stmt);
    bindText(stmt, 1, key);
    bindText(stmt, 2, value);
    if (sqlite3_step(stmt) != SQLITE_DONE) return std::unexpected(sqliteError("write the setting " + key));
    return {};
}

Result<std::map<std::string, E2eeFolderHistory>> Journal::e2eeHistories()
{
    sqlite3_stmt* stmt =
        prepared(m_db, m_statements->e2eeAll, "SELECT file_id, counter, key_checksums, version FROM e2ee_folders");
    if (stmt == nullptr) return std::unexpected(sqliteError("read the encrypted folders' history"));
    ResetOnExit reset(stmt);
    std::map<std::string, E2eeFolderHistory> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        E2eeFolderHistory history;
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
            history.highestCounter = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 1));
        std::string checksums;
        assignText(checksums, stmt, 2);
        for (std::size_t start = 0; start < checksums.size();) {
            const std::size_t space = std::min(checksums.find(' ', start), checksums.size());
            if (space > start) history.keyChecksums.push_back(checksums.substr(start, space - start));
            start = space + 1;
        }
        history.highestVersion = sqlite3_column_int(stmt, 3);
        std::string id;
        assignText(id, stmt, 0);
        out.emplace(std::move(id), std::move(history));
    }
    if (rc != SQLITE_DONE) return std::unexpected(sqliteError("read the encrypted folders' history"));
    return out;
}

Result<void> Journal::saveE2eeHistory(const std::string& fileId, const E2eeFolderHistory& history)
{
    sqlite3_stmt* stmt = prepared(m_db, m_statements->e2eePut,
                                  "INSERT OR REPLACE INTO e2ee_folders (file_id, counter, key_checksums, version) "
                                  "VALUES (?1, ?2, ?3, ?4)");
    if (stmt == nullptr) return std::unexpected(sqliteError("record an encrypted folder's history"));
    ResetOnExit reset(stmt);
    std::vector<std::string> sorted = history.keyChecksums;
    std::sort(sorted.begin(), sorted.end());
    std::string checksums;
    for (const std::string& checksum : sorted) checksums += (checksums.empty() ? "" : " ") + checksum;
    bindText(stmt, 1, fileId);
    if (history.highestCounter)
        sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(*history.highestCounter));
    else
        sqlite3_bind_null(stmt, 2);
    bindText(stmt, 3, checksums);
    sqlite3_bind_int(stmt, 4, history.highestVersion);
    if (sqlite3_step(stmt) != SQLITE_DONE) return std::unexpected(sqliteError("record an encrypted folder's history"));
    return {};
}

} // namespace nubo::sync
