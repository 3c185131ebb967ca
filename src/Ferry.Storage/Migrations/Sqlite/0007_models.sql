-- The model registry of a workspace: versions numbered per name.
CREATE TABLE models (
    resource_group  TEXT NOT NULL COLLATE NOCASE,
    workspace       TEXT NOT NULL COLLATE NOCASE,
    name            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    url             TEXT NOT NULL,
    mime_type       TEXT NOT NULL,
    framework       TEXT,
    framework_version TEXT,
    description     TEXT,
    kv_tags         TEXT NOT NULL,
    properties      TEXT NOT NULL,
    run_id          TEXT,
    created_at      TEXT NOT NULL,
    modified_at     TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name, version)
);
