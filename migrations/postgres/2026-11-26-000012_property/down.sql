DROP TABLE custody_log;
DROP TABLE property_items;
DROP TABLE property_measures;
