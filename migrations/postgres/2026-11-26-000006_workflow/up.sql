-- The case workflow: every act on a case (report, notice, statement,
-- hearing, discussion, decision, service, payment, closure …) is one
-- step row whose body is the accepted act as JSON; the pure rules rebuild
-- the case file from its steps.
CREATE TABLE case_steps (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, at, id);

-- Legality reviews (法制审核): queried by department and status for the
-- reviewers' queue; decided once (status moves from pending exactly once).
CREATE TABLE legal_reviews (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    status TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES case_steps(id),
    proposal TEXT NOT NULL,
    reasons TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    submitted_at TIMESTAMP NOT NULL,
    due_on DATE NOT NULL,
    reviewer_id TEXT REFERENCES users(id),
    checklist TEXT,
    opinion TEXT,
    decided_at TIMESTAMP
);
CREATE INDEX legal_reviews_queue ON legal_reviews (department_id, status, submitted_at);
CREATE INDEX legal_reviews_case ON legal_reviews (case_id, submitted_at);
CREATE INDEX legal_reviews_reviewer ON legal_reviews (reviewer_id);

-- Document numbers (文号) per department, kind and year: incremented in the
-- transaction that issues the document, so no gaps and no reuse.
CREATE TABLE document_counters (
    department_id TEXT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (department_id, kind, year)
);

-- The rule profile in force when the case was filed: later changes never
-- alter a case in flight.
ALTER TABLE cases ADD COLUMN rule_profile_id TEXT;
