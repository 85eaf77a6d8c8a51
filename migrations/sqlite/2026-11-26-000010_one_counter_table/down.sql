CREATE TABLE case_counters (
    department_id TEXT NOT NULL REFERENCES departments(id),
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (department_id, year)
);
INSERT INTO case_counters (department_id, year, last_value)
SELECT department_id, year, last_value FROM document_counters WHERE kind = 'case';
DELETE FROM document_counters WHERE kind = 'case';
