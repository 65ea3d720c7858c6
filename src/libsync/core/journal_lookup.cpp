#include "journal_lookup.h"

#include <algorithm>

namespace nubo::sync {

Result<std::optional<JournalRecord>> TreeJournalLookup::record(const std::string& path) const
{
    const auto it = m_tree.find(path);
    if (it == m_tree.end())
        return std::optional<JournalRecord>();
    return std::optional<JournalRecord>(it->second);
}

Result<JournalRows> TreeJournalLookup::children(const std::string& folder) const
{
    JournalRows rows;
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    for (auto it = m_tree.lower_bound(prefix); it != m_tree.end() && it->first.starts_with(prefix); ++it)
        if (it->first.size() > prefix.size() && it->first.find('/', prefix.size()) == std::string::npos)
            rows.emplace_back(*it);
    return rows;
}

Result<JournalRows> TreeJournalLookup::subtree(const std::string& folder) const
{
    JournalRows rows;
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    for (auto it = m_tree.lower_bound(prefix); it != m_tree.end() && it->first.starts_with(prefix); ++it)
        if (!it->first.empty())
            rows.emplace_back(*it);
    return rows;
}

Result<JournalRows> TreeJournalLookup::encryptedRecords() const
{
    JournalRows rows;
    for (const auto& [path, record] : m_tree)
        if (record.encrypted)
            rows.emplace_back(path, record);
    return rows;
}

Result<std::vector<std::uint64_t>> TreeJournalLookup::inodes() const
{
    std::vector<std::uint64_t> found;
    for (const auto& [path, record] : m_tree)
        if (record.inode != 0)
            found.push_back(record.inode);
    std::ranges::sort(found);
    return found;
}

} // namespace nubo::sync
