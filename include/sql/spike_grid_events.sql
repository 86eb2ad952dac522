-- Grid clues reported in [range_start, range_end): one row per 线索编号 from refs_from on (the
-- periods tested, whose clues an alert lists), through ix_grid_clue_version_reported; before it
-- one row per 区县代码 and day with its count of distinct clues (grid_clue_day, kept current by
-- chufei.warehouse.grid_days), which is all a baseline's history needs. A clue is counted once
-- however many versions state its day. Subject and reporter columns are not selected.
SELECT d.district_code, d.day, NULL AS clue_no, d.clues
FROM grid_clue_day d
WHERE d.day >= :range_start
  AND d.day < :refs_from
UNION ALL
SELECT v.district_code, date(v.reported_at) AS day, v.clue_no, 1 AS clues
FROM grid_clue_version v
WHERE v.reported_at >= :refs_from
  AND v.reported_at < :range_end
GROUP BY v.district_code, date(v.reported_at), v.clue_no
ORDER BY 2, 1, 3
