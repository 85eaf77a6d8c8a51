-- Approvals (审批): every act the law puts under a head's approval, asked
-- for by an officer and decided once by a head of the department — or
-- taken by a head directly, which still leaves an approved row. The act's
-- body waits in `request` until the decision runs it.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    case_id TEXT REFERENCES cases(id),
    clue_id TEXT,
    request TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    opinion TEXT,
    result_kind TEXT,
    result_id TEXT
);
CREATE INDEX approvals_queue ON approvals (department_id, status, requested_at);
CREATE INDEX approvals_case ON approvals (case_id);
CREATE INDEX approvals_clue ON approvals (clue_id);
CREATE INDEX approvals_requester ON approvals (requested_by, status);

-- Clues (线索/案源) before filing: registered with the day the violation
-- was discovered; a filing decision due within the profile's working days.
CREATE TABLE clues (
    id TEXT PRIMARY KEY,
    clue_no TEXT NOT NULL UNIQUE,
    department_id TEXT NOT NULL REFERENCES departments(id),
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    enforcement_item_code TEXT,
    party_name TEXT,
    location TEXT,
    occurred_at TIMESTAMP,
    discovered_at TIMESTAMP NOT NULL,
    registered_by TEXT NOT NULL REFERENCES users(id),
    registered_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    due_on DATE NOT NULL,
    due_basis TEXT NOT NULL,
    extensions INTEGER NOT NULL DEFAULT 0,
    exclusions TEXT NOT NULL DEFAULT '[]',
    case_id TEXT REFERENCES cases(id),
    ground TEXT,
    outcome_reason TEXT,
    transferred_to TEXT REFERENCES departments(id),
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    import_batch TEXT
);
CREATE INDEX clues_department ON clues (department_id, status, due_on);

-- The history of a clue, appended in the transaction of each change.
CREATE TABLE clue_events (
    clue_id TEXT NOT NULL REFERENCES clues(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    request_id TEXT,
    PRIMARY KEY (clue_id, seq)
);

-- In-app messages: one per (user, dedup key), so a deadline or an
-- approval never announces itself twice.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    dedup_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    case_id TEXT,
    subject_id TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (user_id, dedup_key)
);
CREATE INDEX messages_user ON messages (user_id, read_at, created_at);
