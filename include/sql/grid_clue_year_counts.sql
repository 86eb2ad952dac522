-- The grid clues of the year to date (上报时间 in [year_start, as_of)), each in its version at
-- as_of (the period's end, exclusive), counted for the 网格监测 forms; only the counts leave the
-- database. in_period says whether the clue lies in [period_start, as_of).
-- Each clue in its version at as_of as grid_clue_version_at.sql defines it (reporter and subject
-- columns not selected); only the versions reported in the year are read, whatever the history; a
-- later version may correct the 上报时间, and then it decides whether the
-- clue is in the year. Parts (the other columns are NULL):
--   grid      per 区县, 乡镇街道, 网格, 发现方式, 研判结果, 处置状态
--   days      the 已办结 ones with a 办结日期, per 区县, 乡镇街道, 上报日期, 办结日期 (the medians)
--   transfer  the 移交 ones per 区县 and 移交单位 as sent
--   risk      per 风险表现 as sent (the values joined with "、")
--   industry  per 行业领域
WITH chosen AS MATERIALIZED (
    SELECT CASE WHEN v.reported_at >= :period_start THEN 1 ELSE 0 END AS in_period, v.reported_at,
           v.district_code, v.town, v.grid_code, v.discovery_method, v.industry, v.risk_signs, v.judgement,
           v.transfer_unit, v.status, v.closed_date
    FROM grid_clue_version v
    WHERE v.reported_at >= :year_start AND v.reported_at < :as_of
      AND {{ grid_clue_version_at }}
)
SELECT 'grid' AS part, in_period, district_code, town, grid_code, discovery_method, judgement, status,
       NULL AS label, NULL AS reported_day, NULL AS closed_date, COUNT(*) AS clues
FROM chosen
GROUP BY in_period, district_code, town, grid_code, discovery_method, judgement, status
UNION ALL
SELECT 'days', in_period, district_code, town, NULL, NULL, NULL, NULL, NULL, date(reported_at), closed_date, COUNT(*)
FROM chosen
WHERE status = '已办结' AND closed_date IS NOT NULL
GROUP BY in_period, district_code, town, date(reported_at), closed_date
UNION ALL
SELECT 'transfer', in_period, district_code, NULL, NULL, NULL, NULL, NULL, transfer_unit, NULL, NULL, COUNT(*)
FROM chosen
WHERE judgement = '移交'
GROUP BY in_period, district_code, transfer_unit
UNION ALL
SELECT 'risk', in_period, NULL, NULL, NULL, NULL, NULL, NULL, risk_signs, NULL, NULL, COUNT(*)
FROM chosen
GROUP BY in_period, risk_signs
UNION ALL
SELECT 'industry', in_period, NULL, NULL, NULL, NULL, NULL, NULL, industry, NULL, NULL, COUNT(*)
FROM chosen
GROUP BY in_period, industry
