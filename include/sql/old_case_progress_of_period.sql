-- Every unit's current 陈案处置进展 for one month, row by row, with the file it came from.
-- LEFT JOIN: a report listing no case (零报告) is still a report.
SELECT s.unit_code, s.file_sha256, f.original_name, r.row_no,
       r.case_no, r.case_name, r.filed_date, r.unpaid_principal_fen, r.repaid_fen, r.stage,
       r.resolved, r.resolved_date
FROM submission s
JOIN received_file f ON f.sha256 = s.file_sha256
LEFT JOIN old_case_progress_row r ON r.submission_id = s.id
WHERE s.dataset = 'old_case_progress'
  AND s.is_current = TRUE
  AND s.period_key = :period_key
ORDER BY s.unit_code, r.row_no
