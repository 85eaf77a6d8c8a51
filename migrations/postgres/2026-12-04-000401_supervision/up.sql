-- Supervision (案卷评查): rubrics as versioned data, evaluation batches,
-- evaluations with their own hash-chained record, and the department's
-- rectification replies.
CREATE TABLE rubrics (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    effective_from DATE NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);
CREATE TABLE evaluation_batches (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    sample_size INTEGER,
    seed BIGINT NOT NULL,
    rubric_code TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evaluation_batches_department ON evaluation_batches (department_id, created_at);
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES evaluation_batches(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    rubric_id TEXT NOT NULL REFERENCES rubrics(id),
    status TEXT NOT NULL,
    adjustments TEXT NOT NULL,
    score BIGINT,
    grade TEXT,
    evaluator_id TEXT REFERENCES users(id),
    completed_at TIMESTAMP,
    result TEXT,
    reply TEXT,
    replied_by TEXT REFERENCES users(id),
    replied_at TIMESTAMP,
    record_seq BIGINT NOT NULL,
    record_head TEXT NOT NULL,
    UNIQUE (batch_id, case_id)
);
CREATE INDEX evaluations_department ON evaluations (department_id, status);
CREATE TABLE evaluation_records (
    evaluation_id TEXT NOT NULL REFERENCES evaluations(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, seq)
);
