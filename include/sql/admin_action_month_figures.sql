-- Administrative actions per unit and 行业领域 in the whole calendar months of
-- [range_start, range_end), summed from the monthly facts (admin_action_month_fact): the same
-- figures as admin_action_figures.sql, at the cost of units × 行业领域 × months rows.
SELECT unit_code,
       industry,
       SUM(filed_cases) AS filed_cases,
       SUM(admin_actions) AS admin_actions
FROM admin_action_month_fact
WHERE month_start >= :range_start
  AND month_start < :range_end
GROUP BY unit_code, industry
