-- 行政执法公示: the publication queue of served decisions (SAMR Order 45).
-- An entry is created in the service step's transaction, prepared by an
-- officer of the case (the masked summary and the spans redacted), released
-- by a head, withdrawn when the decision is revoked or changed; it stays
-- after its display period ends (display_until), only off the public list.
CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    enforcement_item_code TEXT NOT NULL,
    decision_number TEXT NOT NULL UNIQUE,
    decided_on DATE NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    redactions TEXT NOT NULL,
    fine_fen BIGINT NOT NULL,
    penalty_kinds TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    prepared_by TEXT REFERENCES users(id),
    prepared_at TIMESTAMP,
    released_by TEXT REFERENCES users(id),
    released_at TIMESTAMP,
    display_until DATE,
    withdrawn_at TIMESTAMP,
    withdrawal_reason TEXT
);
CREATE INDEX publications_public ON publications (status, display_until, id);
CREATE INDEX publications_department ON publications (department_id, status);
CREATE INDEX publications_case ON publications (case_id);

-- 投诉举报: the reporter's identity and contact only sealed (AES-256-GCM,
-- ZHIFA_REPORTER_KEY); the client address only as a keyed hash, for the
-- rate limit.
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    department_id TEXT NOT NULL REFERENCES departments(id),
    enforcement_item_code TEXT,
    subject_name TEXT NOT NULL,
    subject_address TEXT,
    subject_uscc TEXT,
    facts TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    reporter_sealed TEXT,
    client_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    clue_id TEXT,
    closure_reason TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP
);
CREATE INDEX complaints_department ON complaints (department_id, status, received_at);
CREATE INDEX complaints_client ON complaints (client_hash, received_at);

-- The complaint's own record: received, turned into a clue, closed, every
-- read of the reporter, rewards.
CREATE TABLE complaint_events (
    id TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (complaint_id, seq)
);
