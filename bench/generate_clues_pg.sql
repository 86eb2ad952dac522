-- bench/generate_clues.sql for PostgreSQL: the same N synthetic grid-worker clue versions, generated
-- in the database by generate_series (no Python row per clue), so that the five-year warehouse
-- holds the same clues on both databases. Each clue is loaded the day after it was reported.
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date)
SELECT 'GC' || lpad(i::text, 10, '0'), 1, NULL, 'file', 'bench', i,
       (DATE '2016-01-01' + (i % 1827)::int + 1)::timestamp AT TIME ZONE 'UTC',
       TIMESTAMP '2016-01-01 00:00:00' + make_interval(days => (i % 1827)::int, secs => (i % 86400)::int),
       '4207' || lpad((2 + i % 3)::text, 2, '0'), '街道' || (i % 40), NULL, 'G' || lpad((i % 5000)::text, 6, '0'),
       NULL, CASE i % 3 WHEN 0 THEN '走访' WHEN 1 THEN '巡查' ELSE '群众反映' END,
       '主体' || (i % 200000), NULL, NULL, CASE i % 4 WHEN 0 THEN '私募基金' WHEN 1 THEN '养老服务'
       WHEN 2 THEN '虚拟货币' ELSE '其他' END, NULL, i % 300, (i % 1000) * 10000,
       CASE WHEN i % 10 = 0 THEN '疑似非法集资' ELSE '无风险' END, NULL,
       CASE WHEN i % 5 = 0 THEN '处置中' ELSE '已办结' END, NULL
FROM generate_series(1, CAST(:clue_count AS bigint)) AS n(i)
