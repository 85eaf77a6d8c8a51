-- Evidence (证据, APL Art 46): the file itself is stored content-addressed
-- under the data directory (blobs/sha256/xx/<sha256>); the row keeps its
-- hash, size and type, and the hash is verified again on every download.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    collected_at TIMESTAMP NOT NULL,
    location TEXT,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_case ON evidence (case_id, created_at);
