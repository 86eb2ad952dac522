-- The 上报日 of the grid clue versions loaded since the daily counts' mark (less its overlap),
-- through the loaded_at index: the days whose counts (grid_clue_day) a refresh counts again.
SELECT DISTINCT date(v.reported_at) AS day
FROM grid_clue_version v
WHERE v.loaded_at >= :since
  AND date(v.reported_at) IS NOT NULL
