DROP TABLE voided_numbers;
