-- The units with a current submission of one dataset for one period, with the file it came in:
-- a zero-row return (零报告) is a submission too.
SELECT s.unit_code, s.file_sha256, s.rows_accepted
FROM submission s
WHERE s.dataset = :dataset
  AND s.is_current = TRUE
  AND s.period_key = :period_key
ORDER BY s.unit_code
