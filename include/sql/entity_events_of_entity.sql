-- One entity's register events dated on or before the day scored (its page's reasons).
SELECT e.id, e.entity_id, e.source, e.event_date, e.district_code, e.grid_code, e.signs,
       e.advert_hits, e.licensed, e.risk_level, e.action_type
FROM entity_event e
WHERE e.event_date <= :as_of AND e.entity_id = :entity_id
ORDER BY e.entity_id, e.event_date, e.id
