-- Which running instance holds a number reservation, and which instances
-- are alive (a heartbeat every few seconds). At start-up an instance voids
-- ("interrupted") every reservation whose holder is not alive, including
-- its own predecessor's (the same instance name); a sweep does the same
-- periodically for instances that stopped beating.
ALTER TABLE number_reservations ADD COLUMN instance_id TEXT;
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
CREATE INDEX instances_name ON instances (name);
