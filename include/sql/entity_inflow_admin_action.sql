-- 行政处置 rows of submissions received since the register's mark.
SELECT r.unit_code, r.subject_name, r.credit_code, r.action_date AS event_date, r.action_type,
       r.penalty_fen AS amount_fen, r.period_start, s.file_sha256, r.row_no, s.id AS mark
FROM admin_action_row r JOIN submission s ON s.id = r.submission_id
WHERE s.id > :after_id
ORDER BY s.id, r.row_no
