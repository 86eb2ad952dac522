-- Every row of the units' current risk-monitoring ledgers (风险监测台账) for one half-year snapshot.
SELECT r.unit_code, r.row_no, r.subject_name, r.credit_code, r.subject_type, r.industry, r.clue_source,
       r.found_date, r.risk_signs, r.people, r.amount_fen, r.risk_level, r.monitoring, r.responsible_unit,
       r.responsible_person, r.rectification, r.rectify_deadline, r.progress, r.resolved, r.resolved_date,
       s.file_sha256
FROM risk_ledger_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.dataset = 'risk_ledger'
  AND s.is_current = TRUE
  AND s.period_key = :period_key
ORDER BY r.unit_code, r.row_no
