-- One clue version into the history, exactly once per (线索编号, 版本): a version already stored
-- (a re-delivered page, an overlapping re-read) is left as it is.
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date)
VALUES (
    :clue_no, :version, :updated_at, :source, :load_id, :row_no, :loaded_at, :reported_at,
    :district_code, :town, :community, :grid_code, :worker_id, :discovery_method, :subject_name,
    :credit_code, :address, :industry, :risk_signs, :people, :amount_fen, :judgement,
    :transfer_unit, :status, :closed_date)
ON CONFLICT (clue_no, version) DO NOTHING
