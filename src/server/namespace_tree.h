// The per-user file namespace: rows of the `items` table (one root folder per user), with
// ETag propagation and recursive folder sizes. No HTTP or XML here. Mutating calls expect the
// caller to hold a Transaction; they never touch blob files (they report which blobs they
// released, so the caller can delete them after the commit).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db.h"

namespace nubo::server {

// An error a WebDAV client gets to see: the HTTP status and a human-readable message.
struct DavError {
    unsigned status = 500;
    std::string message;
};

template <class T>
using DavResult = std::expected<T, DavError>;

struct Item {
    std::int64_t id = 0; // the oc:fileid
    std::string owner;
    std::optional<std::int64_t> parent; // nullopt for a user's root folder
    std::string name;
    bool isDir = false;
    std::int64_t size = 0;  // files: content length; folders: recursive sum of file sizes
    std::int64_t mtime = 0; // unix seconds
    std::string etag;       // unquoted
    std::string blob;       // files: blob id in <data>/blobs/
    std::string checksum;   // files: e.g. "SHA1:abc..." as stored
    bool encrypted = false;
};

// What a PUT stores for a file.
struct FileContent {
    std::int64_t size = 0;
    std::int64_t mtime = 0;
    std::string blob;
    std::string checksum;
};

class NamespaceTree {
public:
    explicit NamespaceTree(Db& db)
        : m_db(db)
    {
    }

    static std::string newEtag(); // 16 random hex digits

    // The user's root folder, created when missing.
    Item ensureRoot(const std::string& owner, std::int64_t now);
    std::optional<Item> root(const std::string& owner);
    std::optional<Item> byId(std::int64_t id);
    std::optional<Item> child(std::int64_t parent, std::string_view name);
    // Children ordered by name (byte order), so listings are stable.
    std::vector<Item> children(std::int64_t parent);

    // Walks segments from the owner's root: 404 when the item is missing, 409 when a folder on
    // the way is missing or is a file.
    DavResult<Item> resolve(const std::string& owner, const std::vector<std::string>& segments);
    // The folder that should contain segments.back(): 409 when missing or not a folder.
    DavResult<Item> resolveParent(const std::string& owner, const std::vector<std::string>& segments);
    // True when `ancestor` is `id` itself or one of its ancestors.
    bool isSelfOrAncestor(std::int64_t ancestor, std::int64_t id);
    // Path segments from the owner's root down to the item (empty for the root).
    std::vector<std::string> pathOf(const Item& item);

    // New ETag, size += sizeDelta and mtime = max(mtime, now) on `from` and every ancestor.
    void propagate(std::int64_t from, std::int64_t sizeDelta, std::int64_t now);

    Item createFolder(const Item& parent, const std::string& name, std::int64_t now);
    Item createFile(const Item& parent, const std::string& name, const FileContent& content, std::int64_t now);
    // Replaces the content of an existing file, keeping its id; returns the released blob.
    std::string replaceFile(const Item& file, const FileContent& content, std::int64_t now);
    // Deletes the item and everything below it; returns the released blobs.
    std::vector<std::string> remove(const Item& item, std::int64_t now);
    // Moves/renames, keeping ids (and the moved item's ETag); both parents propagate.
    Item move(const Item& item, const Item& newParent, const std::string& newName, std::int64_t now);
    // Copies recursively with new ids and ETags; blobs are shared (they are immutable).
    Item copy(const Item& item, const Item& newParent, const std::string& newName, std::int64_t now);

    bool blobReferenced(const std::string& blob);
    std::vector<std::string> allBlobs();
    void setEncrypted(std::int64_t id, bool encrypted, std::int64_t now);

private:
    std::int64_t copyRow(const Item& item, std::int64_t newParent, const std::string& newName);
    void copyChildren(std::int64_t from, std::int64_t to);

    Db& m_db;
};

} // namespace nubo::server
