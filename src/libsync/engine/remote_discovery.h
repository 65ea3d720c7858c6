// Remote discovery: what changed on the server, listing only the folders whose ETag differs from
// the journal's. An unchanged tree costs one PROPFIND. What it returns is the difference to the
// journal, so a huge unchanged tree costs no memory: an item that is neither in `tree` nor in or
// below `gone` is on the server exactly as its journal record says (RemoteDiscovery::entryFor).
#pragma once

#include "exclude_list.h"
#include "journal_lookup.h"
#include "remote_fs.h"
#include "sync_error.h"
#include "sync_types.h"

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace nubo::sync {

class Journal;

// Per-folder hook through which end-to-end encrypted folders get their plain names: given a
// listed folder, it returns the children keyed by plain name (serverPath keeps the server's
// name). Without a hook, encrypted folders are not synced at all (reported, left alone).
class RemoteFolderHook {
public:
    virtual ~RemoteFolderHook() = default;
    // Called from discovery's worker threads, a folder's parent before the folder.
    virtual Result<std::vector<std::pair<std::string, RemoteEntry>>> translate(const std::string& plainFolder,
                                                                                const RemoteListing& listing) = 0;
    // Around each discovery, on the engine's thread: what the hook remembers between runs (for
    // E2EE: the highest counters and key checksums seen, against rollbacks) lives in the journal.
    virtual Result<void> beforeDiscovery(Journal&) { return {}; }
    virtual Result<void> afterDiscovery(Journal&) { return {}; }
    // Discovery refused a folder the hook had accepted (a check across folders failed): what
    // translate() learned from it must not be kept. Called before afterDiscovery.
    virtual void withdraw(const std::string& /*plainFolder*/, const std::string& /*fileId*/) {}
};

struct RemoteDiscoveryOptions {
    const ExcludeList* excludes = nullptr;
    // Skip a path (and what is below it) entirely: selective sync, conflict copies.
    std::function<bool(const std::string& plainPath, ItemType type)> skip;
    RemoteFolderHook* hook = nullptr;
    int parallelism = 6;
    const std::atomic<bool>* cancel = nullptr;
};

struct RemoteDiscovery {
    // The root "" entry, every listed folder, and what a listing shows differently from the
    // journal (new, changed, other details). Inside end-to-end encrypted folders, everything: the
    // checks across folders need all of their names.
    RemoteTree tree;
    // What the journal holds in a listed folder that the listing no longer has: gone from the
    // server, with everything below it.
    std::set<std::string> gone;
    std::vector<std::string> listed;    // folders listed in this run (the others came from the journal)
    // Folders that could not be listed: their journal subtree stands in for them so nothing is
    // mistaken for deleted, and the error is reported.
    std::vector<std::pair<std::string, SyncError>> folderErrors;
    // Items a listing named that cannot be synced (an invalid name, an href outside the folder).
    // They are in no tree; their folder is listed again next run.
    struct Refused {
        std::string folder;    // the plain path of the folder listed
        std::string printable; // what was listed, made printable, for the report
        SyncError error;
    };
    std::vector<Refused> refusedItems;
    std::vector<std::string> warnings;  // encrypted folders left alone, …
    std::vector<std::string> leftAlone; // folders not synced at all this run (encrypted without a hook)
    int requests = 0;
};

// Fails only when the root cannot be listed or an error is fatal (credentials, TLS, cancel).
Result<RemoteDiscovery> discoverRemote(RemoteFs& remote, const JournalLookup& journal,
                                       const RemoteDiscoveryOptions& options);

RemoteEntry remoteEntryFromJournal(const JournalRecord& record);

// Whether a listed entry says nothing the journal record does not: such an entry is left out of
// RemoteDiscovery::tree. Permissions the journal does not know (after an upload) count as the
// same when they allow everything reconcile asks about, as an empty set of permissions does.
bool sameAsJournal(const RemoteEntry& entry, const JournalRecord& record);

// Every item of a discovered tree: `tree` and the journal records that stand for the rest.
// Returns the entry at `path`, or nullopt when it is not on the server.
//   record: the journal's record of `path`, if any; parentOnServer: whether the parent folder is
//   on the server as a folder (false below a gone item or an item that is no longer a folder).
std::optional<RemoteEntry> remoteEntryFor(const RemoteDiscovery& discovery, const std::string& path,
                                          const JournalRecord* record, bool parentOnServer);

} // namespace nubo::sync
