// A thin RAII layer over one SQLite connection. SQLite failures are exceptional here (disk
// full, corruption, misuse) and surface as DbError; the callers turn them into 500s.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace nubo::server {

class DbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Db;

class Stmt {
public:
    Stmt(sqlite3* db, std::string_view sql); // prepared for this use only
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt(Stmt&& other) noexcept;
    Stmt& operator=(Stmt&&) = delete;

    // Parameters are 1-based, as in SQLite.
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, std::string_view text);
    Stmt& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Stmt& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Stmt& bind(int index, const std::optional<std::int64_t>& value);
    Stmt& bindNull(int index);

    // True while a row is available; false when done. Throws DbError on failure.
    bool step();
    // Runs a statement that returns no rows.
    void run();

    // Columns are 0-based, as in SQLite.
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;

private:
    friend class Db;
    Stmt(Db& owner, sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt), m_owner(&owner) {}

    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
    Db* m_owner = nullptr; // set: the statement goes back to its Db's cache when done
};

class Db {
public:
    explicit Db(const std::filesystem::path& file); // opens (creating) the file, WAL mode
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(std::string_view sql);
    // A statement for `sql`, reused from an earlier call when one is idle: preparing costs more
    // than running most of the server's statements (every file a bulk upload stores runs a dozen).
    Stmt prepare(std::string_view sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    int userVersion();
    void setUserVersion(int version);

private:
    friend class Stmt;
    void giveBack(sqlite3_stmt* stmt);

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    sqlite3* m_db = nullptr;
    // Idle prepared statements by their SQL text (one each; a second one in use at once is
    // finalized when done). Used, like the connection, by one thread at a time.
    std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> m_idle;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless commit() was called.
class Transaction {
public:
    explicit Transaction(Db& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Db& m_db;
    bool m_done = false;
};

} // namespace nubo::server
