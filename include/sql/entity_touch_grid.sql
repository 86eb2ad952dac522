-- The entities whose timelines the run's new grid versions (``new``) change: those the versions
-- resolved to (entity_grid_subject) and those holding an event of the same clue now (a later
-- version may move it). The next day's scoring re-counts them.
INSERT INTO entity_touched (entity_id, stamp)
SELECT entity_id, :stamp
FROM (SELECT s.entity_id FROM entity_grid_subject s
      UNION
      SELECT e.entity_id FROM new n JOIN entity_event e ON e.source = 'grid' AND e.source_key = n.clue_no) touched
WHERE TRUE
ON CONFLICT (entity_id) DO UPDATE SET stamp = excluded.stamp
