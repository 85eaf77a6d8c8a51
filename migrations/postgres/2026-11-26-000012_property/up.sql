-- Evidence preservation and seized property (涉案财物): the measure
-- (先行登记保存, 查封, 扣押) with its period, every item it holds, and the
-- custody log of every hand-over, appended and never edited.
CREATE TABLE property_measures (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    emergency BOOLEAN NOT NULL,
    approved BOOLEAN NOT NULL,
    started_at TIMESTAMP NOT NULL,
    due_on DATE NOT NULL,
    extensions INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    outcome TEXT
);
CREATE INDEX property_measures_case ON property_measures (case_id);

CREATE TABLE property_items (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    measure_id TEXT NOT NULL REFERENCES property_measures(id),
    name TEXT NOT NULL,
    specification TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    item_condition TEXT NOT NULL,
    location TEXT NOT NULL,
    custodian TEXT NOT NULL,
    status TEXT NOT NULL,
    disposal_reason TEXT,
    disposed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX property_items_case ON property_items (case_id, status);

CREATE TABLE custody_log (
    item_id TEXT NOT NULL REFERENCES property_items(id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    custodian TEXT NOT NULL,
    location TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);
