-- The work plan's 网格线索上报 months: the grid clues reported in the plan year before as_of
-- ([year_start, as_of)), each in its version at as_of as grid_clue_year_counts.sql defines it (known by
-- then, and no later version known: an anti-join on the key's index), counted per 区县代码, 上报日期
-- and the load it came in; and a last row (区县代码 NULL) whose count says whether any clue at all
-- was reported before as_of (a clue has a version at as_of as soon as one of its versions is known).
SELECT v.district_code, date(v.reported_at) AS day, v.load_id, COUNT(*) AS clues
FROM grid_clue_version v
WHERE v.reported_at >= :year_start AND v.reported_at < :as_of
  AND {{ grid_clue_version_at }}
GROUP BY v.district_code, date(v.reported_at), v.load_id
UNION ALL
SELECT NULL, NULL, NULL, COUNT(*)
FROM (
    SELECT 1 AS one FROM grid_clue_version v
    WHERE v.reported_at < :as_of
      AND ((v.updated_at IS NOT NULL AND v.updated_at < :as_of)
        OR (v.updated_at IS NULL AND (v.closed_date IS NULL OR v.closed_date < :as_of)))
    LIMIT 1
) any_clue
