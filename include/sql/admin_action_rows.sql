-- Current administrative actions with 处置日期 in [range_start, range_end), one per
-- (unit, 处置日期, 处置对象, 处置方式): the latest submission listing it wins.
SELECT unit_code, action_date, action_type, industry, penalty_fen, file_sha256
FROM (
    SELECT r.unit_code, r.action_date, r.action_type, r.industry, r.penalty_fen, s.file_sha256,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.action_date, r.subject_name, r.action_type
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM admin_action_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.action_date >= :range_start
      AND r.action_date < :range_end
) ranked
WHERE recency = 1
ORDER BY unit_code, action_date, action_type
