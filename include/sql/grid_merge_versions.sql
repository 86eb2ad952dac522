-- Move the staged chunk into the clue history, exactly once per (线索编号, 版本).
-- A row that carries the platform's version is new unless that version is already stored.
-- A row without a version (a file export without 版本号) becomes the next version of its clue
-- only when its content differs from the current version; otherwise it is a repeat.
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date,
    content_hash)
SELECT s.clue_no, COALESCE(s.version, COALESCE(c.version, 0) + 1), s.updated_at, s.source, s.load_id,
       s.row_no, s.loaded_at, s.reported_at, s.district_code, s.town, s.community, s.grid_code,
       s.worker_id, s.discovery_method, s.subject_name, s.credit_code, s.address, s.industry,
       s.risk_signs, s.people, s.amount_fen, s.judgement, s.transfer_unit, s.status, s.closed_date,
       s.content_hash
FROM grid_clue_stage s
LEFT JOIN grid_clue_current c ON c.clue_no = s.clue_no
WHERE (s.version IS NULL AND (c.clue_no IS NULL OR c.content_hash <> s.content_hash))
   OR (s.version IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM grid_clue_version v WHERE v.clue_no = s.clue_no AND v.version = s.version))
