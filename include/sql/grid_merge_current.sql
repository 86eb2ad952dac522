-- Make the newest version of each clue loaded by this file or page its current version, unless
-- a newer version is already current (an older version arriving late only joins the history).
INSERT INTO grid_clue_current (
    clue_no, version, updated_at, load_id, reported_at, district_code, town, community, grid_code,
    worker_id, discovery_method, subject_name, credit_code, address, industry, risk_signs, people,
    amount_fen, judgement, transfer_unit, status, closed_date, content_hash)
SELECT v.clue_no, v.version, v.updated_at, v.load_id, v.reported_at, v.district_code, v.town,
       v.community, v.grid_code, v.worker_id, v.discovery_method, v.subject_name, v.credit_code,
       v.address, v.industry, v.risk_signs, v.people, v.amount_fen, v.judgement, v.transfer_unit,
       v.status, v.closed_date, v.content_hash
FROM grid_clue_version v
WHERE v.load_id = :load_id
  AND v.version = (SELECT MAX(w.version) FROM grid_clue_version w
                   WHERE w.clue_no = v.clue_no AND w.load_id = :load_id)
ON CONFLICT (clue_no) DO UPDATE SET
    version = excluded.version, updated_at = excluded.updated_at, load_id = excluded.load_id,
    reported_at = excluded.reported_at, district_code = excluded.district_code, town = excluded.town,
    community = excluded.community, grid_code = excluded.grid_code, worker_id = excluded.worker_id,
    discovery_method = excluded.discovery_method, subject_name = excluded.subject_name,
    credit_code = excluded.credit_code, address = excluded.address, industry = excluded.industry,
    risk_signs = excluded.risk_signs, people = excluded.people, amount_fen = excluded.amount_fen,
    judgement = excluded.judgement, transfer_unit = excluded.transfer_unit, status = excluded.status,
    closed_date = excluded.closed_date, content_hash = excluded.content_hash
WHERE excluded.version > grid_clue_current.version
