-- APL Art 36 ¶1: five years only when the item concerns citizens' life and
-- health or financial security AND harm resulted. Intake and clues record
-- whether harm resulted, and what it was.
ALTER TABLE cases ADD COLUMN harm_resulted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN harm_description TEXT;
ALTER TABLE clues ADD COLUMN harm_resulted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clues ADD COLUMN harm_description TEXT;

DROP VIEW case_files;
-- A case file as one row: officers and deadlines aggregated as JSON text, so
-- that reading a case is one (prepared) statement. The aggregation is the
-- only part that differs between the backends.
CREATE VIEW case_files AS
SELECT c.id, c.case_no, c.status, c.department_id, c.enforcement_item_code, c.source, c.procedure,
    c.party_kind, c.party_name, c.party_id_type, c.party_id_number, c.party_address, c.party_phone,
    c.party_legal_representative, c.facts, c.location, c.occurred_at, c.ended_at, c.discovered_at, c.filed_at,
    c.filed_by, c.intended_fine_fen, c.version, c.harm_resulted, c.harm_description, d.path AS department_path, i.name AS item_name,
    COALESCE((SELECT json_agg(json_build_object('user_id', o.user_id, 'display_name', u.display_name,
                  'role', o.role, 'certificate_number', o.certificate_number) ORDER BY o.assigned_at, o.user_id)
              FROM case_officers o JOIN users u ON u.id = o.user_id WHERE o.case_id = c.id), '[]')::text AS officers,
    COALESCE((SELECT json_agg(json_build_object('kind', k.kind, 'due_on', k.due_on, 'basis', k.basis,
                  'status', k.status) ORDER BY k.due_on, k.kind)
              FROM case_deadlines k WHERE k.case_id = c.id), '[]')::text AS deadlines
FROM cases c
JOIN departments d ON d.id = c.department_id
JOIN enforcement_items i ON i.code = c.enforcement_item_code;
