DROP TABLE guiding_cases;
DROP TABLE noncoercive_measures;
