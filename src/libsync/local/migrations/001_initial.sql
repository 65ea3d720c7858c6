-- The first schema. Paths are compared with BINARY collation, which orders them exactly as
-- std::string does, so loadAll can read them in key order and a subtree is one range of keys.
-- WITHOUT ROWID: the path is the only key we ever look up by, so the table is the index.

CREATE TABLE items (
    path        TEXT PRIMARY KEY NOT NULL, -- plain relative path; '' is the sync root
    server_path TEXT NOT NULL,             -- differs from path inside end-to-end encrypted folders
    type        INTEGER NOT NULL,          -- ItemType: 0 file, 1 folder
    encrypted   INTEGER NOT NULL DEFAULT 0,
    inode       INTEGER NOT NULL DEFAULT 0,
    size        INTEGER NOT NULL DEFAULT 0,
    mtime       INTEGER NOT NULL DEFAULT 0,
    etag        TEXT NOT NULL DEFAULT '',
    file_id     TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL DEFAULT '',
    checksum    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE blacklist (
    path     TEXT PRIMARY KEY NOT NULL,
    message  TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at INTEGER NOT NULL DEFAULT 0 -- seconds since the epoch
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;
