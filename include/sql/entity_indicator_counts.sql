-- Per entity, the counts its indicators are made of, from the events dated on or before the day
-- scored (cases score nothing: they are what the warnings try to foresee). One row per entity
-- with an event, so only per-entity aggregates leave the database.
SELECT e.entity_id,
       COUNT(*) AS evidence_count,
       SUM(CASE WHEN e.source = 'grid' THEN 1 ELSE 0 END) AS grid_clues,
       COUNT(DISTINCT CASE WHEN e.source = 'grid' THEN e.grid_code END) AS reporting_grids,
       SUM(CASE WHEN e.source = 'ad_screening' AND e.licensed = FALSE THEN 1 ELSE 0 END) AS unlicensed,
       SUM(CASE WHEN e.source = 'admin_action' THEN 1 ELSE 0 END) AS admin_actions,
       SUM(CASE WHEN e.source = 'report_reward' THEN 1 ELSE 0 END) AS report_clues,
       COUNT(DISTINCT e.district_code) AS districts,
       SUM(CASE WHEN e.source <> 'case_ledger' AND e.event_date > :recent_from THEN 1 ELSE 0 END) AS growth_90d,
       SUM(CASE WHEN e.source <> 'case_ledger' AND e.event_date <= :recent_from
                 AND e.event_date > :previous_from THEN 1 ELSE 0 END) AS growth_previous
FROM entity_event e
WHERE e.event_date <= :as_of
GROUP BY e.entity_id
ORDER BY e.entity_id
