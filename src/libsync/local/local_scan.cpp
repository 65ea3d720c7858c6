#include "local_scan.h"

#include <iterator>
#include <string_view>

#include "item_name.h"
#include "local_file.h"

namespace nubo::sync {

LocalScan::LocalScan(const LocalScanOptions& options, LocalTree& tree)
    : m_options(options), m_tree(tree), m_hint(tree.end())
{
    for (const std::string& folder : options.skippedFolders) {
        // Accept "a/b/", "/a/b" alike: what the user picked, not how it was spelled.
        std::string_view trimmed = folder;
        while (trimmed.starts_with('/'))
            trimmed.remove_prefix(1);
        while (trimmed.ends_with('/'))
            trimmed.remove_suffix(1);
        if (!trimmed.empty()) m_skipped.emplace(trimmed);
    }
}

void LocalScan::skip(const std::string& path, const std::string& why, SkipKind kind) const
{
    if (m_options.onSkipped) m_options.onSkipped(path, why, kind);
}

bool LocalScan::acceptName(const std::string& path, const std::string& name) const
{
    if (const auto invalid = e2ee::invalidNameReason(name)) {
        skip(path, *invalid + ", so the server cannot store it; rename it", SkipKind::CannotSync);
        return false;
    }
    return true;
}

bool LocalScan::accept(const std::string& path, const std::string& name, ListedKind kind) const
{
    switch (kind) {
    case ListedKind::Symlink: skip(path, "symbolic links are not synced", SkipKind::NotSynced); return false;
    case ListedKind::Special: // devices, sockets, pipes, and on Windows junctions and other reparse points
        skip(path, "special files (devices, sockets, pipes) are not synced", SkipKind::NotSynced);
        return false;
    case ListedKind::Regular:
    case ListedKind::Directory: break;
    }
    const bool isDirectory = kind == ListedKind::Directory;
    if (!isDirectory && m_options.onTemporaryFile && isTemporaryName(name)) {
        m_options.onTemporaryFile(path);
        return false;
    }
    if (m_options.excludes != nullptr && m_options.excludes->isExcluded(path, isDirectory)) {
        if (m_options.onExcluded) m_options.onExcluded(path);
        return false;
    }
    return m_skipped.empty() || !m_skipped.contains(path);
}

bool LocalScan::mayEnter(const std::string& path, const std::string& name) const
{
    return !e2ee::invalidNameReason(name) &&
           (m_options.excludes == nullptr || !m_options.excludes->isExcluded(path, true)) &&
           (m_skipped.empty() || !m_skipped.contains(path));
}

LocalTree::iterator LocalScan::insert(const std::string& path, const LocalEntry& entry)
{
    const auto it = m_tree.emplace_hint(m_hint, path, entry);
    m_hint = std::next(it);
    return it;
}

void LocalScan::eraseFolder(LocalTree::iterator it, const std::string& folder)
{
    auto end = std::next(it);
    while (end != m_tree.end() && isInside(end->first, folder))
        ++end;
    m_tree.erase(it, end);
    m_hint = m_tree.end();
}

void LocalScan::folderListed(LocalTree::iterator it, const std::string& folder)
{
    if (!m_options.onFolderListed) return;
    m_options.onFolderListed(folder, m_tree, it);
    m_hint = std::next(it); // what the callback erased may have held the hint
}

} // namespace nubo::sync
