-- Numbers reserved for a filing or a document that was then not issued:
-- kept here, never issued again, so every number is accounted for.
CREATE TABLE voided_numbers (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    reason TEXT NOT NULL,
    voided_at TIMESTAMP NOT NULL
);
CREATE INDEX voided_numbers_department ON voided_numbers (department_id, kind);
