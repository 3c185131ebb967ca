-- The Azure-ML plane: service principals (client-credential logins), server-wide settings such as
-- the tenant and subscription ids, and resource groups.
CREATE TABLE service_principals (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE resource_groups (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    location   TEXT NOT NULL,
    tags       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
