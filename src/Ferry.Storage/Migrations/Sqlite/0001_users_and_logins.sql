-- Local users and their logins (refresh-token chains).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
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

-- ML Server's centralized configuration: the compute node list.
CREATE TABLE compute_nodes (
    entry    TEXT PRIMARY KEY COLLATE NOCASE,
    position INTEGER NOT NULL
);
