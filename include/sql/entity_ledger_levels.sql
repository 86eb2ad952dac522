-- The 风险监测台账 levels of the entities, from the ledger events dated on or before the day scored.
SELECT e.entity_id, e.id, e.event_date, e.risk_level
FROM entity_event e
WHERE e.event_date <= :as_of
  AND e.source = 'risk_ledger'
  AND e.risk_level IS NOT NULL
ORDER BY e.entity_id, e.event_date, e.id
