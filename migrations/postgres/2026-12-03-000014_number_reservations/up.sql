-- A number taken from its counter before the document that carries it is
-- drawn (no lock is held while a PDF renders). The transaction that issues
-- the document deletes its reservation; a step that then fails moves it to
-- voided_numbers; one left behind by a process that died is voided as
-- "interrupted" by the sweep (at start-up and every minute). So every
-- number is issued or voided, never lost.
CREATE TABLE number_reservations (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    case_id TEXT,
    reserved_at TIMESTAMP NOT NULL
);
CREATE INDEX number_reservations_reserved_at ON number_reservations (reserved_at);
