-- Experiments and their runs. A run's files (project, logs, outputs) live in its directory under the workspace's.
CREATE TABLE experiments (
    experiment_id  TEXT PRIMARY KEY,
    resource_group TEXT NOT NULL COLLATE NOCASE,
    workspace      TEXT NOT NULL COLLATE NOCASE,
    name           TEXT NOT NULL COLLATE NOCASE,
    created_at     TEXT NOT NULL,
    UNIQUE (resource_group, workspace, name)
);

CREATE TABLE runs (
    run_id           TEXT PRIMARY KEY,
    experiment_id    TEXT NOT NULL REFERENCES experiments (experiment_id),
    run_number       INTEGER NOT NULL,
    status           TEXT NOT NULL,
    target           TEXT NOT NULL,
    script           TEXT NOT NULL,
    arguments        TEXT NOT NULL,
    definition       TEXT NOT NULL,
    max_duration_s   INTEGER,
    directory        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    started_at       TEXT,
    ended_at         TEXT,
    error            TEXT
);

CREATE INDEX ix_runs_status ON runs (status);
