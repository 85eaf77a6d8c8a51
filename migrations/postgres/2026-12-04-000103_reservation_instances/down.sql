DROP TABLE instances; ALTER TABLE number_reservations DROP COLUMN instance_id;
