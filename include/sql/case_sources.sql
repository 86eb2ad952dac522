-- The submitted files (by sha256) whose rows the case figures of a range were computed from.
SELECT DISTINCT s.file_sha256
FROM case_current c
JOIN submission s ON s.id = c.submission_id
WHERE (c.filed_date >= :range_start AND c.filed_date < :range_end)
   OR (c.closed_date >= :range_start AND c.closed_date < :range_end)
ORDER BY s.file_sha256
