-- The latest warning of each entity, with its entity, for the page's 预警 section.
SELECT w.warning_id, w.entity_id, w.seq, w.raised_on, w.scored_on, w.score, w.band, w.status, w.checked_on,
       w.config_version, n.name, n.natural_person, n.district_code
FROM entity_warning w JOIN entity n ON n.entity_id = w.entity_id
WHERE w.seq = (SELECT MAX(v.seq) FROM entity_warning v WHERE v.entity_id = w.entity_id)
ORDER BY w.score DESC, w.warning_id
