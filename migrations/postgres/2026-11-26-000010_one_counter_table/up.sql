-- One counter table for every number a department issues: case numbers are
-- the kind 'case' beside the document kinds.
INSERT INTO document_counters (department_id, kind, year, last_value)
SELECT department_id, 'case', year, last_value FROM case_counters;
DROP TABLE case_counters;
