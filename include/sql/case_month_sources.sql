-- The submitted files (by sha256) whose cases were filed or closed in the whole calendar months
-- of [range_start, range_end), from the monthly facts: the same files as case_sources.sql.
SELECT s.file_sha256
FROM submission s
WHERE s.id IN (
    SELECT f.submission_id FROM case_month_fact f
    WHERE f.month_start >= :range_start AND f.month_start < :range_end)
ORDER BY s.file_sha256
