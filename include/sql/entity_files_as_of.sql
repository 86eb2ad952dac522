-- The files behind the day's package: those of the register's events dated on or before the day,
-- and the current 预警核查反馈 submissions with a check dated on or before it. The events' files
-- are walked one distinct file at a time through ix_entity_event_file (each step seeks the next
-- file after the last, then asks whether it has an event on or before the day): a few thousand
-- look-ups instead of reading every event of the history.
WITH RECURSIVE files (sha) AS (
    SELECT CAST(MIN(e.file_sha256) AS TEXT) FROM entity_event e
    UNION ALL
    SELECT CAST((SELECT MIN(e.file_sha256) FROM entity_event e WHERE e.file_sha256 > f.sha) AS TEXT)
    FROM files f
    WHERE f.sha IS NOT NULL
)
SELECT f.sha AS file_sha256
FROM files f
WHERE f.sha IS NOT NULL
  AND EXISTS (SELECT 1 FROM entity_event e WHERE e.file_sha256 = f.sha AND e.event_date <= :as_of)
UNION
SELECT s.file_sha256
FROM warning_feedback_row r JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE AND r.checked_date <= :as_of
ORDER BY 1
