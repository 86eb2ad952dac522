-- 案件台账 rows of submissions received since the register's mark: the subject is in the case's name.
SELECT r.unit_code, r.case_no, r.case_name AS subject_name, r.filed_date AS event_date, r.amount_fen,
       r.period_start, s.file_sha256, r.row_no, s.id AS mark
FROM case_ledger_row r JOIN submission s ON s.id = r.submission_id
WHERE s.id > :after_id
ORDER BY s.id, r.row_no
