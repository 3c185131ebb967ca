-- Azure-ML workspaces and the long-running ARM operations clients poll.
CREATE TABLE workspaces (
    resource_group     TEXT NOT NULL COLLATE NOCASE REFERENCES resource_groups (name) ON DELETE CASCADE,
    name               TEXT NOT NULL COLLATE NOCASE,
    location           TEXT NOT NULL,
    workspace_id       TEXT NOT NULL UNIQUE,
    friendly_name      TEXT NOT NULL,
    description        TEXT NOT NULL,
    sku                TEXT NOT NULL,
    tags               TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    provisioning_state TEXT NOT NULL,
    PRIMARY KEY (resource_group, name)
);

CREATE TABLE arm_operations (
    id          TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('InProgress', 'Succeeded', 'Failed', 'Canceled')),
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    error       TEXT
);
