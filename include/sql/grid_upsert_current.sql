-- Make a version the clue's current one unless a newer version is already current (an older
-- version arriving late only joins the history).
INSERT INTO grid_clue_current (
    clue_no, version, updated_at, load_id, reported_at, district_code, town, community, grid_code,
    worker_id, discovery_method, subject_name, credit_code, address, industry, risk_signs, people,
    amount_fen, judgement, transfer_unit, status, closed_date, content_hash)
VALUES (
    :clue_no, :version, :updated_at, :load_id, :reported_at, :district_code, :town, :community,
    :grid_code, :worker_id, :discovery_method, :subject_name, :credit_code, :address, :industry,
    :risk_signs, :people, :amount_fen, :judgement, :transfer_unit, :status, :closed_date,
    :content_hash)
ON CONFLICT (clue_no) DO UPDATE SET
    version = excluded.version, updated_at = excluded.updated_at, load_id = excluded.load_id,
    reported_at = excluded.reported_at, district_code = excluded.district_code,
    town = excluded.town, community = excluded.community, grid_code = excluded.grid_code,
    worker_id = excluded.worker_id, discovery_method = excluded.discovery_method,
    subject_name = excluded.subject_name, credit_code = excluded.credit_code,
    address = excluded.address, industry = excluded.industry, risk_signs = excluded.risk_signs,
    people = excluded.people, amount_fen = excluded.amount_fen, judgement = excluded.judgement,
    transfer_unit = excluded.transfer_unit, status = excluded.status,
    closed_date = excluded.closed_date, content_hash = excluded.content_hash
WHERE excluded.version > grid_clue_current.version
