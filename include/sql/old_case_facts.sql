-- Old cases (陈案) for the disposal forms, from the current case facts:
-- the stock on 1 January (filed before year_start and not closed before it) and every case
-- filed before payout_cutoff (the payouts that must be cleared), with their latest amounts.
-- Three index-friendly branches instead of one OR, so cases closed in earlier years are not read.
SELECT unit_code, case_no, case_name, filed_date, closed_date, stage, unpaid_principal_fen, repaid_fen
FROM case_current
WHERE closed_date IS NULL AND filed_date < :year_start
UNION
SELECT unit_code, case_no, case_name, filed_date, closed_date, stage, unpaid_principal_fen, repaid_fen
FROM case_current
WHERE closed_date >= :year_start AND filed_date < :year_start
UNION
SELECT unit_code, case_no, case_name, filed_date, closed_date, stage, unpaid_principal_fen, repaid_fen
FROM case_current
WHERE filed_date < :payout_cutoff
ORDER BY unit_code, case_no
