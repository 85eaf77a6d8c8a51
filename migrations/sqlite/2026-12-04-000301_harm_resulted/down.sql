DROP VIEW case_files;
-- A case file as one row: officers and deadlines aggregated as JSON text, so
-- that reading a case is one (prepared) statement. The aggregation is the
-- only part that differs between the backends.
CREATE VIEW case_files AS
SELECT c.id, c.case_no, c.status, c.department_id, c.enforcement_item_code, c.source, c.procedure,
    c.party_kind, c.party_name, c.party_id_type, c.party_id_number, c.party_address, c.party_phone,
    c.party_legal_representative, c.facts, c.location, c.occurred_at, c.ended_at, c.discovered_at, c.filed_at,
    c.filed_by, c.intended_fine_fen, c.version, d.path AS department_path, i.name AS item_name,
    (SELECT json_group_array(json_object('user_id', x.user_id, 'display_name', x.display_name,
                 'role', x.role, 'certificate_number', x.certificate_number))
       FROM (SELECT o.user_id, u.display_name, o.role, o.certificate_number
               FROM case_officers o JOIN users u ON u.id = o.user_id
              WHERE o.case_id = c.id ORDER BY o.assigned_at, o.user_id) x) AS officers,
    (SELECT json_group_array(json_object('kind', x.kind, 'due_on', x.due_on, 'basis', x.basis, 'status', x.status))
       FROM (SELECT k.kind, k.due_on, k.basis, k.status FROM case_deadlines k
              WHERE k.case_id = c.id ORDER BY k.due_on, k.kind) x) AS deadlines
FROM cases c
JOIN departments d ON d.id = c.department_id
JOIN enforcement_items i ON i.code = c.enforcement_item_code;
ALTER TABLE clues DROP COLUMN harm_description;
ALTER TABLE clues DROP COLUMN harm_resulted;
ALTER TABLE cases DROP COLUMN harm_description;
ALTER TABLE cases DROP COLUMN harm_resulted;
