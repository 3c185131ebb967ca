-- Issue 17: which compute node holds each open session, so any web node sends its calls there (or
-- answers 410 once that node is gone).
CREATE TABLE session_placements (
    session_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    node_url TEXT NOT NULL,
    node_instance TEXT NOT NULL
);
