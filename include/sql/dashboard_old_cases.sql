-- 陈案化解 for the 处非统计 page: the stock of old cases at the start of the year (filed before
-- year_start, not closed before it) and how many of them were closed from year_start until range_end.
SELECT COUNT(*) AS stock,
       SUM(CASE WHEN closed_date >= :year_start AND closed_date < :range_end THEN 1 ELSE 0 END) AS resolved
FROM case_current
WHERE filed_date < :year_start
  AND (closed_date IS NULL OR closed_date >= :year_start)
