-- One unit's current administrative actions, one per (处置日期, 处置对象, 处置方式): the latest
-- submission listing it wins, as in admin_action_figures.sql. The monthly action facts
-- (admin_action_month_fact) are summed from these rows.
SELECT industry, action_date, action_type
FROM (
    SELECT r.industry, r.action_date, r.action_type,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.action_date, r.subject_name, r.action_type
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM admin_action_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.unit_code = :unit_code
) ranked
WHERE recency = 1
