// Propagation: carries out a reconciled plan. Moves first (in order), then replaced items, then
// folders top-down, then transfers and deletes in parallel; the journal follows each completed
// action in memory and is written in batches by the engine's thread.
#pragma once

#include "reconcile.h"
#include "remote_fs.h"
#include "sync_engine.h"
#include "sync_types.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace nubo::sync {

class Journal;
class Trash;

// The journal as propagation changes it: an in-memory tree (thread-safe) plus the paths changed
// since the last flush, written to SQLite in one transaction per batch.
class JournalState {
public:
    explicit JournalState(JournalTree initial) : m_tree(std::move(initial)) {}

    void upsert(const std::string& path, JournalRecord record);
    void removeTree(const std::string& path);
    // Moves a subtree; server paths that equal their plain path follow it.
    void moveTree(const std::string& from, const std::string& to);
    std::optional<JournalRecord> get(const std::string& path) const;
    JournalTree snapshot() const;

    // Writes what changed since the last flush; call from the thread that owns `journal`.
    Result<void> flush(Journal& journal);

private:
    mutable std::mutex m_mutex;
    JournalTree m_tree;
    std::set<std::string> m_dirty;     // upserted since the last flush
    std::vector<std::string> m_deleted; // subtrees removed since the last flush, in order
};

struct PropagationContext {
    std::filesystem::path localRoot;
    RemoteFs* remote = nullptr;
    const SyncOptions* options = nullptr;
    Trash* trash = nullptr;           // null: deletions remove
    std::string clientId;             // salts upload transfer ids
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const ItemReport&)> started;
    std::function<void(const ItemReport&)> finished;
    std::function<void(std::int64_t delta)> transferred; // bytes moved over the network
    std::function<void()> tick;       // called on the engine's thread while workers run (journal flush)
};

class Propagator {
public:
    Propagator(PropagationContext context, JournalState& journal);

    // Runs every action; returns one report per action that did something or failed.
    std::vector<ItemReport> run(const std::vector<Action>& actions);

private:
    ItemReport execute(const Action& action);
    ItemReport upload(const Action& action);
    ItemReport download(const Action& action);
    ItemReport conflict(const Action& action);
    ItemReport makeLocalFolder(const Action& action);
    ItemReport makeRemoteFolder(const Action& action);
    ItemReport moveRemote(const Action& action);
    ItemReport moveLocal(const Action& action);
    ItemReport deleteLocal(const Action& action);
    ItemReport deleteRemote(const Action& action);
    ItemReport updateJournal(const Action& action);

    void runParallel(const std::vector<const Action*>& actions, std::vector<ItemReport>& reports);
    std::string serverPathOf(const std::string& plainPath) const;
    std::filesystem::path localPath(const std::string& plainPath) const;
    Result<void> ensureRemoteParents(const std::string& plainPath);
    std::string transferId(const std::string& path, const LocalEntry& entry) const;

    PropagationContext m_context;
    JournalState& m_journal;
    std::atomic<bool> m_diskFull{false};
    std::string m_diskFullMessage;
    std::mutex m_messageMutex;
};

} // namespace nubo::sync
