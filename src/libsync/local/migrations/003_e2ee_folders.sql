-- What this device has verified of each end-to-end encrypted folder, kept across runs so that a
-- server cannot roll a folder back (PROTOCOL.md §4.7): the highest metadata counter seen, every
-- metadata key checksum seen, the highest metadata version. Keyed by the folder's file id, which
-- survives renames and moves.
CREATE TABLE e2ee_folders (
    file_id       TEXT PRIMARY KEY NOT NULL,
    counter       INTEGER,                 -- NULL until a metadata document was verified
    key_checksums TEXT NOT NULL DEFAULT '', -- lowercase hex SHA-256s, space-separated, sorted
    version       INTEGER NOT NULL DEFAULT 0 -- major*10+minor: 20 for "2.0"
) WITHOUT ROWID;
