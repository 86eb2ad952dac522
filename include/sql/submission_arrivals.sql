-- Every stored version of every submission, with when its file landed in the inbox (arrived_at;
-- files received before arrivals were recorded fall back to when they were processed) and when
-- chufei processed it. The completeness matrix keeps those that arrived by its day, judges the
-- deadline by the first and tells a zero-row return (零报告) by the newest.
SELECT s.dataset, s.unit_code, s.period_key, s.version, s.rows_accepted, s.file_sha256,
       COALESCE(f.arrived_at, s.received_at) AS arrived_at,
       s.received_at AS processed_at
FROM submission s
JOIN received_file f ON f.sha256 = s.file_sha256
ORDER BY s.dataset, s.unit_code, s.period_key, s.version
