-- The files behind the register's events dated on or before the day: the package's sources.
SELECT DISTINCT e.file_sha256
FROM entity_event e
WHERE e.event_date <= :as_of
ORDER BY e.file_sha256
