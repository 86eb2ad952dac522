-- The submitted files (by sha256) whose rows of one dataset fall in the whole calendar months of
-- [range_start, range_end), from month_source: for case_ledger the same files as
-- case_sources.sql, for admin_action the same as admin_action_sources.sql.
SELECT s.file_sha256
FROM submission s
WHERE s.id IN (
    SELECT m.submission_id FROM month_source m
    WHERE m.dataset = :dataset AND m.month_start >= :range_start AND m.month_start < :range_end)
ORDER BY s.file_sha256
