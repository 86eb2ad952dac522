-- Every grid clue reported before as_of, in the version it had at as_of (the period's end,
-- exclusive): the highest 版本 among the versions known by then. A version is known from its
-- 更新时间 (the platform's change time, local wall time) when the platform sent one; otherwise
-- from what it says itself: a version reporting a 办结日期 is not known before that day.
-- loaded_at is the warehouse's wall clock and never decides a figure: a rebuild from scratch
-- must give the same forms. Reporter and subject columns are not selected.
SELECT clue_no, version, load_id, reported_at, district_code, town, grid_code, discovery_method, industry,
       risk_signs, judgement, transfer_unit, status, closed_date
FROM (
    SELECT v.clue_no, v.version, v.load_id, v.reported_at, v.district_code, v.town, v.grid_code,
           v.discovery_method, v.industry, v.risk_signs, v.judgement, v.transfer_unit, v.status,
           v.closed_date,
           ROW_NUMBER() OVER (PARTITION BY v.clue_no ORDER BY v.version DESC) AS recency
    FROM grid_clue_version v
    WHERE v.reported_at < :as_of
      AND ((v.updated_at IS NOT NULL AND v.updated_at < :as_of)
        OR (v.updated_at IS NULL AND (v.closed_date IS NULL OR v.closed_date < :as_of)))
) ranked
WHERE recency = 1
ORDER BY clue_no
