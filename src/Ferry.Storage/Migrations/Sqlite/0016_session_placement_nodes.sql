-- Issue 17: a placement names the node process holding the session by its presence number (see
-- NodePresence), so the session limit counts only the sessions of nodes that live, in the same write
-- transaction that adds one; gone_at is when a sweep first saw the node gone: its sessions answer 410
-- for a while, then the row is forgotten. Rows from before have node 0, which no node holds.
ALTER TABLE session_placements ADD COLUMN node INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_placements ADD COLUMN gone_at TEXT;
CREATE INDEX session_placements_owner ON session_placements (owner);
