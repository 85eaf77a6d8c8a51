-- One row per login: the token's `jti` is the session id, checked on every
-- request, so logging out (revoked_at) takes effect at once on every
-- instance sharing the database. Tokens issued before this table existed
-- have no session and must log in again.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT,
    ip TEXT,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
