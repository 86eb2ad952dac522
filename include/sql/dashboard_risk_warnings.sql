-- 风险提示 per unit in one year for the 处非统计 page, from the current version of each submission.
SELECT r.unit_code, COUNT(*) AS warnings
FROM risk_warning_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND r.period_start >= :year_start AND r.period_start < :year_end
GROUP BY r.unit_code
