-- When a unit first sent a ledger listing a case: the earliest arrival (else processing time)
-- among the unit's current case ledgers that hold the case number.
SELECT MIN(COALESCE(f.arrived_at, f.received_at)) AS first_arrival
FROM submission s
JOIN case_ledger_row r ON r.submission_id = s.id
JOIN received_file f ON f.sha256 = s.file_sha256
WHERE s.dataset = 'case_ledger'
  AND s.is_current = TRUE
  AND s.unit_code = :unit_code
  AND r.case_no = :case_no
