-- Discretion benchmarks (行政裁量权基准): one row per version of one item's
-- benchmark; the clauses, tiers, other penalties and lenient-list entries
-- are kept whole as JSON (`content`) so a case can point at exactly the
-- version it was decided under.
CREATE TABLE benchmark_versions (
    id TEXT PRIMARY KEY,
    item_code TEXT NOT NULL REFERENCES enforcement_items(code),
    version TEXT NOT NULL,
    effective_from DATE NOT NULL,
    effective_until DATE,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    convention TEXT NOT NULL,
    content TEXT NOT NULL,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (item_code, version)
);
CREATE INDEX benchmark_versions_item ON benchmark_versions (item_code, effective_from);

-- Lookups attached to a case (POST /cases/{id}/discretion), with the
-- proposed fine judged against them.
CREATE TABLE case_discretion (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    benchmark_version_id TEXT NOT NULL REFERENCES benchmark_versions(id),
    item_code TEXT NOT NULL,
    party_kind TEXT NOT NULL,
    facts TEXT NOT NULL,
    result TEXT NOT NULL,
    outcome TEXT NOT NULL,
    tier TEXT,
    proposed_fine_fen BIGINT,
    deviation_reason TEXT,
    verdict TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_discretion_case ON case_discretion (case_id, created_at);
CREATE INDEX case_discretion_item ON case_discretion (item_code, created_at);

-- Rule profiles: the numbers a department configures (hearing thresholds,
-- legality-review criteria), versioned by effective date. A NULL
-- department is the default for every department without its own.
CREATE TABLE rule_profiles (
    id TEXT PRIMARY KEY,
    department_id TEXT REFERENCES departments(id),
    effective_from DATE NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rule_profiles_department ON rule_profiles (department_id, effective_from);
