-- The units that reported one dataset for the span [range_start, range_end): a submission whose
-- period overlaps the span, or for a cumulative ledger (every case so far, so the span's cases
-- too) any submission whose period ends after the span began. A zero-row return counts.
SELECT DISTINCT s.unit_code
FROM submission s
WHERE s.dataset = :dataset
  AND s.period_end > :range_start
  AND (:cumulative = 1 OR s.period_start < :range_end)
ORDER BY s.unit_code
