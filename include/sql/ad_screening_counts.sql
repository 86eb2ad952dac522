-- Current advert-screening summary counts (排查汇总) of the months starting in
-- [range_start, range_end): one row per unit and month, the unit's latest workbook for it.
SELECT s.unit_code, m.period_start, m.staff_deployed, m.premises_checked, m.items_verified,
       m.online_monitored, m.items_removed, m.clues_transferred, s.file_sha256
FROM ad_screening_summary m
JOIN submission s ON s.id = m.submission_id
WHERE s.is_current = TRUE
  AND s.dataset = 'ad_screening'
  AND m.period_start >= :range_start
  AND m.period_start < :range_end
ORDER BY s.unit_code, m.period_start
