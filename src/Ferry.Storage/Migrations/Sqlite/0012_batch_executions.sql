-- Asynchronous batch consumption (issue 14). A batch belongs to its service version and goes with it;
-- each record keeps its input and, once it has run, its result (the consume response's JSON).
CREATE TABLE batch_executions (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    owner          TEXT NOT NULL,
    parallel_count INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    completed      INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    error          TEXT,
    FOREIGN KEY (name, version) REFERENCES web_services (name, version) ON DELETE CASCADE
);

CREATE INDEX ix_batch_executions_service ON batch_executions (name, version);
CREATE INDEX ix_batch_executions_state ON batch_executions (state);

CREATE TABLE batch_records (
    batch_id TEXT NOT NULL REFERENCES batch_executions (id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    input    TEXT NOT NULL,
    result   TEXT,
    PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;
