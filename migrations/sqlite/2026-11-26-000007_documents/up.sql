-- Official documents (文书) the system writes: numbered, hashed, kept
-- content-addressed under the data directory like evidence.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    number TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    verification_code TEXT NOT NULL,
    generated_by TEXT NOT NULL REFERENCES users(id),
    generated_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_reason TEXT
);
CREATE INDEX documents_case ON documents (case_id, generated_at);
CREATE INDEX documents_number ON documents (number);
