-- Two additions of issue 12: retired refresh tokens (reuse detection) and run owners (per-user caps).

-- Refresh tokens rotated out of their login: presenting one again means it was copied, so the
-- whole login is revoked (OAuth 2.0 Security BCP, refresh token rotation).
CREATE TABLE retired_refresh_tokens (
    token_hash       TEXT PRIMARY KEY,
    login_session_id TEXT NOT NULL REFERENCES login_sessions (id) ON DELETE CASCADE,
    retired_at       TEXT NOT NULL
);

CREATE INDEX ix_retired_refresh_tokens_login ON retired_refresh_tokens (login_session_id);

-- Who submitted a run, so the active runs of one user can be capped (Ferry:Runs:MaxActiveRunsPerUser).
ALTER TABLE runs ADD COLUMN submitted_by TEXT;

CREATE INDEX ix_runs_submitted_by_status ON runs (submitted_by, status);
