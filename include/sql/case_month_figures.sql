-- Case figures per unit and 行业领域 for the whole calendar months in [range_start, range_end),
-- summed from the monthly facts (case_month_fact): the same figures as case_figures_by_unit.sql
-- for a range of whole months within one year, at the cost of units × 行业领域 × months rows.
-- A group appears when it has a case filed or closed in the range, as there.
SELECT unit_code,
       industry,
       SUM(new_cases) AS new_cases,
       SUM(amount_fen) AS amount_fen,
       SUM(participants) AS participants,
       SUM(cross_region_cases) AS cross_region_cases,
       SUM(over_100m_cases) AS over_100m_cases,
       SUM(over_1000_cases) AS over_1000_cases,
       SUM(old_cases_closed) AS old_cases_closed
FROM case_month_fact
WHERE month_start >= :range_start
  AND month_start < :range_end
GROUP BY unit_code, industry
