-- Each 区县代码's distinct clues per 上报日, over every version reported in [day_from, day_to)
-- (through ix_grid_clue_version_reported), written into grid_clue_day: what the spike alerts'
-- baselines count (spike_grid_events.sql). A version may state another day or district than the
-- clue's earlier ones: the clue then counts in each, as a count over the versions does.
INSERT INTO grid_clue_day (district_code, day, clues)
SELECT v.district_code, date(v.reported_at), COUNT(DISTINCT v.clue_no)
FROM grid_clue_version v
WHERE v.reported_at >= :day_from
  AND v.reported_at < :day_to
  AND date(v.reported_at) IS NOT NULL
GROUP BY v.district_code, date(v.reported_at)
ON CONFLICT (district_code, day) DO UPDATE SET clues = excluded.clues
