-- The register's events the backtest compares warnings with: cases (立案日期), grid clues (上报日,
-- for the naive baseline) and risk-ledger entries (发现日期). No subject names are selected.
SELECT entity_id, source, source_key, event_date, district_code
FROM entity_event
WHERE source IN ('case_ledger', 'grid', 'risk_ledger')
ORDER BY event_date, source, source_key
