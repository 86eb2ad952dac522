-- Administrative actions (行政处置) per unit and 行业领域 in [range_start, range_end), from the
-- current version of each unit's submissions. 立案数 counts the actions of type 行政处罚
-- (an administrative penalty case is filed, 行政立案); 行政处置数 counts every action.
SELECT r.unit_code,
       r.industry,
       SUM(CASE WHEN r.action_type = :penalty_type THEN 1 ELSE 0 END) AS filed_cases,
       COUNT(*) AS admin_actions
FROM admin_action_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND r.action_date >= :range_start
  AND r.action_date < :range_end
GROUP BY r.unit_code, r.industry
