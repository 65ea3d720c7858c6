#include "db.h"

#include <sqlite3.h>

namespace nubo::server {

namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what)
{
    std::string message = "sqlite: ";
    message += what;
    message += ": ";
    message += db ? sqlite3_errmsg(db) : "out of memory";
    throw DbError(message);
}

} // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql)
    : m_db(db)
{
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
        fail(db, std::string("prepare '") + std::string(sql) + "'");
}

Stmt::~Stmt()
{
    if (m_owner && m_stmt)
        m_owner->giveBack(m_stmt);
    else
        sqlite3_finalize(m_stmt);
}

Stmt::Stmt(Stmt&& other) noexcept
    : m_db(other.m_db)
    , m_stmt(other.m_stmt)
    , m_owner(other.m_owner)
{
    other.m_stmt = nullptr;
}

Stmt& Stmt::bind(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK)
        fail(m_db, "bind");
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view text)
{
    if (sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        fail(m_db, "bind");
    return *this;
}

Stmt& Stmt::bind(int index, const std::optional<std::int64_t>& value)
{
    return value ? bind(index, *value) : bindNull(index);
}

Stmt& Stmt::bindNull(int index)
{
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK)
        fail(m_db, "bind");
    return *this;
}

bool Stmt::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail(m_db, "step");
}

void Stmt::run()
{
    while (step()) {
    }
}

std::int64_t Stmt::integer(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

std::string Stmt::text(int column) const
{
    const auto* p = sqlite3_column_text(m_stmt, column);
    if (!p)
        return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)));
}

bool Stmt::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Db::Db(const std::filesystem::path& file)
{
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        const std::string message = std::string("cannot open database ") + file.string() + ": "
            + (m_db ? sqlite3_errmsg(m_db) : "out of memory");
        sqlite3_close(m_db);
        throw DbError(message);
    }
    sqlite3_busy_timeout(m_db, 5000);
    try {
        Stmt mode(m_db, "PRAGMA journal_mode=WAL");
        if (!mode.step() || mode.text(0) != "wal")
            throw DbError("cannot switch " + file.string() + " to WAL mode");
        exec("PRAGMA synchronous=NORMAL");
        exec("PRAGMA foreign_keys=OFF");
    } catch (...) {
        sqlite3_close(m_db);
        throw;
    }
}

Db::~Db()
{
    for (const auto& [sql, stmt] : m_idle)
        sqlite3_finalize(stmt);
    sqlite3_close(m_db);
}

Stmt Db::prepare(std::string_view sql)
{
    if (const auto idle = m_idle.find(sql); idle != m_idle.end()) {
        sqlite3_stmt* stmt = idle->second;
        m_idle.erase(idle);
        return Stmt(*this, m_db, stmt);
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
        SQLITE_OK)
        fail(m_db, std::string("prepare '") + std::string(sql) + "'");
    return Stmt(*this, m_db, stmt);
}

void Db::giveBack(sqlite3_stmt* stmt)
{
    // A failed step leaves its error in reset's result: the caller has seen it already.
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    const char* sql = sqlite3_sql(stmt);
    if (!sql || !m_idle.try_emplace(sql, stmt).second)
        sqlite3_finalize(stmt);
}

void Db::exec(std::string_view sql)
{
    const std::string copy(sql);
    char* error = nullptr;
    if (sqlite3_exec(m_db, copy.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = "sqlite: exec: ";
        message += error ? error : sqlite3_errmsg(m_db);
        sqlite3_free(error);
        throw DbError(message);
    }
}

std::int64_t Db::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Db::changes() const
{
    return sqlite3_changes(m_db);
}

int Db::userVersion()
{
    Stmt s(m_db, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

void Db::setUserVersion(int version)
{
    exec("PRAGMA user_version=" + std::to_string(version));
}

Transaction::Transaction(Db& db)
    : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
            // Nothing sensible left to do; SQLite rolls back on close anyway.
        }
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace nubo::server
