-- The files behind the day's package: those of the register's events dated on or before the day,
-- and the current 预警核查反馈 submissions with a check dated on or before it.
SELECT e.file_sha256
FROM entity_event e
WHERE e.event_date <= :as_of
UNION
SELECT s.file_sha256
FROM warning_feedback_row r JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE AND r.checked_date <= :as_of
ORDER BY 1
