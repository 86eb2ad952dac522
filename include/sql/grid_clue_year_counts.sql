-- The grid clues of the year to date (上报时间 in [year_start, as_of)), each in its version at
-- as_of exactly as grid_clues_as_of.sql chooses it (the highest 版本 known by then: from its
-- 更新时间, or without one not before its 办结日期), counted for the 网格监测 forms; only the
-- counts leave the database. in_period says whether the clue lies in [period_start, as_of).
-- A clue is read only when one of its versions was reported in the year, and its version at
-- as_of must be reported in the year too (a later version may correct the 上报时间), so the
-- work follows the year, not the history. Parts (the other columns are NULL):
--   grid      per 区县, 乡镇街道, 网格, 发现方式, 研判结果, 处置状态
--   days      the 已办结 ones with a 办结日期, per 区县, 乡镇街道, 上报日期, 办结日期 (the medians)
--   transfer  the 移交 ones per 区县 and 移交单位 as sent
--   risk      per 风险表现 as sent (the values joined with "、")
--   industry  per 行业领域
WITH year_clue AS (
    SELECT DISTINCT clue_no
    FROM grid_clue_version
    WHERE reported_at >= :year_start AND reported_at < :as_of
),
chosen AS MATERIALIZED (
    SELECT CASE WHEN reported_at >= :period_start THEN 1 ELSE 0 END AS in_period, reported_at, district_code,
           town, grid_code, discovery_method, industry, risk_signs, judgement, transfer_unit, status, closed_date
    FROM (
        SELECT v.reported_at, v.district_code, v.town, v.grid_code, v.discovery_method, v.industry, v.risk_signs,
               v.judgement, v.transfer_unit, v.status, v.closed_date,
               ROW_NUMBER() OVER (PARTITION BY v.clue_no ORDER BY v.version DESC) AS recency
        FROM grid_clue_version v
        JOIN year_clue y ON y.clue_no = v.clue_no
        WHERE v.reported_at < :as_of
          AND ((v.updated_at IS NOT NULL AND v.updated_at < :as_of)
            OR (v.updated_at IS NULL AND (v.closed_date IS NULL OR v.closed_date < :as_of)))
    ) ranked
    WHERE recency = 1 AND reported_at >= :year_start
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
