-- The risk signs and advert phrases found in each entity's events dated on or before the day
-- scored, one row per distinct combination (cases score nothing).
SELECT e.entity_id, e.source, e.signs, e.advert_hits
FROM entity_event e
WHERE e.event_date <= :as_of
  AND e.source <> 'case_ledger'
  AND (e.signs IS NOT NULL OR e.advert_hits IS NOT NULL)
GROUP BY e.entity_id, e.source, e.signs, e.advert_hits
