DROP TABLE investigation_records;
