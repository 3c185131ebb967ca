-- Refresh tokens rotated out of their login: presenting one again means it was copied, so the
-- whole login is revoked (OAuth 2.0 Security BCP, refresh token rotation).
CREATE TABLE retired_refresh_tokens (
    token_hash       TEXT PRIMARY KEY,
    login_session_id TEXT NOT NULL REFERENCES login_sessions (id) ON DELETE CASCADE,
    retired_at       TEXT NOT NULL
);

CREATE INDEX ix_retired_refresh_tokens_login ON retired_refresh_tokens (login_session_id);
