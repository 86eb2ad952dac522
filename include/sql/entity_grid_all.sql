-- Every grid clue's latest version, for a rebuild of the register (it holds no event yet): the
-- same columns as entity_grid_new.sql, read in table order rather than through the loaded_at index,
-- which over the whole history would visit the rows in a random order.
SELECT v.clue_no, v.reported_at, v.district_code, v.grid_code, v.subject_name, v.credit_code, v.risk_signs,
       v.amount_fen, v.load_id, v.row_no
FROM grid_clue_version v
WHERE NOT EXISTS (SELECT 1 FROM grid_clue_version w WHERE w.clue_no = v.clue_no AND w.version > v.version)
