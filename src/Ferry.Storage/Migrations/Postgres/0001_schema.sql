-- PostgreSQL's first version is the schema SQLite's 0001-0013 add up to, in one script: no
-- PostgreSQL database predates it. Later changes come as 0002 onward, in step with SQLite's.
-- The same SQL serves both providers, so the differences are kept to what PostgreSQL needs:
--   * nocase: SQLite's COLLATE NOCASE as a case-insensitive ICU collation of the same name, so the
--     stores' "COLLATE nocase" reads the same on both;
--   * BIGINT for SQLite's INTEGER (Dapper reads both as long), DOUBLE PRECISION for REAL;
--   * seq identity columns where SQLite orders ties by rowid (SqlDialect.InsertionOrder);
--   * triggers through functions.
-- Timestamps stay ISO 8601 text in UTC, as on SQLite (Database/Timestamps.cs).
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- Local users and their logins (refresh-token chains).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE nocase,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('Owner', 'Contributor', 'Reader')),
    created_at    TEXT NOT NULL
);

CREATE TABLE login_sessions (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_hash TEXT NOT NULL UNIQUE,
    created_at         TEXT NOT NULL,
    last_used_at       TEXT NOT NULL,
    revoked_at         TEXT
);

CREATE INDEX ix_login_sessions_user ON login_sessions (user_id);

-- Refresh tokens rotated out of their login: presenting one again revokes the login.
CREATE TABLE retired_refresh_tokens (
    token_hash       TEXT PRIMARY KEY,
    login_session_id TEXT NOT NULL REFERENCES login_sessions (id) ON DELETE CASCADE,
    retired_at       TEXT NOT NULL
);

CREATE INDEX ix_retired_refresh_tokens_login ON retired_refresh_tokens (login_session_id);

-- ML Server's centralized configuration: the compute node list.
CREATE TABLE compute_nodes (
    entry    TEXT PRIMARY KEY COLLATE nocase,
    position BIGINT NOT NULL
);

-- Content-addressed bytes and who references them.
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    refs BIGINT NOT NULL CHECK (refs >= 0)
);

CREATE TABLE snapshots (
    id           TEXT PRIMARY KEY,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    name         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    runtime      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL REFERENCES blobs (hash)
);

CREATE INDEX ix_snapshots_owner ON snapshots (owner);

-- Published web services; seq keeps versions in publishing order.
CREATE TABLE web_services (
    seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              TEXT NOT NULL,
    version           TEXT NOT NULL,
    published_by      TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    snapshot_id       TEXT,
    runtime           TEXT NOT NULL,
    init_code         TEXT NOT NULL,
    code              TEXT NOT NULL,
    description       TEXT NOT NULL,
    operation_id      TEXT,
    inputs            TEXT NOT NULL,
    outputs           TEXT NOT NULL,
    output_files      TEXT NOT NULL,
    content_hash      TEXT REFERENCES blobs (hash),
    pool_initial      BIGINT,
    pool_max          BIGINT,
    revision          BIGINT NOT NULL,
    batch_max_size    BIGINT,
    batch_max_wait_ms DOUBLE PRECISION,
    UNIQUE (name, version)
);

-- Asynchronous batch consumption: a batch goes with its service version.
CREATE TABLE batch_executions (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    owner          TEXT NOT NULL,
    parallel_count BIGINT NOT NULL,
    total          BIGINT NOT NULL,
    completed      BIGINT NOT NULL DEFAULT 0,
    state          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    error          TEXT,
    FOREIGN KEY (name, version) REFERENCES web_services (name, version) ON DELETE CASCADE
);

CREATE INDEX ix_batch_executions_service ON batch_executions (name, version);
CREATE INDEX ix_batch_executions_state ON batch_executions (state);

CREATE TABLE batch_records (
    batch_id TEXT NOT NULL REFERENCES batch_executions (id) ON DELETE CASCADE,
    idx      BIGINT NOT NULL,
    input    TEXT NOT NULL,
    result   TEXT,
    PRIMARY KEY (batch_id, idx)
);

-- The Azure-ML plane: service principals, server-wide settings, subscriptions and resource groups.
CREATE TABLE service_principals (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE nocase,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY COLLATE nocase,
    display_name    TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE resource_groups (
    name            TEXT PRIMARY KEY COLLATE nocase,
    location        TEXT NOT NULL,
    tags            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    subscription_id TEXT NOT NULL DEFAULT '' COLLATE nocase
);

CREATE INDEX ix_resource_groups_subscription ON resource_groups (subscription_id);

CREATE TABLE role_assignments (
    principal_kind  TEXT NOT NULL CHECK (principal_kind IN ('User', 'ServicePrincipal')),
    principal_id    TEXT NOT NULL COLLATE nocase,
    principal_name  TEXT NOT NULL,
    subscription_id TEXT NOT NULL COLLATE nocase REFERENCES subscriptions (subscription_id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('Owner', 'Contributor', 'Reader')),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (principal_kind, principal_id, subscription_id)
);

-- A removed principal's assignments go with it, so a new one of the same name starts with none.
CREATE FUNCTION role_assignments_principal_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        DELETE FROM role_assignments WHERE principal_kind = 'User' AND principal_id = old.name;
    ELSE
        DELETE FROM role_assignments WHERE principal_kind = 'ServicePrincipal' AND principal_id = old.client_id;
    END IF;
    RETURN old;
END;
$$;

CREATE TRIGGER role_assignments_user_removed AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION role_assignments_principal_removed();

CREATE TRIGGER role_assignments_service_principal_removed AFTER DELETE ON service_principals
    FOR EACH ROW EXECUTE FUNCTION role_assignments_principal_removed();

-- Azure-ML workspaces and the long-running ARM operations clients poll.
CREATE TABLE workspaces (
    resource_group     TEXT NOT NULL COLLATE nocase REFERENCES resource_groups (name) ON DELETE CASCADE,
    name               TEXT NOT NULL COLLATE nocase,
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

-- Compute targets of a workspace.
CREATE TABLE computes (
    resource_group     TEXT NOT NULL COLLATE nocase,
    workspace          TEXT NOT NULL COLLATE nocase,
    name               TEXT NOT NULL COLLATE nocase,
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

-- Experiments and their runs.
CREATE TABLE experiments (
    experiment_id  TEXT PRIMARY KEY,
    seq            BIGINT GENERATED ALWAYS AS IDENTITY,
    resource_group TEXT NOT NULL COLLATE nocase,
    workspace      TEXT NOT NULL COLLATE nocase,
    name           TEXT NOT NULL COLLATE nocase,
    created_at     TEXT NOT NULL,
    UNIQUE (resource_group, workspace, name)
);

CREATE TABLE runs (
    run_id         TEXT PRIMARY KEY,
    seq            BIGINT GENERATED ALWAYS AS IDENTITY,
    experiment_id  TEXT NOT NULL REFERENCES experiments (experiment_id),
    run_number     BIGINT NOT NULL,
    status         TEXT NOT NULL,
    target         TEXT NOT NULL,
    script         TEXT NOT NULL,
    arguments      TEXT NOT NULL,
    definition     TEXT NOT NULL,
    max_duration_s BIGINT,
    directory      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    ended_at       TEXT,
    error          TEXT,
    submitted_by   TEXT
);

CREATE INDEX ix_runs_status ON runs (status);
CREATE INDEX ix_runs_submitted_by_status ON runs (submitted_by, status);

-- The model registry of a workspace: versions numbered per name.
CREATE TABLE models (
    resource_group    TEXT NOT NULL COLLATE nocase,
    workspace         TEXT NOT NULL COLLATE nocase,
    name              TEXT NOT NULL,
    version           BIGINT NOT NULL,
    url               TEXT NOT NULL,
    mime_type         TEXT NOT NULL,
    framework         TEXT,
    framework_version TEXT,
    description       TEXT,
    kv_tags           TEXT NOT NULL,
    properties        TEXT NOT NULL,
    run_id            TEXT,
    created_at        TEXT NOT NULL,
    modified_at       TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name, version)
);

-- Code versions (mfe): a name and version for a set of uploaded artifacts.
CREATE TABLE code_versions (
    resource_group TEXT NOT NULL COLLATE nocase,
    workspace      TEXT NOT NULL COLLATE nocase,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    path           TEXT NOT NULL,
    description    TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name, version)
);

-- Online endpoints (scored with keys, stored encrypted) and their deployments.
CREATE TABLE online_endpoints (
    resource_group     TEXT NOT NULL COLLATE nocase,
    workspace          TEXT NOT NULL COLLATE nocase,
    name               TEXT NOT NULL COLLATE nocase,
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
    resource_group     TEXT NOT NULL COLLATE nocase,
    workspace          TEXT NOT NULL COLLATE nocase,
    endpoint           TEXT NOT NULL COLLATE nocase,
    name               TEXT NOT NULL COLLATE nocase,
    model_id           TEXT NOT NULL,
    code_id            TEXT NOT NULL,
    scoring_script     TEXT NOT NULL,
    instance_count     BIGINT NOT NULL,
    content_hash       TEXT REFERENCES blobs (hash),
    provisioning_state TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, endpoint, name)
);
