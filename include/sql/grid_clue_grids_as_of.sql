-- What the 网格监测 forms need of the whole history: every grid clue reported before as_of in its
-- version at as_of (as grid_clue_year_counts.sql defines it), reduced to one row per 区县, 网格 and
-- 乡镇街道 with its latest 上报时间 (the known grids, the 乡镇街道 of each grid's latest clue, every
-- 乡镇街道 and 区县 a clue names, the last report of a silent grid), and one row per load the
-- chosen versions came in (the package's sources). Only these aggregates leave the database. A
-- version is the clue's at as_of when it is known by then and no later one is (a look-up in the
-- key's index, which finds nothing for a clue of one version): one pass over the history, no sort
-- of it by clue.
WITH chosen AS MATERIALIZED (
    SELECT v.load_id, v.reported_at, v.district_code, v.town, v.grid_code
    FROM grid_clue_version v
    WHERE v.reported_at < :as_of
      AND {{ grid_clue_version_at }}
)
SELECT district_code, grid_code, town, MAX(reported_at) AS last_reported, NULL AS load_id
FROM chosen
GROUP BY district_code, grid_code, town
UNION ALL
SELECT NULL, NULL, NULL, NULL, load_id
FROM chosen
GROUP BY load_id
