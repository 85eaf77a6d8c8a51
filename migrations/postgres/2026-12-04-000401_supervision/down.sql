DROP TABLE evaluation_records;
DROP TABLE evaluations;
DROP TABLE evaluation_batches;
DROP TABLE rubrics;
