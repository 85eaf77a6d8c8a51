-- Keyset paging (http::page): each list reads one page in a stable order
-- ending in a unique column; these indexes serve those orders under the
-- list's scope filter, so a page costs the same however large the table.
CREATE INDEX clues_keyset ON clues (department_id, due_on, id);
CREATE INDEX inspections_keyset ON inspections (department_id, planned_on, id);
CREATE INDEX approvals_keyset_department ON approvals (department_id, requested_at, id);
CREATE INDEX approvals_keyset_requester ON approvals (requested_by, requested_at, id);
CREATE INDEX legal_reviews_keyset ON legal_reviews (department_id, submitted_at, id);
CREATE INDEX transfers_keyset_from ON transfers (from_department_id, requested_at, id);
CREATE INDEX transfers_keyset_to ON transfers (to_department_id, requested_at, id);
CREATE INDEX messages_keyset ON messages (user_id, created_at, id);
CREATE INDEX users_keyset ON users (department_id, username);
