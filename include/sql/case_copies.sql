-- Every unit's current cases with what cross-unit duplicate detection needs: the matching keys
-- (案件编号; 案件名称 + 立案日期 + 涉案金额), the figures' columns, and where the unit listed it
-- (its current ledger's file, 报告期 and sheet row).
SELECT c.unit_code, c.case_no, c.case_name, c.filed_date, c.closed_date, c.amount_fen, c.participants,
       c.cross_region, c.industry, c.unpaid_principal_fen, c.repaid_fen, c.submission_id, s.period_key,
       s.file_sha256, r.row_no, f.original_name
FROM case_current c
JOIN submission s ON s.id = c.submission_id
JOIN received_file f ON f.sha256 = s.file_sha256
LEFT JOIN case_ledger_row r ON r.submission_id = c.submission_id AND r.case_no = c.case_no
ORDER BY c.unit_code, c.case_no
