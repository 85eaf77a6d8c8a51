ALTER TABLE cases DROP COLUMN rule_profile_id;
DROP TABLE document_counters;
DROP TABLE legal_reviews;
DROP TABLE case_steps;
