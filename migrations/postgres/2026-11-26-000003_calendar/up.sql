-- Published holiday tables (放假调休), one row per year, kept whole as JSON
-- (`content`: the holidays with their swapped working days).
CREATE TABLE holiday_years (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
