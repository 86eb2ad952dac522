-- make bench-stats --clues N (SQLite; PostgreSQL: generate_clues_pg.sql, the same rows): N
-- synthetic grid-worker clue versions, generated in the database by a recursive CTE (no Python
-- row per clue). The case statistics do not read grid_clue_version; the clues are there to show
-- that a month's statistics do not pay for them. Each clue is loaded
-- the day after it was reported, as a daily load would (the entity register reads by loaded_at).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :clue_count)
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date)
SELECT printf('GC%010d', i), 1, NULL, 'file', 'bench', i,
       datetime(julianday('2016-01-01') + (i % 1827) + 1) || '.000000',
       datetime(julianday('2016-01-01') + (i % 1827) + (i % 86400) / 86400.0),
       '4207' || printf('%02d', 2 + i % 3), '街道' || (i % 40), NULL, 'G' || printf('%06d', i % 5000),
       NULL, CASE i % 3 WHEN 0 THEN '走访' WHEN 1 THEN '巡查' ELSE '群众反映' END,
       '主体' || (i % 200000), NULL, NULL, CASE i % 4 WHEN 0 THEN '私募基金' WHEN 1 THEN '养老服务'
       WHEN 2 THEN '虚拟货币' ELSE '其他' END, NULL, i % 300, (i % 1000) * 10000,
       CASE WHEN i % 10 = 0 THEN '疑似非法集资' ELSE '无风险' END, NULL,
       CASE WHEN i % 5 = 0 THEN '处置中' ELSE '已办结' END, NULL
FROM n
