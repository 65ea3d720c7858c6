-- Reading the journal one folder at a time (the engine walks huge trees folder by folder and keeps
-- only what changed): the records directly inside a folder are those one '/' deeper within the
-- folder's key range. This index holds exactly that order, so a folder's children are one range
-- scan, whatever the size of the tree below them. The expression must be written exactly so in
-- the queries that use it (Journal::children).
CREATE INDEX items_by_depth ON items ((length(path) - length(replace(path, '/', ''))), path);
