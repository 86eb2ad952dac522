-- Monthly totals for the 处非统计 page's trend chart, from the same monthly facts as the forms:
-- 新发案件数 and 涉案金额 (分) per month in [range_start, range_end), plus whether any case ledger
-- for that month has arrived (a month nobody reported is "no data", not 0).
SELECT m.month_start,
       COALESCE(SUM(f.new_cases), 0) AS new_cases,
       COALESCE(SUM(f.amount_fen), 0) AS amount_fen
FROM (
    SELECT DISTINCT period_start AS month_start
    FROM submission
    WHERE dataset = 'case_ledger'
      AND is_current = TRUE
      AND period_start >= :range_start
      AND period_start < :range_end
) m
LEFT JOIN case_month_fact f ON f.month_start = m.month_start
GROUP BY m.month_start
ORDER BY m.month_start
