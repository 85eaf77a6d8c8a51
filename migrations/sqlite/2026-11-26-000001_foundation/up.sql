-- Foundation: organisation, people, enforcement items, cases, full-process record.
-- Timestamps are UTC `TIMESTAMP` (microseconds), ids are UUID v7 text; JSON is kept as text
-- so that both backends store the same bytes.

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES departments(id),
    path TEXT NOT NULL,
    region_path TEXT NOT NULL,
    domains TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX departments_path ON departments (path);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    roles TEXT NOT NULL,
    legal_qualification BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    token_epoch INTEGER NOT NULL DEFAULT 0,
    password_changed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_department ON users (department_id);

CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    number TEXT NOT NULL UNIQUE,
    fields TEXT NOT NULL,
    area_department_id TEXT NOT NULL REFERENCES departments(id),
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX certificates_user ON certificates (user_id);

CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_username TEXT,
    action TEXT NOT NULL,
    target TEXT,
    old_value TEXT,
    new_value TEXT,
    request_id TEXT,
    ip TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE TABLE enforcement_items (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT NOT NULL,
    high_frequency BOOLEAN NOT NULL,
    serious_safety BOOLEAN NOT NULL,
    penalty_types TEXT NOT NULL,
    violation_basis TEXT NOT NULL,
    penalty_basis TEXT NOT NULL,
    description TEXT,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE case_counters (
    department_id TEXT NOT NULL REFERENCES departments(id),
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (department_id, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    department_id TEXT NOT NULL REFERENCES departments(id),
    enforcement_item_code TEXT NOT NULL REFERENCES enforcement_items(code),
    source TEXT NOT NULL,
    procedure TEXT NOT NULL,
    status TEXT NOT NULL,
    party_kind TEXT NOT NULL,
    party_name TEXT NOT NULL,
    party_id_type TEXT NOT NULL,
    party_id_number TEXT NOT NULL,
    party_address TEXT NOT NULL,
    party_phone TEXT,
    party_legal_representative TEXT,
    facts TEXT NOT NULL,
    location TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    discovered_at TIMESTAMP NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    filed_by TEXT NOT NULL REFERENCES users(id),
    intended_fine_fen BIGINT,
    version INTEGER NOT NULL,
    record_seq BIGINT NOT NULL,
    record_head TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_department ON cases (department_id, id);
CREATE INDEX cases_item ON cases (enforcement_item_code);

CREATE TABLE case_officers (
    case_id TEXT NOT NULL REFERENCES cases(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    certificate_number TEXT,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_officers_user ON case_officers (user_id);

CREATE TABLE case_deadlines (
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    basis TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, kind)
);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    location TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- 全过程记录: append-only; the application has no UPDATE or DELETE for it.
CREATE TABLE record_entries (
    case_id TEXT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_certificate TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    ip TEXT,
    request_id TEXT,
    action TEXT NOT NULL,
    allowed BOOLEAN NOT NULL
);
CREATE INDEX access_log_case ON access_log (case_id, at);

-- A case file as one row: officers and deadlines aggregated as JSON text, so
-- that reading a case is one (prepared) statement. The aggregation is the
-- only part that differs between the backends.
CREATE VIEW case_files AS
SELECT c.id, c.case_no, c.status, c.department_id, c.enforcement_item_code, c.source, c.procedure,
    c.party_kind, c.party_name, c.party_id_type, c.party_id_number, c.party_address, c.party_phone,
    c.party_legal_representative, c.facts, c.location, c.occurred_at, c.ended_at, c.discovered_at, c.filed_at,
    c.filed_by, c.intended_fine_fen, c.version, d.path AS department_path, i.name AS item_name,
    (SELECT json_group_array(json_object('user_id', x.user_id, 'display_name', x.display_name,
                 'role', x.role, 'certificate_number', x.certificate_number))
       FROM (SELECT o.user_id, u.display_name, o.role, o.certificate_number
               FROM case_officers o JOIN users u ON u.id = o.user_id
              WHERE o.case_id = c.id ORDER BY o.assigned_at, o.user_id) x) AS officers,
    (SELECT json_group_array(json_object('kind', x.kind, 'due_on', x.due_on, 'basis', x.basis, 'status', x.status))
       FROM (SELECT k.kind, k.due_on, k.basis, k.status FROM case_deadlines k
              WHERE k.case_id = c.id ORDER BY k.due_on, k.kind) x) AS deadlines
FROM cases c
JOIN departments d ON d.id = c.department_id
JOIN enforcement_items i ON i.code = c.enforcement_item_code;
