-- Old cases (filed before year_start) closed in [year_start, period_end), per unit: 本年化解.
-- Bounded on the indexed 结案日期, so it reads only this year's closures.
SELECT unit_code, COUNT(*) AS resolved
FROM case_current
WHERE closed_date >= :year_start
  AND closed_date < :period_end
  AND filed_date < :year_start
GROUP BY unit_code
