#include "remote_discovery.h"

#include "item_name.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace nubo::sync {

RemoteEntry remoteEntryFromJournal(const JournalRecord& record)
{
    RemoteEntry entry;
    entry.type = record.type;
    entry.serverPath = record.serverPath;
    entry.etag = record.etag;
    entry.fileId = record.fileId;
    entry.size = record.size;
    entry.mtime = record.mtime;
    entry.permissions = record.permissions;
    entry.checksum = record.checksum;
    entry.encrypted = record.encrypted;
    return entry;
}

bool sameAsJournal(const RemoteEntry& entry, const JournalRecord& record)
{
    if (entry.type != record.type || entry.etag != record.etag || entry.fileId != record.fileId ||
        entry.size != record.size || entry.mtime != record.mtime || entry.checksum != record.checksum ||
        entry.encrypted != record.encrypted || entry.serverPath != record.serverPath)
        return false;
    if (entry.permissions == record.permissions)
        return true;
    // reconcile asks a file for W, D, N and V (K and C are asked of folders only).
    return entry.type == ItemType::File && record.permissions.empty() &&
           std::all_of(std::begin("WDNV"), std::end("WDNV") - 1,
                       [&](char letter) { return entry.permissions.find(letter) != std::string::npos; });
}

std::optional<RemoteEntry> remoteEntryFor(const RemoteDiscovery& discovery, const std::string& path,
                                          const JournalRecord* record, bool parentOnServer)
{
    if (const auto it = discovery.tree.find(path); it != discovery.tree.end())
        return it->second;
    if (!parentOnServer || !record || discovery.gone.contains(path))
        return std::nullopt;
    return remoteEntryFromJournal(*record);
}

namespace {

class Discoverer {
public:
    Discoverer(RemoteFs& remote, const JournalLookup& journal, const RemoteDiscoveryOptions& options)
        : m_remote(remote), m_journal(journal), m_options(options)
    {
    }

    Result<RemoteDiscovery> run()
    {
        auto root = m_remote.list("");
        ++m_out.requests;
        if (!root)
            return std::unexpected(root.error());
        // A file where the synced folder was lists no items: everything here would look deleted there.
        if (root->self.type != ItemType::Directory)
            return fail(SyncErrorCode::Config,
                        "the server folder this folder syncs with is a file, not a folder, now; nothing was changed. "
                        "Rename or move that file on the server, or sync into a new local folder");
        root->self.serverPath.clear();
        m_out.tree[""] = root->self;
        auto rootRecord = m_journal.record("");
        if (!rootRecord)
            return std::unexpected(rootRecord.error());
        if (*rootRecord && unchanged(**rootRecord, root->self))
            return std::move(m_out);
        m_out.listed.push_back("");
        addChildren("", *root);

        const int workers = std::max(1, m_options.parallelism);
        std::vector<std::thread> threads;
        for (int i = 0; i < workers; ++i)
            threads.emplace_back([this] { work(); });
        for (std::thread& t : threads)
            t.join();
        if (!m_fatal && m_listedEncrypted)
            addUnlistedEncrypted();
        if (m_fatal)
            return std::unexpected(*m_fatal);
        refuseSharedIds();
        return std::move(m_out);
    }

private:
    struct Pending {
        std::string plain;
        std::string server;
    };

    bool cancelled() const { return m_options.cancel && m_options.cancel->load(); }

    // Inside encrypted folders a server name is a random id that belongs to one folder. Nothing
    // in a nested folder's metadata names its folder, so a server can serve one folder's
    // (signed, fresh) metadata for another and copy the blobs it lists there; every check of a
    // single document passes, and the victim folder's own files would look deleted. The same id
    // in two folders gives that away: both folders are left alone (their journal view stands in,
    // so nothing is deleted) and reported.
    void refuseSharedIds()
    {
        // A folder that could not be read stands in with the journal's (older) view: a file moved
        // out of it meanwhile is in both, legitimately.
        std::unordered_set<std::string> stale;
        for (const auto& [folder, error] : m_out.folderErrors)
            stale.insert(folder);
        const auto isStale = [&](const std::string& path) { return hasAncestorIn(path, stale); };
        std::unordered_map<std::string, std::string> firstFolder; // id -> plain folder holding it
        std::set<std::pair<std::string, std::string>> shared;      // pairs of plain folders
        for (const auto& [path, entry] : m_out.tree) {
            if (!entry.encrypted || path.empty() || isStale(path))
                continue;
            // Only names inside an encrypted folder are ids: a top-level encrypted folder keeps the
            // plain name its user gave it, which may well be 32 hex digits in two places.
            const auto parent = m_out.tree.find(parentPath(path));
            const std::string id = fileName(entry.serverPath);
            if (parent == m_out.tree.end() || !parent->second.encrypted || parent->first.empty() || !isRandomId(id))
                continue;
            const auto [it, inserted] = firstFolder.emplace(id, parentPath(path));
            if (!inserted && it->second != parentPath(path))
                shared.emplace(it->second, parentPath(path));
        }
        std::set<std::string> refused;
        for (const auto& [one, other] : shared) {
            for (const auto& [folder, partner] : {std::pair{one, other}, std::pair{other, one}}) {
                if (!refused.insert(folder).second)
                    continue;
                if (m_options.hook)
                    if (const auto self = m_out.tree.find(folder); self != m_out.tree.end())
                        m_options.hook->withdraw(folder, self->second.fileId);
                m_out.folderErrors.emplace_back(
                    folder, SyncError{SyncErrorCode::UntrustedKey,
                                      "the encrypted folder '" + e2ee::printableName(folder) +
                                          "' is left alone: its metadata lists a file that the metadata of '" +
                                          e2ee::printableName(partner) +
                                          "' lists too, so the server served one folder's metadata for the other's "
                                          "or copied files between them; nothing in either is changed on this "
                                          "computer",
                                      0});
            }
        }
        for (const std::string& folder : refused) {
            for (auto it = m_out.tree.lower_bound(folder + '/'); it != m_out.tree.end() && isInside(it->first, folder);)
                it = m_out.tree.erase(it);
            for (auto it = m_out.gone.lower_bound(folder + '/'); it != m_out.gone.end() && isInside(*it, folder);)
                it = m_out.gone.erase(it);
            copyFromJournal(folder);
        }
    }

    // The checks across encrypted folders need every name in them, also of those that did not
    // change (their parent folder was not listed, so they are in the journal only).
    void addUnlistedEncrypted()
    {
        auto rows = m_journal.encryptedRecords();
        if (!rows) {
            m_fatal = rows.error();
            return;
        }
        for (auto& [path, record] : *rows) {
            if (m_out.tree.contains(path) || m_out.gone.contains(path) || hasAncestorIn(path, m_goneFolders))
                continue;
            bool hidden = false;
            for (std::string p = path; !p.empty() && !hidden; p = parentPath(p))
                hidden = skipped(p, p == path ? record.type : ItemType::Directory);
            if (!hidden)
                m_out.tree.emplace(path, remoteEntryFromJournal(record));
        }
    }

    static bool isRandomId(const std::string& name)
    {
        return name.size() == 32 &&
               std::all_of(name.begin(), name.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    }

    static bool unchanged(const JournalRecord& record, const RemoteEntry& entry)
    {
        return record.type == ItemType::Directory && entry.type == ItemType::Directory && !record.etag.empty() &&
               record.etag == entry.etag;
    }

    bool skipped(const std::string& plain, ItemType type) const
    {
        if (m_options.excludes && m_options.excludes->isExcluded(plain, type == ItemType::Directory))
            return true;
        return m_options.skip && m_options.skip(plain, type);
    }

    // Caller holds m_mutex, or no worker runs yet.
    // Only for encrypted folders: elsewhere the journal stands in without a copy.
    void copyFromJournal(const std::string& folder)
    {
        auto rows = m_journal.subtree(folder);
        if (!rows) {
            if (!m_fatal)
                m_fatal = rows.error();
            return;
        }
        std::string skippedFolder;
        for (auto& [path, record] : *rows) {
            if (!skippedFolder.empty() && isInside(path, skippedFolder))
                continue;
            if (skipped(path, record.type)) {
                skippedFolder = path;
                continue;
            }
            m_out.tree.emplace(path, remoteEntryFromJournal(record));
        }
    }

    // Caller holds m_mutex, or no worker runs yet.
    void refuse(const std::string& plainFolder, const std::string& printable, const std::string& why)
    {
        m_out.refusedItems.push_back(RemoteDiscovery::Refused{
            plainFolder, joinPath(e2ee::printableName(plainFolder), printable),
            SyncError{SyncErrorCode::Protocol,
                      "the server listed an invalid name '" + printable + "' in '" +
                          (plainFolder.empty() ? std::string("/") : e2ee::printableName(plainFolder)) + "': " + why +
                          "; it is ignored (nothing is written or requested for it)",
                      0}});
    }

    // Caller holds m_mutex, or no worker runs yet.
    void addChildren(const std::string& plainFolder, const RemoteListing& listing)
    {
        std::vector<std::pair<std::string, RemoteEntry>> children;
        const bool encrypted = listing.self.encrypted && !plainFolder.empty();
        auto known = m_journal.children(plainFolder);
        if (!known) {
            if (!m_fatal)
                m_fatal = known.error();
            return;
        }
        std::unordered_map<std::string, JournalRecord> records; // by name
        for (auto& [path, record] : *known)
            records.emplace(fileName(path), std::move(record));
        if (encrypted) {
            m_listedEncrypted = true;
            // Only reached through the hook (an encrypted folder without one is never listed).
            auto translated = m_options.hook->translate(plainFolder, listing);
            if (!translated) {
                m_out.folderErrors.emplace_back(plainFolder, translated.error());
                copyFromJournal(plainFolder);
                return;
            }
            children = std::move(*translated);
        } else {
            const std::string folderServer = m_out.tree.at(plainFolder).serverPath;
            for (const auto& [name, entry] : listing.children) {
                RemoteEntry copy = entry;
                copy.serverPath = joinPath(folderServer, name);
                children.emplace_back(name, std::move(copy));
            }
        }
        for (const auto& [what, why] : listing.refused)
            refuse(plainFolder, what, why);
        for (auto& [name, entry] : children) {
            // Whoever produced the name (a listing, decrypted metadata), it must stay in its folder.
            if (auto invalid = e2ee::invalidNameReason(name)) {
                refuse(plainFolder, e2ee::printableName(name), *invalid);
                continue;
            }
            const std::string plain = joinPath(plainFolder, name);
            if (encrypted)
                entry.encrypted = true;
            std::optional<JournalRecord> record;
            if (auto it = records.find(name); it != records.end()) {
                record = std::move(it->second);
                records.erase(it);
            }
            if (skipped(plain, entry.type))
                continue;
            if (entry.type == ItemType::Directory && entry.encrypted && !encrypted && !m_options.hook) {
                m_out.warnings.push_back("'" + e2ee::printableName(plain) +
                                         "' is end-to-end encrypted and this device has no key for it: it is left "
                                         "alone. Add this device with the 12 words (nubocmd e2ee init) to sync it");
                m_out.leftAlone.push_back(plain);
                continue;
            }
            const bool folder = entry.type == ItemType::Directory;
            const bool same = folder && record && unchanged(*record, entry);
            // A folder listed next must be in the tree; so must everything encrypted (see the tree).
            const bool keep = encrypted || entry.encrypted || !record || (folder && !same) ||
                              !sameAsJournal(entry, *record);
            const bool encryptedFolder = folder && entry.encrypted;
            const std::string server = entry.serverPath;
            if (keep)
                m_out.tree.emplace(plain, std::move(entry));
            if (!folder)
                continue;
            if (!same)
                m_queue.push_back({plain, server});
            else if (encryptedFolder)
                copyFromJournal(plain);
        }
        // What the journal knows here and the listing no longer shows. Names the listing refused
        // or that are not synced are never in the journal's visible view either.
        for (const auto& [name, record] : records) {
            const std::string plain = joinPath(plainFolder, name);
            m_out.gone.insert(plain);
            if (record.type == ItemType::Directory)
                m_goneFolders.insert(plain);
        }
    }

    void work()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_cv.wait(lock, [&] { return !m_queue.empty() || m_busy == 0 || m_fatal; });
            if (m_fatal || (m_queue.empty() && m_busy == 0)) {
                m_cv.notify_all();
                return;
            }
            Pending next = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_busy;
            lock.unlock();
            auto listing = cancelled() ? Result<RemoteListing>(fail(SyncErrorCode::Cancelled, "the sync was stopped"))
                                       : m_remote.list(next.server);
            lock.lock();
            --m_busy;
            ++m_out.requests;
            if (!listing) {
                if (listing.error().fatal() || listing.error().code == SyncErrorCode::Network) {
                    if (!m_fatal)
                        m_fatal = listing.error();
                } else {
                    m_out.folderErrors.emplace_back(next.plain, listing.error());
                    if (m_out.tree.at(next.plain).encrypted)
                        copyFromJournal(next.plain);
                }
            } else {
                m_out.listed.push_back(next.plain);
                RemoteEntry& self = m_out.tree.at(next.plain);
                // The listing's own view of the folder is newer than its parent's.
                const std::string server = self.serverPath;
                const bool encryptedInside = self.encrypted;
                self = listing->self;
                self.serverPath = server;
                self.encrypted = self.encrypted || encryptedInside;
                addChildren(next.plain, *listing);
            }
            m_cv.notify_all();
        }
    }

    RemoteFs& m_remote;
    const JournalLookup& m_journal;
    const RemoteDiscoveryOptions& m_options;
    RemoteDiscovery m_out;

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Pending> m_queue;
    int m_busy = 0;
    std::optional<SyncError> m_fatal;
    bool m_listedEncrypted = false;
    std::unordered_set<std::string> m_goneFolders;
};

} // namespace

Result<RemoteDiscovery> discoverRemote(RemoteFs& remote, const JournalLookup& journal,
                                       const RemoteDiscoveryOptions& options)
{
    return Discoverer(remote, journal, options).run();
}

} // namespace nubo::sync
