// Reconcile: the pure heart of a sync run. Given what is on disk, what is on the server and what
// the journal remembers, it decides every action; it knows nothing of HTTP or disks, so each rule
// is a row in test/unit/sync/reconcile_test.cpp.
//
// The rules, for one path (L = local, R = remote, J = journal):
//   L and R unchanged since J ........................ nothing
//   only L changed / new ............................. upload (If-Match J's ETag when replacing)
//   only R changed / new ............................. download
//   both changed, or both new ........................ Conflict: the propagator compares content;
//                                                       equal -> journal only, different -> the server
//                                                       version wins and the local one is kept as a
//                                                       conflict copy
//   L deleted, R unchanged ........................... delete on the server
//   L deleted, R changed ............................. download (a change beats a delete)
//   R deleted, L unchanged ........................... delete locally (to the trash)
//   R deleted, L changed ............................. upload as a new file
//   both deleted ..................................... forget
//   a folder is deleted on one side only if nothing below it is new or changed on the other;
//   otherwise it is re-created and what changed below it is transferred.
// With ReconcileOptions::restoreDeletions (the user's "restore them" after a mass deletion), an
// item deleted on one side only is never deleted on the other: it is brought back from the side
// that still has it (L deleted -> download, R deleted -> upload as a new item; a folder is made
// again and everything below it follows). The rows above where a change beats a delete already
// restore the changed version, so an edit made meanwhile on the surviving side is what comes back.
// An end-to-end encrypted item whose encrypted folder is gone from the server is not restored
// there (it would go up unencrypted): it is an error, and it stays here. The same holds when it
// changed here (a folder with edits below it is otherwise made again), and for a folder synced
// as encrypted that the server now lists unencrypted: it is left alone, moves into and out of it
// included, unless it was empty (the server removes the encryption of empty folders only).
// Moves: a local item whose inode the journal knows under another path that is gone locally is a
// local move; a remote item whose file id the journal knows under another path that is gone on the
// server is a remote move. A folder's inode is believed only when the journal knew nothing inside
// it and the server lists nothing new inside it, or something it knew inside is now below the new
// place (a freed inode goes to the next new folder, anywhere: that is a deletion and a new
// folder). Moves are propagated as MOVE / rename,
// and what lies below a moved folder is compared at its new place. When both sides moved the
// same item elsewhere, the server's move wins and the local item follows it (no data is involved).
// Names:
//   a name that differs from a local one only by Unicode normalisation (NFC here, NFD as macOS
//   writes) is that local item: the server and the journal keep their spelling (serverPath),
//   the plan uses the local one, and a journal record keyed by the other spelling is re-keyed
//   (UpdateJournal from -> path, nothing else changes). Nothing is duplicated, moved or deleted.
//   A server name the local filesystem cannot hold (ReconcileOptions' name rules: too long, a
//   case or normalisation clash, Windows' reserved names, characters and trailing dots and
//   spaces) is an error, with what is below it; it is never renamed on the server, and when the
//   server moved an item to such a name, the item stays where it is here, untouched.
#pragma once

#include "sync_types.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nubo::sync {

enum class ActionKind : std::uint8_t {
    Upload,           // file: local -> server
    Download,         // file: server -> local
    MakeRemoteFolder, // MKCOL
    MakeLocalFolder,  // mkdir
    MoveRemote,       // MOVE from -> path on the server (a local move)
    MoveLocal,        // rename from -> path locally (a remote move)
    DeleteRemote,     // DELETE (a folder goes with its subtree)
    DeleteLocal,      // to the trash (a folder goes with its subtree)
    Conflict,         // both sides changed a file: compare, then keep both versions
    UpdateJournal,    // both sides agree; (re)write the journal record
    ForgetJournal,    // gone on both sides; drop the journal record (and its subtree)
    Error,            // cannot be synced; reported, nothing is touched
};

const char* actionKindName(ActionKind kind);

struct Action {
    ActionKind kind = ActionKind::UpdateJournal;
    ItemType type = ItemType::File;
    std::string path;                   // plain path (destination for moves)
    std::string from;                   // moves (and UpdateJournal after a move both sides made):
                                        // the old plain path, after the moves listed before it
    std::optional<LocalEntry> local;    // the local item at `path` (moves: at the new place)
    std::optional<RemoteEntry> remote;  // the remote item (moves: as it is at the old place)
    std::optional<JournalRecord> journal; // the journal record (moves: of `from`)
    std::string reason;                 // Error: why; otherwise a short explanation for logs
};

struct Plan {
    std::vector<Action> actions; // in a valid order: moves, folders before contents, deletes last
    std::int64_t itemsKnown = 0;  // items in the journal (for the mass-delete guard)
    std::int64_t itemsDeleted = 0; // items that DeleteLocal/DeleteRemote would remove, subtrees counted
    std::int64_t localDeletes = 0; // of those, removed locally
    // Every item the deletes would remove (subtrees included, both sides), relative and sorted;
    // only the first ReconcileOptions::deletedPathsKept of them (itemsDeleted counts them all).
    std::vector<std::string> deletedPaths;
};

// The names the local filesystem cannot hold, by platform (ReconcileOptions' name rules).
enum class NamePlatform : std::uint8_t { Linux, Windows, MacOs };
NamePlatform nativeNamePlatform();

// UTF-8 in, the same text in Unicode normalisation form C out (supplied by a layer with Unicode
// tables; reconcile itself has none).
using Normalizer = std::function<std::string(const std::string&)>;

struct ReconcileOptions {
    bool caseInsensitive = false; // the local filesystem folds case: names equal but for case clash
    std::size_t maxNameBytes = 255; // longest name the local filesystem holds, in UTF-8 bytes
    std::size_t maxNameUtf16 = 0;   // … in UTF-16 code units (Windows, macOS); 0: no such limit
    // Windows: reserved device names (CON, aux.txt, COM1…), a trailing dot or space, the
    // characters < > : " | ? * \ and control characters cannot be local names.
    bool windowsNames = false;
    // The local filesystem does not tell NFC and NFD spellings apart (macOS): two server names
    // that differ only so clash, like names that differ only in case.
    bool normalizationInsensitive = false;
    // NFC of a name; set, names that differ only by normalisation are one item (see above).
    Normalizer normalize;
    // Local folders holding items that are not synced (conflict copies, excluded files): such a
    // folder is never deleted here because the server deleted it; it is kept (and made again
    // on the server) like a folder with new content.
    std::set<std::string> foldersWithUnsyncedItems;
    // Server folders whose content this run does not know: their listing failed, or was refused
    // (names a listing refused as invalid are no content any client could have made). A folder
    // deleted here that holds one of them is not deleted on the server: its DELETE would take
    // along what this device never saw. It waits, reported, until the listing succeeds (then what
    // is new there comes back down).
    std::set<std::string> remoteFoldersNotListed;
    // Server folders holding items this device does not sync on purpose (a folder left out by
    // selective sync): such a folder, and every folder above it, is never deleted on the server
    // because it was deleted here. It comes back here, and what is synced in it is deleted on the
    // server item by item, like a folder whose content changed on the server.
    std::set<std::string> remoteFoldersWithUnsyncedItems;
    // Bring back what one side deleted instead of deleting it on the other (see the rules above).
    // A replacement (a file that became a folder) is not a deletion and keeps its rule.
    bool restoreDeletions = false;
    // How many paths Plan::deletedPaths keeps: a mass deletion of a huge tree stays small in memory.
    std::size_t deletedPathsKept = 10'000;
};

Plan reconcile(const LocalTree& local, const RemoteTree& remote, const JournalTree& journal,
               const ReconcileOptions& options = {});

// Sets the name rules of `platform` (case, normalisation, length, Windows names) in `options`.
void applyNameRules(ReconcileOptions& options, NamePlatform platform);
// Why a file or folder name cannot exist on a local filesystem with these rules; empty when it can.
// Case and normalisation clashes need the other names and are found by reconcile itself.
std::string unfitLocalName(std::string_view name, const ReconcileOptions& options);

// Whether a file changed on each side relative to its journal record (used by reconcile and the
// propagator's re-checks): size or mtime locally, ETag remotely.
bool localChanged(const LocalEntry& local, const JournalRecord& record);
bool remoteChanged(const RemoteEntry& remote, const JournalRecord& record);

} // namespace nubo::sync
