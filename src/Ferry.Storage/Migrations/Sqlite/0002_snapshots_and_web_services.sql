-- Content-addressed bytes (snapshot zips) and who references them. A blob's file is removed in the
-- transaction that drops its last reference, so a file never disappears under a live row.
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    refs INTEGER NOT NULL CHECK (refs >= 0)
);

CREATE TABLE snapshots (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    runtime      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL REFERENCES blobs (hash)
);

CREATE INDEX ix_snapshots_owner ON snapshots (owner);

-- Published web services; seq keeps versions in publishing order (clients take the last as latest).
CREATE TABLE web_services (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    published_by    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    snapshot_id     TEXT,
    runtime         TEXT NOT NULL,
    init_code       TEXT NOT NULL,
    code            TEXT NOT NULL,
    description     TEXT NOT NULL,
    operation_id    TEXT,
    inputs          TEXT NOT NULL,
    outputs         TEXT NOT NULL,
    output_files    TEXT NOT NULL,
    content_hash    TEXT REFERENCES blobs (hash),
    pool_initial    INTEGER,
    pool_max        INTEGER,
    revision        INTEGER NOT NULL,
    UNIQUE (name, version)
);
