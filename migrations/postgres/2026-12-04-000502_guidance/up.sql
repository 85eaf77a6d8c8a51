-- 柔性执法: non-coercive measures on a clue or a case, numbered, with a
-- follow-up date (a workbench task until followed up).
CREATE TABLE noncoercive_measures (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    department_id TEXT NOT NULL REFERENCES departments(id),
    clue_id TEXT REFERENCES clues(id),
    case_id TEXT REFERENCES cases(id),
    kind TEXT NOT NULL,
    party TEXT NOT NULL,
    content TEXT NOT NULL,
    follow_up_on DATE NOT NULL,
    basis TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    followed_up_at TIMESTAMP,
    follow_up_note TEXT
);
CREATE INDEX noncoercive_measures_department ON noncoercive_measures (department_id, status, follow_up_on);

-- 行政执法案例指导: a closed case proposed by a head, its masked summary
-- published by a supervisor (and withdrawn).
CREATE TABLE guiding_cases (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    domain TEXT NOT NULL,
    enforcement_item_code TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    status TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users(id),
    proposed_at TIMESTAMP NOT NULL,
    published_by TEXT REFERENCES users(id),
    published_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES users(id),
    withdrawn_at TIMESTAMP,
    withdrawal_reason TEXT
);
CREATE INDEX guiding_cases_public ON guiding_cases (status, domain, enforcement_item_code, id);
