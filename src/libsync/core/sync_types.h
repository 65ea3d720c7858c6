// The three views of one synced folder that reconcile compares: what is on the local disk, what
// is on the server, and what the journal remembers from the last time both agreed.
//
// Paths are relative to the sync root, '/'-separated, UTF-8, without a leading or trailing slash;
// the root itself is "". They are plain names: for items inside an end-to-end encrypted folder the
// server knows another name (RemoteEntry::serverPath / JournalRecord::serverPath).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>

namespace nubo::sync {

// The key, nonce and tag of a file inside an end-to-end encrypted folder, from its verified
// metadata (defined in e2ee_folder_hook.h; this layer only carries it).
struct EncryptedFileInfo;

enum class ItemType : std::uint8_t { File = 0, Directory = 1 };

struct LocalEntry {
    ItemType type = ItemType::File;
    std::uint64_t inode = 0;
    std::int64_t size = 0;  // 0 for directories
    std::int64_t mtime = 0; // seconds since the epoch (may be negative: before 1970)
    std::int64_t mtimeNs = 0; // the nanoseconds within that second, [0, 1e9)
    // Status change time in nanoseconds since the epoch: every write, rename, chmod or truncate
    // moves it, and no user tool can set it back, so an edit that keeps size and mtime shows here.
    std::int64_t ctime = 0;
};

struct RemoteEntry {
    ItemType type = ItemType::File;
    std::string serverPath;  // the path the server knows; equals the plain path outside E2EE folders
    std::string etag;        // without quotes
    std::string fileId;      // oc:fileid, stable across moves
    std::int64_t size = 0;   // files: content length; folders: recursive size (informational)
    std::int64_t mtime = 0;  // seconds
    std::string permissions; // oc:permissions letters, e.g. "RGDNVW"
    std::string checksum;    // "SHA1:<hex>" when the server knows one, else empty
    bool encrypted = false;  // nc:is-encrypted on a folder, or an item inside an encrypted tree
    // Files in an encrypted folder: how to decrypt the blob (null elsewhere).
    std::shared_ptr<const EncryptedFileInfo> encryptedFile;
};

struct JournalRecord {
    ItemType type = ItemType::File;
    std::string serverPath;
    bool encrypted = false;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime = 0;
    std::string etag;
    std::string fileId;
    std::string permissions;
    std::string checksum;
    std::int64_t mtimeNs = 0; // local file's, as LocalEntry; 0 in records of older journals
    std::int64_t ctime = 0;   // local file's, as LocalEntry; 0 = unknown (an older journal)
};

// Keyed by plain path; std::map keeps a folder before its contents ("a" < "a/b"), but note that
// "a b" sorts between "a" and "a/b". Use isInside() rather than relying on adjacency.
using LocalTree = std::map<std::string, LocalEntry>;
using RemoteTree = std::map<std::string, RemoteEntry>;
using JournalTree = std::map<std::string, JournalRecord>;

// "a/b/c" -> "a/b"; "a" -> ""; "" -> "".
std::string parentPath(const std::string& path);
// "a/b/c" -> "c".
std::string fileName(const std::string& path);
// "a" + "b" -> "a/b"; "" + "b" -> "b".
std::string joinPath(const std::string& folder, const std::string& name);
// True when path is folder itself or lies below it ("" contains everything).
bool isInside(const std::string& path, const std::string& folder);
// Whether a strict ancestor of `path` ("" included) is one of `folders`.
bool hasAncestorIn(const std::string& path, const std::unordered_set<std::string>& folders);
// Replace the prefix `from` of path by `to` (path must be inside from).
std::string rebase(const std::string& path, const std::string& from, const std::string& to);
// Number of components: "" -> 0, "a" -> 1, "a/b" -> 2.
int depth(const std::string& path);

} // namespace nubo::sync
