-- Every current administrative-action row of one unit (duplicates included, as
-- admin_action_sources.sql reads them): which submission lists an action of which day.
SELECT DISTINCT r.submission_id, r.action_date
FROM admin_action_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND r.unit_code = :unit_code
