-- Every case filed before payout_cutoff (the payouts that must be cleared), with its latest
-- amounts, for the annual list of 清退率 by case.
SELECT unit_code, case_no, case_name, filed_date, closed_date, unpaid_principal_fen, repaid_fen
FROM case_current
WHERE filed_date < :payout_cutoff
ORDER BY unit_code, case_no
