-- Grid clues reported in [range_start, range_end): one row per 线索编号 from refs_from on (the
-- periods tested, whose clues an alert lists), and before it one row per 区县代码 and day with its
-- count, which is all a baseline's history needs. A clue's 上报时间 and 区县代码 are the same in
-- every version, so its versions are counted once. Subject and reporter columns are not selected.
SELECT v.district_code, date(v.reported_at) AS day,
       CASE WHEN v.reported_at >= :refs_from THEN v.clue_no END AS clue_no,
       COUNT(DISTINCT v.clue_no) AS clues
FROM grid_clue_version v
WHERE v.reported_at >= :range_start
  AND v.reported_at < :range_end
GROUP BY 1, 2, 3
ORDER BY 2, 1, 3
