DROP TABLE messages;
DROP TABLE clue_events;
DROP TABLE clues;
DROP TABLE approvals;
