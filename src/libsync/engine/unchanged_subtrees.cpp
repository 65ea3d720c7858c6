#include "unchanged_subtrees.h"

#include "reconcile.h"

#include <iterator>
#include <map>

namespace nubo::sync {

namespace {

// What reconcile would do nothing for: both sides as the journal says, and no detail of the
// record to refresh (reconcile's "details changed": inode, ctime of an older journal).
bool agrees(const LocalEntry& local, const JournalRecord& record)
{
    return local.type == record.type && !record.encrypted && !localChanged(local, record) &&
           local.inode == record.inode && !(record.type == ItemType::File && record.ctime == 0 && local.ctime != 0);
}

} // namespace

UnchangedSubtrees::UnchangedSubtrees(const JournalLookup& journal, const RemoteDiscovery& remote,
                                     std::function<bool(const std::string&, ItemType)> hidden)
    : m_journal(journal), m_remote(remote), m_hidden(std::move(hidden))
{
}

const UnchangedSubtrees::Folder& UnchangedSubtrees::folderState(const std::string& folder)
{
    while (!m_chain.empty() && !isInside(folder, m_chain.back().path))
        m_chain.pop_back();
    if (!m_chain.empty() && m_chain.back().path == folder)
        return m_chain.back();
    Folder state;
    state.path = folder;
    if (folder.empty()) {
        state.onServer = true; // discovery listed it, or the run would have stopped
        if (const auto it = m_remote.tree.find(""); it != m_remote.tree.end())
            state.encrypted = it->second.encrypted;
    } else {
        const Folder parent = folderState(parentPath(folder));
        auto record = m_journal.record(folder);
        if (!record) {
            if (!m_error)
                m_error = record.error();
            record = std::optional<JournalRecord>();
        }
        const JournalRecord* known = *record ? &**record : nullptr;
        const auto entry = remoteEntryFor(m_remote, folder, known, parent.onServer);
        state.onServer = entry && entry->type == ItemType::Directory;
        state.encrypted = parent.encrypted || (entry && entry->encrypted) || (known && known->encrypted);
    }
    m_chain.push_back(std::move(state));
    return m_chain.back();
}

void UnchangedSubtrees::folderListed(const std::string& folder, LocalTree& tree, LocalTree::iterator self)
{
    const Folder state = folderState(folder);
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    const auto first = folder.empty() ? tree.begin() : std::next(self);
    auto last = first;
    while (last != tree.end() && last->first.starts_with(prefix))
        ++last;

    auto records = m_journal.children(folder);
    if (!records) {
        if (!m_error)
            m_error = records.error();
        return; // keep everything: a journal that cannot be read drops nothing
    }

    // The local items directly inside, by path.
    std::map<std::string, LocalTree::iterator> locals;
    bool newName = false;
    for (auto it = first; it != last; ++it) {
        if (it->first.find('/', prefix.size()) != std::string::npos)
            continue;
        if (m_hidden(it->first, it->second.type))
            newName = true; // a conflict copy, a temporary file: compare this folder whole
        locals.emplace(it->first, it);
    }
    std::unordered_set<std::string> known;
    std::vector<std::pair<std::string, std::int64_t>> agreeing; // path, journal records it stands for
    std::vector<std::string> gone;
    std::int64_t below = 0;
    bool allAgree = true;
    for (const auto& [path, record] : *records) {
        if (m_hidden(path, record.type))
            continue;
        known.insert(path);
        const auto local = locals.find(path);
        if (local == locals.end())
            gone.push_back(path);
        bool same = local != locals.end() && state.onServer && !state.encrypted && !m_remote.tree.contains(path) &&
                    !m_remote.gone.contains(path) && agrees(local->second->second, record);
        std::int64_t count = 1;
        if (same && record.type == ItemType::Directory) {
            const auto clean = m_clean.find(path);
            same = clean != m_clean.end();
            if (same)
                count += clean->second;
        }
        below += count;
        if (same)
            agreeing.emplace_back(path, count);
        else
            allAgree = false;
    }
    for (const auto& [path, it] : locals)
        newName = newName || !known.contains(path);
    for (auto it = m_remote.tree.lower_bound(prefix); it != m_remote.tree.end() && it->first.starts_with(prefix) && !newName;
         ++it)
        newName = it->first.size() > prefix.size() && it->first.find('/', prefix.size()) == std::string::npos &&
                  !known.contains(it->first);
    if (newName || state.encrypted)
        return; // reconcile sees this folder's items whole (their subtrees may still be cut)

    if (allAgree) {
        // The whole subtree agrees: only the folder's own entry stays (its parent judges it).
        tree.erase(first, last);
        for (const auto& [path, count] : agreeing)
            m_clean.erase(path);
        m_clean[folder] = below;
        return;
    }
    // Something changed here: drop what agrees, keep the rest and remember what is gone here.
    for (const auto& [path, count] : agreeing) {
        tree.erase(locals.at(path));
        m_clean.erase(path);
        m_dropped += count;
    }
    for (std::string& path : gone)
        m_localGone.insert(std::move(path));
    m_trimmed.insert(folder);
}

Result<void> UnchangedSubtrees::descend(const std::string& folder, bool onServer, const LocalTree& local,
                                        JournalTree& journal, RemoteTree& remote)
{
    if (const auto clean = m_clean.find(folder); clean != m_clean.end()) {
        m_dropped += clean->second;
        return {};
    }
    auto records = m_journal.children(folder);
    if (!records)
        return std::unexpected(records.error());
    const bool trimmed = m_trimmed.contains(folder);
    for (auto& [path, record] : *records) {
        if (m_hidden(path, record.type))
            continue;
        if (trimmed && !local.contains(path) && !m_localGone.contains(path))
            continue; // dropped as unchanged, counted then
        const auto entry = remoteEntryFor(m_remote, path, &record, onServer);
        const bool folderOnServer = entry && entry->type == ItemType::Directory;
        if (entry)
            remote.emplace(path, *entry);
        const ItemType type = record.type;
        journal.emplace(path, std::move(record));
        if (type == ItemType::Directory)
            if (auto done = descend(path, folderOnServer, local, journal, remote); !done)
                return done;
    }
    return {};
}

Result<void> UnchangedSubtrees::complete(const LocalTree& local, JournalTree& journal, RemoteTree& remote)
{
    if (m_error)
        return std::unexpected(*m_error);
    auto root = m_journal.record("");
    if (!root)
        return std::unexpected(root.error());
    if (*root)
        journal.emplace("", std::move(**root));
    return descend("", true, local, journal, remote);
}

} // namespace nubo::sync
