-- 风险监测台账 rows of submissions received since the register's mark.
SELECT r.unit_code, r.subject_name, r.credit_code, r.subject_type, r.found_date AS event_date,
       r.risk_signs AS signs_text, r.risk_level, r.amount_fen, s.period_key, r.period_start,
       s.file_sha256, r.row_no, s.id AS mark
FROM risk_ledger_row r JOIN submission s ON s.id = r.submission_id
WHERE s.id > :after_id
ORDER BY s.id, r.row_no
