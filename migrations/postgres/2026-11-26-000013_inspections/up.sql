-- Inspections (行政检查): planned and done by two certified officers; a
-- finding of violation becomes a clue in one step.
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    enforcement_item_code TEXT NOT NULL REFERENCES enforcement_items(code),
    subject TEXT NOT NULL,
    location TEXT NOT NULL,
    purpose TEXT NOT NULL,
    planned_on DATE NOT NULL,
    officers TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    inspected_at TIMESTAMP,
    findings TEXT,
    violation_found BOOLEAN,
    recorded_by TEXT REFERENCES users(id),
    clue_id TEXT REFERENCES clues(id)
);
CREATE INDEX inspections_department ON inspections (department_id, status, planned_on);
