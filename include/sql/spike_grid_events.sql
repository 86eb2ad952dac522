-- Grid clues reported in [range_start, range_end), one row per 线索编号 (its 上报时间 and 区县代码
-- are the same in every version). Subject and reporter columns are not selected.
SELECT clue_no, reported_at, district_code
FROM grid_clue_current
WHERE reported_at >= :range_start
  AND reported_at < :range_end
ORDER BY reported_at, clue_no
