// Read access to the journal one folder at a time, for the parts of a run that walk huge trees
// without holding the whole journal: remote discovery and the engine's walk. Implemented by the
// SQLite journal (nubo_sync_local) and, for tests and small trees, by TreeJournalLookup.
#pragma once

#include "sync_error.h"
#include "sync_types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nubo::sync {

// Records keyed by plain path, in key order.
using JournalRows = std::vector<std::pair<std::string, JournalRecord>>;

class JournalLookup {
public:
    virtual ~JournalLookup() = default;
    // The record of one path ("" is the root), if any.
    virtual Result<std::optional<JournalRecord>> record(const std::string& path) const = 0;
    // The records directly inside `folder` ("" for the top level), not what lies deeper.
    virtual Result<JournalRows> children(const std::string& folder) const = 0;
    // Every record strictly below `folder`.
    virtual Result<JournalRows> subtree(const std::string& folder) const = 0;
    // Every record of an item inside an end-to-end encrypted folder, or of such a folder.
    virtual Result<JournalRows> encryptedRecords() const = 0;
    // Every local inode the records name (0 left out), sorted: a local item whose inode is not
    // here cannot be the new place of an item the journal knows (a move).
    virtual Result<std::vector<std::uint64_t>> inodes() const = 0;
};

// Over a JournalTree held in memory.
class TreeJournalLookup final : public JournalLookup {
public:
    explicit TreeJournalLookup(const JournalTree& tree) : m_tree(tree) {}
    Result<std::optional<JournalRecord>> record(const std::string& path) const override;
    Result<JournalRows> children(const std::string& folder) const override;
    Result<JournalRows> subtree(const std::string& folder) const override;
    Result<JournalRows> encryptedRecords() const override;
    Result<std::vector<std::uint64_t>> inodes() const override;

private:
    const JournalTree& m_tree;
};

} // namespace nubo::sync
