// local_discovery.h with std::filesystem and Qt only (NUBO_PORTABLE_ONLY; Windows and macOS).
//
// What it cannot see that the Linux scanner sees:
// - No inode: std::filesystem has no file identity and QFileInfo offers none. Every entry gets
//   inode 0, which reconcile reads as "unknown": a local move is then seen as a deletion plus a
//   new item (the file is uploaded again under its new name and the old one is deleted on the
//   server), never as a wrong move. Moves made on the server are still detected by file id.
// - No status change time with nanoseconds: `ctime` is Qt's metadata change time in
//   milliseconds (st_ctime on Unix; on Windows whatever Qt reports for it). It is only ever
//   compared with values this same code stored, so a coarser or stuck clock costs detection of
//   same-size same-second edits, never a false "unchanged" beyond what size and mtime allow.
// - No O_NOFOLLOW: a folder swapped for a symlink between the type check and the listing would
//   be listed through the link. The type is checked again after the listing, and a folder that
//   became a link is then reported instead of scanned; the window in between remains.
#include "local_discovery.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string_view>
#include <system_error>

#include <QFile>
#include <QFileInfo>

#include "local_file.h"
#include "local_file_errors.h"
#include "local_scan.h"

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

std::string errnoText(int error)
{
    return reasonFor(error).text;
}

// The name as UTF-8 bytes where the system names are UTF-16 (Windows); the bytes as they are on
// POSIX, so names that are not UTF-8 reach invalidNameReason and are reported.
std::string nameOf(const fs::path& name)
{
    const std::u8string text = name.u8string();
    return std::string(text.begin(), text.end());
}

bool isNotFound(const std::error_code& error)
{
    const int code = errnoOf(error);
    return code == ENOENT || code == ENOTDIR;
}

Result<LocalEntry> entryOf(const fs::path& item, bool isDirectory)
{
    std::error_code error;
    LocalEntry entry;
    entry.type = isDirectory ? ItemType::Directory : ItemType::File;
    entry.inode = 0; // unknown: no local move detection (see the top of this file)
    if (!isDirectory) {
        const std::uintmax_t size = fs::file_size(item, error);
        if (error) return std::unexpected(errnoError(errnoOf(error), "checking", item));
        entry.size = static_cast<std::int64_t>(size);
    }
    const fs::file_time_type written = fs::last_write_time(item, error);
    if (error) return std::unexpected(errnoError(errnoOf(error), "checking", item));
    const auto since = std::chrono::file_clock::to_sys(written).time_since_epoch();
    const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(since);
    // floor, not truncation: a time before 1970 keeps its nanoseconds in [0, 1e9).
    const auto seconds = std::chrono::floor<std::chrono::seconds>(nanoseconds);
    entry.mtime = static_cast<std::int64_t>(seconds.count());
    entry.mtimeNs = static_cast<std::int64_t>((nanoseconds - seconds).count());
    if (!isDirectory) {
        const QDateTime changed = QFileInfo(item).metadataChangeTime();
        entry.ctime = changed.isValid() ? changed.toMSecsSinceEpoch() * 1'000'000 : 0;
    }
    return entry;
}

class Scanner {
public:
    Scanner(const LocalScanOptions& options, LocalTree& tree) : m_scan(options, tree) {}

    // Lists `folder`, whose relative path is `prefix`, and everything below it. Returns 0, or the
    // errno that kept the folder itself from being listed (nothing added then).
    int scanFolder(const fs::path& folder, std::string& prefix)
    {
        // Names first, then their types: the listing is complete (or reported as failed) before
        // any entry reaches the tree, so a folder read half-way never looks like deleted files.
        std::vector<std::pair<std::string, fs::path>> names;
        std::error_code error;
        fs::directory_iterator it(folder, error);
        for (; !error && it != fs::directory_iterator(); it.increment(error)) {
            const fs::path name = it->path().filename();
            names.emplace_back(nameOf(name), name);
        }
        if (error) return errnoOf(error);

        // Byte order of the UTF-8 names, as the Linux scanner: each insertion lands right after the
        // previous one in the tree.
        std::sort(names.begin(), names.end());
        if (m_scan.wantsNames()) {
            std::vector<std::string> plain;
            plain.reserve(names.size());
            for (const auto& [name, native] : names)
                plain.push_back(name);
            m_scan.namesRead(prefix, plain);
        }
        const std::size_t prefixLength = prefix.size();
        for (const auto& [name, native] : names) {
            prefix.resize(prefixLength);
            if (!prefix.empty()) prefix.push_back('/');
            prefix.append(name);
            visit(folder / native, name, prefix);
        }
        prefix.resize(prefixLength);
        return 0;
    }

private:
    void visit(const fs::path& item, const std::string& name, std::string& path)
    {
        if (!m_scan.acceptName(path, name)) return;
        std::error_code error;
        const fs::file_status status = fs::symlink_status(item, error);
        if (error || status.type() == fs::file_type::not_found) {
            // Removed since the listing: it is simply not there any more.
            if (error && !isNotFound(error))
                m_scan.skip(path, "cannot read its properties: " + errnoText(errnoOf(error)), SkipKind::CannotSync);
            return;
        }
        const bool isDirectory = status.type() == fs::file_type::directory;
        const ListedKind kind = isDirectory                                     ? ListedKind::Directory
                                : status.type() == fs::file_type::regular ? ListedKind::Regular
                                : status.type() == fs::file_type::symlink ? ListedKind::Symlink
                                                                           : ListedKind::Special;
        if (!m_scan.accept(path, name, kind)) return;

        auto entry = entryOf(item, isDirectory);
        if (!entry) {
            // Removed since the listing, or unreadable.
            if (entry.error().code != SyncErrorCode::NotFound)
                m_scan.skip(path, "cannot read its properties: " + entry.error().message, SkipKind::CannotSync);
            return;
        }
        const auto it = m_scan.insert(path, *entry);
        if (!isDirectory) return;
        const int listed = scanFolder(item, path);
        // No O_NOFOLLOW here: a folder replaced by a link while it was listed was listed through
        // the link. What the link points to is not ours to sync.
        const fs::file_status after = fs::symlink_status(item, error);
        if (listed == 0 && !error && after.type() == fs::file_type::directory) {
            m_scan.folderListed(it, path);
            return;
        }
        // Without its contents the folder would look emptied; report it as a whole instead.
        m_scan.eraseFolder(it, path);
        if (listed == ENOENT) return; // removed while we looked: simply not there any more
        if (listed != 0)
            m_scan.skip(path, "the folder cannot be read: " + errnoText(listed), SkipKind::CannotSync);
        else if (!error && after.type() == fs::file_type::symlink)
            m_scan.skip(path, "symbolic links are not synced", SkipKind::NotSynced);
        else if (error && !isNotFound(error))
            m_scan.skip(path, "the folder cannot be read: " + errnoText(errnoOf(error)), SkipKind::CannotSync);
    }

    LocalScan m_scan;
};

} // namespace

Result<LocalTree> scanLocal(const fs::path& root, const LocalScanOptions& options)
{
    // The root itself may be a symlink (users move their sync folder and link it back): status,
    // not symlink_status.
    std::error_code error;
    const fs::file_status status = fs::status(root, error);
    if (status.type() == fs::file_type::not_found)
        return fail(SyncErrorCode::LocalIo, "the local folder \"" + root.string() +
                                                "\" does not exist; was it moved, or is its drive unmounted?");
    if (error) return std::unexpected(errnoError(errnoOf(error), "opening the local folder", root));
    if (status.type() != fs::file_type::directory)
        return std::unexpected(errnoError(ENOTDIR, "opening the local folder", root));
    LocalTree tree;
    Scanner scanner(options, tree);
    std::string prefix;
    if (const int listed = scanner.scanFolder(root, prefix); listed != 0)
        return std::unexpected(errnoError(listed, "listing the local folder", root));
    if (options.onFolderListed) options.onFolderListed("", tree, tree.end());
    return tree;
}

Result<LocalEntry> statLocal(const fs::path& file)
{
    std::error_code error;
    const fs::file_status status = fs::symlink_status(file, error);
    if (status.type() == fs::file_type::not_found) return std::unexpected(errnoError(ENOENT, "checking", file));
    if (error) return std::unexpected(errnoError(errnoOf(error), "checking", file));
    if (status.type() == fs::file_type::symlink)
        return fail(SyncErrorCode::LocalIo,
                    "\"" + file.string() + "\" is a symbolic link; symbolic links are not synced");
    if (status.type() != fs::file_type::directory && status.type() != fs::file_type::regular)
        return fail(SyncErrorCode::LocalIo,
                    "\"" + file.string() + "\" is a special file; special files are not synced");
    return entryOf(file, status.type() == fs::file_type::directory);
}

bool isCaseInsensitiveFilesystem(const fs::path& root)
{
    // A fresh random name so that no existing file can answer for the probe.
    const std::string name = temporaryPathFor(root / ".nubo-case-probe").filename().string();
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    const fs::path probe = root / name;
    QFile file(probe);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) return false; // cannot probe: assume case-sensitive
    file.close();
    std::error_code error;
    const bool insensitive = fs::symlink_status(root / upper, error).type() == fs::file_type::regular;
    fs::remove(probe, error);
    return insensitive;
}

} // namespace nubo::sync
