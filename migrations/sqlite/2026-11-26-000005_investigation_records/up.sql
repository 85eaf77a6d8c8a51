-- On-site records (现场笔录) and inquiry records (询问笔录): the accepted
-- body is kept whole as JSON, with the officers and the certificates they
-- acted under.
CREATE TABLE investigation_records (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    officers TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX investigation_records_case ON investigation_records (case_id, kind, created_at);
