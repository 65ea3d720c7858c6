#include "unchanged_subtrees.h"

#include "item_name.h"
#include "reconcile.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

namespace nubo::sync {

namespace {

// What reconcile would do nothing for: both sides as the journal says, and no detail of the
// record to refresh (reconcile's "details changed": inode, ctime of an older journal).
bool agrees(const LocalEntry& local, const JournalRecord& record)
{
    return local.type == record.type && !record.encrypted && !localChanged(local, record) &&
           local.inode == record.inode && !(record.type == ItemType::File && record.ctime == 0 && local.ctime != 0);
}

// Whether new files and folders may be made in a server folder (no permissions sent: yes).
bool allowsCreating(const RemoteEntry& folder)
{
    return folder.permissions.empty() ||
           (folder.permissions.find('C') != std::string::npos && folder.permissions.find('K') != std::string::npos);
}

bool isAsciiName(const std::string& name)
{
    return std::ranges::all_of(name, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Two names reconcile may take for one (case, Unicode normalisation) have the same key. ASCII
// names fold without ICU.
std::string twinKey(const std::string& name)
{
    if (!isAsciiName(name))
        return e2ee::nameCollisionKey(name, e2ee::NameCase::Insensitive);
    std::string key = name;
    for (char& c : key)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return key;
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
        if (const auto it = m_remote.tree.find(""); it != m_remote.tree.end()) {
            state.encrypted = it->second.encrypted;
            state.creatable = allowsCreating(it->second);
        }
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
        state.creatable = !state.onServer || allowsCreating(*entry);
        state.twinned = parent.twinned || m_twins.contains(folder);
        state.encrypted = parent.encrypted || (entry && entry->encrypted) || (known && known->encrypted);
    }
    m_chain.push_back(std::move(state));
    return m_chain.back();
}

void UnchangedSubtrees::folderNames(const std::string& folder, const std::vector<std::string>& names)
{
    // Two spellings of one name differ in a character that is not ASCII (the case of ASCII letters
    // is compared by reconcile beside each other, not across paths). No such local name: no twin
    // that matters here (what is only in the journal or on the server is kept anyway).
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    if (std::ranges::all_of(names, isAsciiName)) {
        // Only case twins then, among the local names (the journal's are checked where needed).
        if (std::ranges::none_of(names, [](const std::string& name) {
                return std::ranges::any_of(name, [](char c) { return c >= 'A' && c <= 'Z'; });
            }))
            return;
        std::unordered_map<std::string, const std::string*> seen;
        for (const std::string& name : names)
            if (const auto [it, fresh] = seen.emplace(twinKey(name), &name); !fresh) {
                m_twins.insert(prefix + name);
                m_twins.insert(prefix + *it->second);
            }
        return;
    }
    std::unordered_map<std::string, std::unordered_set<std::string>> spellings; // key -> names
    const auto add = [&](const std::string& name) {
        if (!isAsciiName(name))
            spellings[twinKey(name)].insert(name);
    };
    for (const std::string& name : names)
        add(name);
    if (auto records = m_journal.children(folder); records) {
        for (const auto& [path, record] : *records)
            add(fileName(path));
    } else if (!m_error) {
        m_error = records.error();
    }
    for (auto it = m_remote.tree.lower_bound(prefix); it != m_remote.tree.end() && it->first.starts_with(prefix); ++it)
        if (it->first.size() > prefix.size() && it->first.find('/', prefix.size()) == std::string::npos)
            add(it->first.substr(prefix.size()));
    for (const auto& [key, twins] : spellings)
        if (twins.size() > 1)
            for (const std::string& name : twins)
                m_twins.insert(prefix + name);
}

void UnchangedSubtrees::folderListed(const std::string& folder, LocalTree& tree, LocalTree::iterator self)
{
    const Folder state = folderState(folder);
    if (state.twinned)
        return; // compared whole (folderNames)
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    auto records = m_journal.children(folder);
    if (!records) {
        if (!m_error)
            m_error = records.error();
        return; // keep everything: a journal that cannot be read drops nothing
    }
    if (m_budget > 0)
        deferNewItems(folder, tree, *records);

    const auto first = folder.empty() ? tree.begin() : std::next(self);
    auto last = first;
    while (last != tree.end() && last->first.starts_with(prefix))
        ++last;

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
        bool same = local != locals.end() && state.onServer && !state.encrypted && !m_twins.contains(path) &&
                    !m_remote.tree.contains(path) &&
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

bool UnchangedSubtrees::journalKnowsInode(std::uint64_t inode)
{
    if (inode == 0)
        return true; // no identity (a file system without one): it could be a move's new place
    if (!m_journalInodes) {
        auto inodes = m_journal.inodes();
        if (!inodes)
            return true; // unknown: as if known, so nothing is deferred
        m_journalInodes = std::move(*inodes);
    }
    return std::ranges::binary_search(*m_journalInodes, inode);
}

bool UnchangedSubtrees::newOnServerIn(const std::string& folder)
{
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    for (auto it = m_remote.tree.lower_bound(prefix); it != m_remote.tree.end() && it->first.starts_with(prefix); ++it) {
        if (it->first.size() == prefix.size() || it->first.find('/', prefix.size()) != std::string::npos)
            continue;
        const auto record = m_journal.record(it->first);
        if (!record || !*record)
            return true; // new there (or unreadable: as if new)
    }
    return false;
}

bool UnchangedSubtrees::mayDeferIn(std::size_t index, const LocalTree& tree)
{
    Folder& folder = m_chain[index];
    if (folder.mayDefer)
        return *folder.mayDefer;
    const auto decide = [&]() -> bool {
        if (folder.encrypted || !folder.creatable || folder.twinned)
            return false;
        if (folder.path.empty())
            return true;
        if (index == 0 || !mayDeferIn(index - 1, tree))
            return false;
        const auto local = tree.find(folder.path);
        if (local == tree.end() || local->second.type != ItemType::Directory)
            return false;
        const auto record = m_journal.record(folder.path);
        if (!record)
            return false;
        // Nothing new beside it on the server (a twin spelling, a folder moved in there).
        const std::string parent = parentPath(folder.path);
        if (newOnServerIn(parent))
            return false;
        if (*record) { // known: the same folder here (not another one moved in) and there
            if ((*record)->type != ItemType::Directory || (*record)->inode != local->second.inode || !folder.onServer)
                return false;
        } else { // new: not on the server, and not moved here
            if (folder.onServer || journalKnowsInode(local->second.inode))
                return false;
        }
        // No other name beside it that reconcile could take for the same (case, normalisation):
        // what is inside both is then compared across the two. Local twins are `twinned`
        // (folderNames); the journal's names of the parent are read once for all its folders.
        Folder& above = m_chain[index - 1];
        if (!above.childKeys) {
            auto siblings = m_journal.children(parent);
            if (!siblings)
                return false;
            above.childKeys.emplace();
            for (const auto& [path, sibling] : *siblings)
                ++(*above.childKeys)[twinKey(fileName(path))];
        }
        const auto same = above.childKeys->find(twinKey(fileName(folder.path)));
        return same == above.childKeys->end() || same->second == (*record ? 1 : 0);
    };
    const bool may = decide();
    m_chain[index].mayDefer = may; // the chain is not resized by decide()
    return may;
}

void UnchangedSubtrees::deferNewItems(const std::string& folder, LocalTree& tree, const JournalRows& records)
{
    const std::string prefix = folder.empty() ? std::string() : folder + '/';
    std::unordered_set<std::string> known;
    for (const auto& [path, record] : records)
        known.insert(path);
    // The items directly inside; a subtree is not always next to its folder's entry ("a b" sorts
    // between "a" and "a/x"), so each is found by its own prefix.
    std::vector<std::string> names, fresh;
    for (auto it = prefix.empty() ? tree.begin() : tree.lower_bound(prefix);
         it != tree.end() && it->first.starts_with(prefix); ++it) {
        if (it->first.size() == prefix.size() || it->first.find('/', prefix.size()) != std::string::npos)
            continue;
        names.push_back(it->first.substr(prefix.size()));
        if (!known.contains(it->first))
            fresh.push_back(it->first);
    }
    const auto subtreeOf = [&tree](const std::string& path) {
        const std::string inside = path + '/';
        const auto begin = tree.lower_bound(inside);
        auto end = begin;
        std::size_t count = 0;
        while (end != tree.end() && end->first.starts_with(inside)) {
            ++end;
            ++count;
        }
        return std::tuple{begin, end, count};
    };
    if (!m_chain.back().creatable) {
        // What is new here is refused (reconcile reports it) and takes no one's place in the pass:
        // neither it nor what was counted below it.
        for (const std::string& path : fresh)
            m_newKept -= std::min(m_newKept, std::get<2>(subtreeOf(path)));
        return;
    }
    if (m_newKept + fresh.size() <= m_budget) {
        m_newKept += fresh.size(); // what lies below them was counted when their folders were listed
        return;
    }
    std::ranges::sort(names);
    // Each new item's subtree was counted already; what was counted elsewhere is the rest. (Ranges
    // are looked up again when used: erasing one item's subtree may move another's end.)
    std::vector<std::size_t> below;
    std::size_t counted = 0;
    for (const std::string& path : fresh) {
        below.push_back(std::get<2>(subtreeOf(path)));
        counted += below.back();
    }
    std::size_t kept = m_newKept - std::min(m_newKept, counted);
    std::optional<std::unordered_map<std::string, int>> keys; // collision key -> names having it
    std::optional<bool> folderMay;
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        const std::string& path = fresh[i];
        // Nothing new kept yet: this one is, even past the budget (by the folders above what its
        // own listing kept). Otherwise a new folder whose kept part fills the budget by itself
        // would be deferred whole in every pass, and the passes would starve.
        if (kept + 1 + below[i] <= m_budget || kept == 0) {
            kept += 1 + below[i];
            continue;
        }
        const auto self = tree.find(path);
        if (!folderMay)
            folderMay = mayDeferIn(m_chain.size() - 1, tree) && !newOnServerIn(folder);
        bool defer = *folderMay && !m_remote.tree.contains(path) && !m_hidden(path, self->second.type);
        if (defer) {
            if (!keys) {
                keys.emplace();
                for (const std::string& name : names)
                    ++(*keys)[twinKey(name)];
                for (const auto& [recordPath, record] : records)
                    if (!std::ranges::binary_search(names, fileName(recordPath)))
                        ++(*keys)[twinKey(fileName(recordPath))];
            }
            defer = keys->at(twinKey(fileName(path))) == 1;
        }
        defer = defer && !journalKnowsInode(self->second.inode);
        const auto [belowBegin, belowEnd, count] = subtreeOf(path);
        for (auto item = belowBegin; defer && item != belowEnd; ++item)
            defer = !journalKnowsInode(item->second.inode);
        if (!defer) {
            kept += 1 + below[i];
            continue;
        }
        tree.erase(belowBegin, belowEnd);
        tree.erase(self);
        m_deferred += 1 + static_cast<std::int64_t>(count);
    }
    m_newKept = kept;
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
