-- Compute targets of a workspace; AmlCompute is a local execution target here.
CREATE TABLE computes (
    resource_group     TEXT NOT NULL COLLATE NOCASE,
    workspace          TEXT NOT NULL COLLATE NOCASE,
    name               TEXT NOT NULL COLLATE NOCASE,
    location           TEXT NOT NULL,
    compute_type       TEXT NOT NULL,
    description        TEXT NOT NULL,
    properties         TEXT NOT NULL,
    provisioning_state TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    modified_at        TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name),
    FOREIGN KEY (resource_group, workspace) REFERENCES workspaces (resource_group, name) ON DELETE CASCADE
);
