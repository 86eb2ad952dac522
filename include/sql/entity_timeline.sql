-- An entity's timeline: every event with the file it came in (name, status) for its page.
SELECT e.id, e.source, e.source_key, e.event_date, e.district_code, e.subject_name, e.grid_code, e.signs,
       e.advert_hits, e.licensed, e.risk_level, e.action_type, e.file_sha256, e.row_no,
       f.original_name
FROM entity_event e LEFT JOIN received_file f ON f.sha256 = e.file_sha256
WHERE e.entity_id = :entity_id
ORDER BY e.event_date, e.id
