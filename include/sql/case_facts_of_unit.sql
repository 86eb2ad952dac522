-- One unit's current cases, the columns the monthly case facts (case_month_fact) are summed from.
SELECT submission_id, industry, filed_date, closed_date, amount_fen, participants, cross_region
FROM case_current
WHERE unit_code = :unit_code
