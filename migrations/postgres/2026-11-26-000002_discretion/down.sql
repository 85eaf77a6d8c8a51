DROP TABLE rule_profiles;
DROP TABLE case_discretion;
DROP TABLE benchmark_versions;
