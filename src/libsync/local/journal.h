// The sync journal: what the local folder and the server looked like the last time they agreed.
// SQLite in WAL mode, in a file inside the synced folder (JOURNAL_FILE_NAME, excluded from sync),
// with numbered migrations (src/libsync/local/migrations/NNN_*.sql, embedded at build time).
//
// One Journal object per sync run and thread; it is not shared between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journal_lookup.h"
#include "sync_error.h"
#include "sync_types.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nubo::sync {

inline constexpr const char* JOURNAL_FILE_NAME = ".nubo_journal.db";

// What this device verified of an end-to-end encrypted folder (e2ee::FolderHistory, stored).
struct E2eeFolderHistory {
    std::optional<std::uint64_t> highestCounter;
    std::vector<std::string> keyChecksums; // sorted
    int highestVersion = 0;
};

struct BlacklistEntry {
    std::string path;
    std::string message;      // the last error, for reports
    int failures = 0;         // consecutive failures
    std::int64_t retryAt = 0; // seconds since the epoch; the item is skipped until then
};

class Journal final : public JournalLookup {
public:
    // Opens (creating it and applying every pending migration) the journal at `file`. A file that
    // is not a journal, is damaged, or was written by a newer schema is a Journal error that says
    // what to do; the file is then left as it is.
    static Result<std::unique_ptr<Journal>> open(const std::filesystem::path& file);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    int schemaVersion() const;

    // Every record, keyed by plain path (the root folder is "").
    Result<JournalTree> loadAll();
    // One folder at a time (JournalLookup); not for use from two threads at once.
    Result<std::optional<JournalRecord>> record(const std::string& path) const override;
    Result<JournalRows> children(const std::string& folder) const override;
    Result<JournalRows> subtree(const std::string& folder) const override;
    Result<std::vector<std::uint64_t>> inodes() const override;
    Result<JournalRows> encryptedRecords() const override;
    // How many records there are, the root's included.
    Result<std::int64_t> count() const;

    // One transaction: deletes of whole subtrees (a path and everything below it; "" deletes
    // everything), then upserts, so a subtree removed and re-created in the same batch keeps its
    // new records. Nothing is written when any step fails.
    Result<void> apply(const std::vector<std::pair<std::string, JournalRecord>>& upserts,
                       const std::vector<std::string>& deletedTrees);

    // Error blacklist with growing back-off: the n-th consecutive failure of a path is retried
    // after min(baseSeconds * 2^(n-1), maxSeconds, 24 h).
    Result<std::vector<BlacklistEntry>> blacklist();
    Result<BlacklistEntry> recordFailure(const std::string& path, const std::string& message, std::int64_t now,
                                         std::int64_t baseSeconds = 25, std::int64_t maxSeconds = 24 * 60 * 60);
    Result<void> clearFailure(const std::string& path);

    // Small key/value settings (e.g. the client's random id, the remote root it syncs with).
    Result<std::optional<std::string>> setting(const std::string& key);
    Result<void> setSetting(const std::string& key, const std::string& value);

    // Per end-to-end encrypted folder, by file id: what its metadata may never go below.
    Result<std::map<std::string, E2eeFolderHistory>> e2eeHistories();
    Result<void> saveE2eeHistory(const std::string& fileId, const E2eeFolderHistory& history);

private:
    struct Statements; // prepared once per Journal, reused by every call
    Journal(sqlite3* db, std::filesystem::path file);
    Result<void> migrate();
    SyncError sqliteError(const std::string& what) const;
    // Steps `stmt` (bound, reset afterwards) and reads every row of the items columns.
    Result<JournalRows> readRows(sqlite3_stmt* stmt) const;
    Result<void> exec(const char* sql, const std::string& what);

    sqlite3* m_db = nullptr;
    std::filesystem::path m_file;
    std::unique_ptr<Statements> m_statements;
    int m_version = 0;
};

} // namespace nubo::sync
