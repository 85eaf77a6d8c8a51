DROP TABLE holiday_years;
