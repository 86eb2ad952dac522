-- The submitted files (by sha256) whose rows the case figures of a range were computed from.
SELECT s.file_sha256
FROM submission s
WHERE s.id IN (
    SELECT c.submission_id FROM case_current c
    WHERE c.filed_date >= :range_start AND c.filed_date < :range_end
    UNION
    SELECT c.submission_id FROM case_current c
    WHERE c.closed_date >= :range_start AND c.closed_date < :range_end)
ORDER BY s.file_sha256
