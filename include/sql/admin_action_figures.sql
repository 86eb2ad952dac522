-- Administrative actions (行政处置) per unit and 行业领域 in [range_start, range_end), from the
-- current version of each unit's submissions. An action listed in several of a unit's
-- submissions (same 处置日期, 处置对象, 处置方式) counts once, from the latest submission.
-- 立案数 counts the actions of type penalty_type (行政处罚: an administrative case is filed);
-- 行政处置数 counts every action.
SELECT unit_code,
       industry,
       SUM(CASE WHEN action_type = :penalty_type THEN 1 ELSE 0 END) AS filed_cases,
       COUNT(*) AS admin_actions
FROM (
    SELECT r.unit_code, r.industry, r.action_type,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.action_date, r.subject_name, r.action_type
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM admin_action_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.action_date >= :range_start
      AND r.action_date < :range_end
) ranked
WHERE recency = 1
GROUP BY unit_code, industry
