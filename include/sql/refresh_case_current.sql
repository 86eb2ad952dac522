-- Rebuild one unit's current case facts: for each case number, the row from the unit's latest
-- current ledger that lists it (ledgers are cumulative, so a later month's row supersedes).
INSERT INTO case_current (
    unit_code, case_no, submission_id, period_start, case_name, filed_date, handling_unit, industry,
    amount_fen, participants, cross_region, stage, recovered_fen, unpaid_principal_fen, repaid_fen,
    repaid_people, is_old_case, closed_date)
SELECT unit_code, case_no, submission_id, period_start, case_name, filed_date, handling_unit, industry,
       amount_fen, participants, cross_region, stage, recovered_fen, unpaid_principal_fen, repaid_fen,
       repaid_people, is_old_case, closed_date
FROM (
    SELECT r.*,
           ROW_NUMBER() OVER (PARTITION BY r.case_no
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM case_ledger_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.dataset = 'case_ledger'
      AND s.is_current = TRUE
      AND s.unit_code = :unit_code
) ranked
WHERE recency = 1
