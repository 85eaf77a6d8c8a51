DROP TABLE number_reservations;
