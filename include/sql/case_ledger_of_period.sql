-- Every unit's current 案件台账 for one month, row by row, with the file it came from: the
-- ledger the month's 陈案处置进展 is reconciled with. LEFT JOIN: a ledger listing no case is still a ledger.
SELECT s.unit_code, s.file_sha256, f.original_name, r.row_no,
       r.case_no, r.case_name, r.filed_date, r.unpaid_principal_fen, r.repaid_fen, r.stage,
       r.closed_date
FROM submission s
JOIN received_file f ON f.sha256 = s.file_sha256
LEFT JOIN case_ledger_row r ON r.submission_id = s.id
WHERE s.dataset = 'case_ledger'
  AND s.is_current = TRUE
  AND s.period_key = :period_key
ORDER BY s.unit_code, r.row_no
