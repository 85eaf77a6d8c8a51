-- Case transfers (案件移送): to the competent agency (jurisdiction) or to
-- public security (suspected crime, State Council Decree 310).
CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    from_department_id TEXT NOT NULL REFERENCES departments(id),
    to_department_id TEXT NOT NULL REFERENCES departments(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TIMESTAMP NOT NULL,
    approved_by TEXT REFERENCES users(id),
    approved_at TIMESTAMP,
    document_id TEXT REFERENCES documents(id),
    answered_by TEXT REFERENCES users(id),
    answered_at TIMESTAMP,
    answer_reason TEXT
);
CREATE INDEX transfers_to ON transfers (to_department_id, status);
CREATE INDEX transfers_from ON transfers (from_department_id, status);
CREATE INDEX transfers_case ON transfers (case_id);
