#include "namespace_tree.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>

namespace nubo::server {

namespace {

constexpr std::string_view kColumns = "id, owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted";

Item readItem(const Stmt& s)
{
    Item item;
    item.id = s.integer(0);
    item.owner = s.text(1);
    if (!s.isNull(2))
        item.parent = s.integer(2);
    item.name = s.text(3);
    item.isDir = s.integer(4) != 0;
    item.size = s.integer(5);
    item.mtime = s.integer(6);
    item.etag = s.text(7);
    item.blob = s.text(8);
    item.checksum = s.text(9);
    item.encrypted = s.integer(10) != 0;
    return item;
}

std::string select(std::string_view where)
{
    std::string sql = "SELECT ";
    sql += kColumns;
    sql += " FROM items WHERE ";
    sql += where;
    return sql;
}

std::optional<Item> one(Stmt& s)
{
    if (!s.step())
        return std::nullopt;
    return readItem(s);
}

// The recursive set of ids below (and including) ?1.
constexpr std::string_view kSubtree =
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT i.id FROM items i JOIN sub ON i.parent = sub.id) ";

} // namespace

std::string NamespaceTree::newEtag()
{
    std::array<unsigned char, 8> bytes {};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

Item NamespaceTree::ensureRoot(const std::string& owner, std::int64_t now)
{
    if (auto existing = root(owner))
        return *existing;
    m_db.prepare("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag) VALUES(?, NULL, '', 1, 0, ?, ?)")
        .bind(1, owner)
        .bind(2, now)
        .bind(3, newEtag())
        .run();
    return *byId(m_db.lastInsertId());
}

std::optional<Item> NamespaceTree::root(const std::string& owner)
{
    auto s = m_db.prepare(select("owner = ? AND parent IS NULL"));
    s.bind(1, owner);
    return one(s);
}

std::optional<Item> NamespaceTree::byId(std::int64_t id)
{
    auto s = m_db.prepare(select("id = ?"));
    s.bind(1, id);
    return one(s);
}

std::optional<Item> NamespaceTree::child(std::int64_t parent, std::string_view name)
{
    auto s = m_db.prepare(select("parent = ? AND name = ?"));
    s.bind(1, parent).bind(2, name);
    return one(s);
}

std::vector<Item> NamespaceTree::children(std::int64_t parent)
{
    auto s = m_db.prepare(select("parent = ? ORDER BY name COLLATE BINARY"));
    s.bind(1, parent);
    std::vector<Item> out;
    while (s.step())
        out.push_back(readItem(s));
    return out;
}

DavResult<Item> NamespaceTree::resolve(const std::string& owner, const std::vector<std::string>& segments)
{
    auto current = root(owner);
    if (!current)
        return std::unexpected(DavError {404, "The user has no files"});
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (!current->isDir)
            return std::unexpected(DavError {409, "A parent of the path is a file"});
        auto next = child(current->id, segments[i]);
        if (!next) {
            if (i + 1 < segments.size())
                return std::unexpected(DavError {404, "A parent folder does not exist"});
            return std::unexpected(DavError {404, "File or folder not found"});
        }
        current = std::move(next);
    }
    return *current;
}

DavResult<Item> NamespaceTree::resolveParent(const std::string& owner, const std::vector<std::string>& segments)
{
    if (segments.empty())
        return std::unexpected(DavError {409, "The root folder has no parent"});
    const std::vector<std::string> parentSegments(segments.begin(), segments.end() - 1);
    auto parent = resolve(owner, parentSegments);
    if (!parent)
        return std::unexpected(DavError {409, "The parent folder does not exist"});
    if (!parent->isDir)
        return std::unexpected(DavError {409, "The parent is not a folder"});
    return parent;
}

bool NamespaceTree::isSelfOrAncestor(std::int64_t ancestor, std::int64_t id)
{
    auto s = m_db.prepare(
        "WITH RECURSIVE anc(id) AS (SELECT ?1 UNION ALL SELECT i.parent FROM items i JOIN anc ON i.id = anc.id "
        "WHERE i.parent IS NOT NULL) SELECT 1 FROM anc WHERE id = ?2");
    s.bind(1, id).bind(2, ancestor);
    return s.step();
}

std::vector<std::string> NamespaceTree::pathOf(const Item& item)
{
    std::vector<std::string> out;
    std::optional<Item> current = item;
    while (current && current->parent) {
        out.push_back(current->name);
        current = byId(*current->parent);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

void NamespaceTree::propagate(std::int64_t from, std::int64_t sizeDelta, std::int64_t now)
{
    // Every row gets its own random ETag (randomblob is evaluated per row).
    m_db.prepare(
            "WITH RECURSIVE anc(id) AS (SELECT ?1 UNION ALL SELECT i.parent FROM items i JOIN anc ON i.id = anc.id "
            "WHERE i.parent IS NOT NULL) "
            "UPDATE items SET etag = lower(hex(randomblob(8))), size = size + ?2, mtime = max(mtime, ?3) "
            "WHERE id IN (SELECT id FROM anc)")
        .bind(1, from)
        .bind(2, sizeDelta)
        .bind(3, now)
        .run();
}

Item NamespaceTree::createFolder(const Item& parent, const std::string& name, std::int64_t now)
{
    m_db.prepare("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag) VALUES(?, ?, ?, 1, 0, ?, ?)")
        .bind(1, parent.owner)
        .bind(2, parent.id)
        .bind(3, name)
        .bind(4, now)
        .bind(5, newEtag())
        .run();
    const auto id = m_db.lastInsertId();
    propagate(parent.id, 0, now);
    return *byId(id);
}

Item NamespaceTree::createFile(const Item& parent, const std::string& name, const FileContent& content, std::int64_t now)
{
    m_db.prepare("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag, blob, checksum) "
                 "VALUES(?, ?, ?, 0, ?, ?, ?, ?, ?)")
        .bind(1, parent.owner)
        .bind(2, parent.id)
        .bind(3, name)
        .bind(4, content.size)
        .bind(5, content.mtime)
        .bind(6, newEtag())
        .bind(7, content.blob)
        .bind(8, content.checksum)
        .run();
    const auto id = m_db.lastInsertId();
    propagate(parent.id, content.size, now);
    return *byId(id);
}

std::string NamespaceTree::replaceFile(const Item& file, const FileContent& content, std::int64_t now)
{
    m_db.prepare("UPDATE items SET size = ?, mtime = ?, etag = ?, blob = ?, checksum = ? WHERE id = ?")
        .bind(1, content.size)
        .bind(2, content.mtime)
        .bind(3, newEtag())
        .bind(4, content.blob)
        .bind(5, content.checksum)
        .bind(6, file.id)
        .run();
    if (file.parent)
        propagate(*file.parent, content.size - file.size, now);
    return file.blob;
}

std::vector<std::string> NamespaceTree::remove(const Item& item, std::int64_t now)
{
    std::vector<std::string> blobs;
    {
        auto s = m_db.prepare(std::string(kSubtree)
            + "SELECT blob FROM items WHERE id IN (SELECT id FROM sub) AND blob IS NOT NULL AND blob != ''");
        s.bind(1, item.id);
        while (s.step())
            blobs.push_back(s.text(0));
    }
    m_db.prepare(std::string(kSubtree) + "DELETE FROM items WHERE id IN (SELECT id FROM sub)").bind(1, item.id).run();
    if (item.parent)
        propagate(*item.parent, -item.size, now);
    return blobs;
}

Item NamespaceTree::move(const Item& item, const Item& newParent, const std::string& newName, std::int64_t now)
{
    if (item.parent)
        propagate(*item.parent, -item.size, now);
    m_db.prepare("UPDATE items SET parent = ?, name = ? WHERE id = ?").bind(1, newParent.id).bind(2, newName).bind(3, item.id).run();
    propagate(newParent.id, item.size, now);
    return *byId(item.id);
}

std::int64_t NamespaceTree::copyRow(const Item& item, std::int64_t newParent, const std::string& newName)
{
    m_db.prepare("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted) "
                 "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, item.owner)
        .bind(2, newParent)
        .bind(3, newName)
        .bind(4, std::int64_t {item.isDir ? 1 : 0})
        .bind(5, item.size)
        .bind(6, item.mtime)
        .bind(7, newEtag())
        .bind(8, item.blob)
        .bind(9, item.checksum)
        .bind(10, std::int64_t {item.encrypted ? 1 : 0})
        .run();
    return m_db.lastInsertId();
}

void NamespaceTree::copyChildren(std::int64_t from, std::int64_t to)
{
    // children() materialises the list before recursing, so no statement is left active.
    for (const Item& c : children(from)) {
        const auto newId = copyRow(c, to, c.name);
        if (c.isDir)
            copyChildren(c.id, newId);
    }
}

Item NamespaceTree::copy(const Item& item, const Item& newParent, const std::string& newName, std::int64_t now)
{
    const auto newId = copyRow(item, newParent.id, newName);
    if (item.isDir)
        copyChildren(item.id, newId);
    propagate(newParent.id, item.size, now);
    return *byId(newId);
}

bool NamespaceTree::blobReferenced(const std::string& blob)
{
    auto s = m_db.prepare("SELECT 1 FROM items WHERE blob = ? LIMIT 1");
    s.bind(1, blob);
    return s.step();
}

std::vector<std::string> NamespaceTree::allBlobs()
{
    auto s = m_db.prepare("SELECT DISTINCT blob FROM items WHERE blob IS NOT NULL AND blob != ''");
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

void NamespaceTree::setEncrypted(std::int64_t id, bool encrypted, std::int64_t now)
{
    m_db.prepare("UPDATE items SET encrypted = ? WHERE id = ?").bind(1, std::int64_t {encrypted ? 1 : 0}).bind(2, id).run();
    propagate(id, 0, now);
}

} // namespace nubo::server
