-- The submitted files (by sha256) whose administrative-action rows fall in a date range.
SELECT DISTINCT s.file_sha256
FROM admin_action_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND r.action_date >= :range_start
  AND r.action_date < :range_end
ORDER BY s.file_sha256
