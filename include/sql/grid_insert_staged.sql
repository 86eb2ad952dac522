-- The clue versions a file load staged (chufei.warehouse.grid_staging: on SQLite a table of the
-- attached scratch database, which SQLite finds by its name alone; on PostgreSQL a temporary
-- table) into the history, exactly once per (线索编号, 版本) like grid_insert_version: a version
-- already stored is left as it is. WHERE true: SQLite needs it before ON CONFLICT.
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date)
SELECT
    clue_no, version, updated_at, :source, :load_id, row_no, :loaded_at, reported_at,
    district_code, town, community, grid_code, worker_id, discovery_method, subject_name,
    credit_code, address, industry, risk_signs, people, amount_fen, judgement, transfer_unit,
    status, closed_date
FROM grid_clue_stage
WHERE true
ON CONFLICT (clue_no, version) DO NOTHING
