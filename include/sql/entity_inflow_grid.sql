-- Grid clue versions loaded since the register's mark (loaded_at at or after it: the upsert by
-- 线索编号 makes reading the mark's own instant again harmless).
SELECT v.clue_no AS natural_key, v.version, v.reported_at AS event_at, v.district_code, v.grid_code,
       v.subject_name, v.credit_code, v.risk_signs AS signs_text, v.amount_fen,
       v.load_id AS file_sha256, v.row_no, v.loaded_at AS mark
FROM grid_clue_version v
WHERE v.loaded_at >= :since
ORDER BY v.loaded_at, v.clue_no, v.version
