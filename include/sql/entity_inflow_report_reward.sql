-- 举报奖励 rows naming a 被举报对象, of submissions received since the register's mark.
SELECT r.unit_code, r.report_no, r.reported_subject AS subject_name, r.received_date AS event_date,
       r.period_start, s.file_sha256, r.row_no, s.id AS mark
FROM report_reward_row r JOIN submission s ON s.id = r.submission_id
WHERE s.id > :after_id AND r.reported_subject IS NOT NULL
ORDER BY s.id, r.row_no
