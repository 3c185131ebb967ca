-- Online endpoints (scored with keys) and their deployments; a deployment's content (code and
-- model files) is a blob like a snapshot's.
CREATE TABLE online_endpoints (
    resource_group     TEXT NOT NULL COLLATE NOCASE,
    workspace          TEXT NOT NULL COLLATE NOCASE,
    name               TEXT NOT NULL COLLATE NOCASE,
    location           TEXT NOT NULL,
    description        TEXT,
    auth_mode          TEXT NOT NULL,
    primary_key        TEXT NOT NULL,
    secondary_key      TEXT NOT NULL,
    traffic            TEXT NOT NULL,
    provisioning_state TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name)
);

CREATE TABLE online_deployments (
    resource_group     TEXT NOT NULL COLLATE NOCASE,
    workspace          TEXT NOT NULL COLLATE NOCASE,
    endpoint           TEXT NOT NULL COLLATE NOCASE,
    name               TEXT NOT NULL COLLATE NOCASE,
    model_id           TEXT NOT NULL,
    code_id            TEXT NOT NULL,
    scoring_script     TEXT NOT NULL,
    instance_count     INTEGER NOT NULL,
    content_hash       TEXT REFERENCES blobs (hash),
    provisioning_state TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, endpoint, name)
);
