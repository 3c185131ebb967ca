-- Issue 17: which node holds each open session, so any web node sends its calls there (or answers
-- 410 once that node is gone). SQLite has one node; the table keeps the two schemas alike.
CREATE TABLE session_placements (
    session_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    node_url TEXT NOT NULL,
    node_instance TEXT NOT NULL
);

-- Issue 17: the node that claimed a run, so a node starting up fails only the runs of nodes that are
-- gone, never those another node is running.
ALTER TABLE runs ADD COLUMN node INTEGER;

-- A cancel asked of a run that another node runs: kept, so that node stops it even when it missed the
-- change notice (its listening connection was down) and rereads what it missed.
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
