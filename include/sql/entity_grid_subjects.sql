-- The distinct subjects (区县代码, 主体名称 and 统一社会信用代码 as written) and risk-sign texts of
-- the new grid clue versions (``new``), each with its first record (上报日, then 线索编号) and how
-- many records name it: the register resolves these, never each row.
SELECT n.district_code, COALESCE(n.subject_name, '') AS subject_name, COALESCE(n.credit_code, '') AS credit_code,
       n.risk_signs, MIN(date(n.reported_at) || ' ' || n.clue_no) AS first_seen, COUNT(*) AS records
FROM new n
WHERE date(n.reported_at) IS NOT NULL
GROUP BY n.district_code, COALESCE(n.subject_name, ''), COALESCE(n.credit_code, ''), n.risk_signs
