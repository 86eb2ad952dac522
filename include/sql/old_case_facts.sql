-- Every case filed before payout_cutoff (the payouts that must be cleared), with its latest
-- amounts, for the annual list of 清退率 by case.
SELECT unit_code, case_no, COALESCE(case_name, '') AS case_name, filed_date, closed_date,
       COALESCE(unpaid_principal_fen, 0) AS unpaid_principal_fen, COALESCE(repaid_fen, 0) AS repaid_fen
FROM case_current
WHERE filed_date < :payout_cutoff
ORDER BY unit_code, case_no
