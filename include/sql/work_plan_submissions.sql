-- The current submissions of every dataset for the periods starting in [year_start, range_end),
-- one per unit and period, with the file each came in: which returns the work plan's tasks have.
SELECT s.dataset, s.unit_code, s.period_key, s.rows_accepted, s.file_sha256
FROM submission s
WHERE s.is_current = TRUE
  AND s.period_start >= :year_start
  AND s.period_start < :range_end
ORDER BY s.dataset, s.unit_code, s.period_key
