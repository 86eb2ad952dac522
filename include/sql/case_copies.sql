-- The current cases that may be reported by more than one unit, with what duplicate detection
-- needs: the matching keys, the figures' columns, and where the unit listed it (its current
-- ledger's file, 报告期 and sheet row). Only candidates are read: a 案件编号 that two or more units
-- list, or a 立案日期 + 涉案金额 two or more units share (the names are compared in Python, among
-- these few); both groupings run in the database, so the rest of the cases are never fetched.
SELECT c.unit_code, c.case_no, c.case_name, c.filed_date, c.closed_date, c.amount_fen, c.participants,
       c.cross_region, c.industry, c.unpaid_principal_fen, c.repaid_fen, c.submission_id, s.period_key,
       s.file_sha256, r.row_no, f.original_name
FROM case_current c
JOIN submission s ON s.id = c.submission_id
JOIN received_file f ON f.sha256 = s.file_sha256
LEFT JOIN case_ledger_row r ON r.submission_id = c.submission_id AND r.case_no = c.case_no
LEFT JOIN (SELECT UPPER(case_no) AS number
           FROM case_current
           GROUP BY UPPER(case_no)
           HAVING COUNT(DISTINCT unit_code) > 1) shared_number ON shared_number.number = UPPER(c.case_no)
LEFT JOIN (SELECT filed_date, amount_fen
           FROM case_current
           WHERE filed_date IS NOT NULL AND amount_fen IS NOT NULL
           GROUP BY filed_date, amount_fen
           HAVING COUNT(DISTINCT unit_code) > 1) shared_day ON shared_day.filed_date = c.filed_date
                                                           AND shared_day.amount_fen = c.amount_fen
WHERE shared_number.number IS NOT NULL OR shared_day.filed_date IS NOT NULL
ORDER BY c.unit_code, c.case_no
