-- The new grid clue versions (``new``) written as register events in one statement: each joined to
-- the entity its subject resolved to and to its cleaned name and valid code (entity_grid_subject),
-- and to the risk signs found in its text (entity_grid_signs), both written by the run just before.
-- A later version of a clue replaces its event.
INSERT INTO entity_event (entity_id, source, source_key, event_date, district_code, subject_name, credit_code,
                          file_sha256, row_no, grid_code, signs, advert_hits, licensed, risk_level, action_type,
                          amount_fen)
SELECT s.entity_id, 'grid', n.clue_no, date(n.reported_at), n.district_code, s.name, s.code, n.load_id, n.row_no,
       n.grid_code, g.signs, NULL, NULL, NULL, NULL, n.amount_fen
FROM new n
JOIN entity_grid_subject s ON s.district_code = n.district_code AND s.subject_name = COALESCE(n.subject_name, '')
                          AND s.credit_code = COALESCE(n.credit_code, '')
LEFT JOIN entity_grid_signs g ON g.signs_text = n.risk_signs
WHERE date(n.reported_at) IS NOT NULL
ON CONFLICT (source, source_key) DO UPDATE SET
    entity_id = excluded.entity_id, event_date = excluded.event_date, district_code = excluded.district_code,
    subject_name = excluded.subject_name, credit_code = excluded.credit_code, file_sha256 = excluded.file_sha256,
    row_no = excluded.row_no, grid_code = excluded.grid_code, signs = excluded.signs,
    advert_hits = excluded.advert_hits, licensed = excluded.licensed, risk_level = excluded.risk_level,
    action_type = excluded.action_type, amount_fen = excluded.amount_fen
