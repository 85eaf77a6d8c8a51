-- Login attempts counted per client address, beside the per-account
-- count in login_throttle (same columns, same atomic upsert).
CREATE TABLE login_address_throttle (
    address TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
