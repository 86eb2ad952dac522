-- 预警核查反馈 rows of the current submissions (a corrected workbook replaces its earlier version).
SELECT r.warning_id, r.result, r.checked_date, r.submission_id, r.row_no
FROM warning_feedback_row r JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE AND r.warning_id IS NOT NULL AND r.result IS NOT NULL
