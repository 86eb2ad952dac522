-- 本年化解 per unit from the monthly facts: old cases (filed before 1 January of their closing
-- year) closed in the whole months of [year_start, period_end). Same figures as
-- old_case_resolved.sql when year_start is 1 January; units without such closures are left out.
SELECT unit_code, SUM(old_cases_closed) AS resolved
FROM case_month_fact
WHERE month_start >= :year_start
  AND month_start < :period_end
GROUP BY unit_code
HAVING SUM(old_cases_closed) > 0
