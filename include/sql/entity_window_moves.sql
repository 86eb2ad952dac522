-- The entities with an event that, between the day last scored (``last``) and the day scored now,
-- came within the day or crossed the start of one of its growth windows: besides the entities
-- whose timelines changed, the only ones whose values differ. Each range goes through the date index.
SELECT e.entity_id FROM entity_event e WHERE e.event_date > :last AND e.event_date <= :as_of
UNION
SELECT e.entity_id FROM entity_event e WHERE e.event_date > :last_recent AND e.event_date <= :recent_from
UNION
SELECT e.entity_id FROM entity_event e WHERE e.event_date > :last_previous AND e.event_date <= :previous_from
