-- Local change detection to the nanosecond: an edit that keeps the size within the same second
-- (or a `touch -r` that puts the old mtime back) moves the change time, which no user tool can
-- set. Both are 0 in records written before this migration: such a record's first comparison
-- uses size and seconds only, and the run fills them in.
ALTER TABLE items ADD COLUMN mtime_ns INTEGER NOT NULL DEFAULT 0; -- nanoseconds within mtime's second
ALTER TABLE items ADD COLUMN ctime INTEGER NOT NULL DEFAULT 0;    -- status change time, ns since the epoch
