-- Old-case disposal (陈案) per unit, aggregated in the database:
-- stock = filed before year_start and not closed before it; resolved = stock closed before
-- period_end; payout_* = cases filed before payout_cutoff with their amounts, cleared when
-- 已清退金额 >= 核实未兑付本金. Three disjoint, index-friendly branches (no de-duplication
-- needed), so cases closed in earlier years are read only when filed before payout_cutoff.
SELECT unit_code,
       SUM(CASE WHEN filed_date < :year_start AND (closed_date IS NULL OR closed_date >= :year_start)
                THEN 1 ELSE 0 END) AS stock,
       SUM(CASE WHEN filed_date < :year_start AND closed_date >= :year_start AND closed_date < :period_end
                THEN 1 ELSE 0 END) AS resolved,
       SUM(CASE WHEN filed_date < :payout_cutoff THEN 1 ELSE 0 END) AS payout_cases,
       SUM(CASE WHEN filed_date < :payout_cutoff THEN COALESCE(unpaid_principal_fen, 0) ELSE 0 END) AS unpaid_fen,
       SUM(CASE WHEN filed_date < :payout_cutoff THEN COALESCE(repaid_fen, 0) ELSE 0 END) AS repaid_fen,
       SUM(CASE WHEN filed_date < :payout_cutoff
                 AND COALESCE(repaid_fen, 0) >= COALESCE(unpaid_principal_fen, 0) THEN 1 ELSE 0 END) AS cleared
FROM (
    SELECT unit_code, case_no, filed_date, closed_date, unpaid_principal_fen, repaid_fen
    FROM case_current
    WHERE closed_date IS NULL AND filed_date < :year_start
    UNION ALL
    SELECT unit_code, case_no, filed_date, closed_date, unpaid_principal_fen, repaid_fen
    FROM case_current
    WHERE closed_date >= :year_start AND filed_date < :year_start
    UNION ALL
    SELECT unit_code, case_no, filed_date, closed_date, unpaid_principal_fen, repaid_fen
    FROM case_current
    WHERE closed_date < :year_start AND filed_date < :payout_cutoff
) old_cases
GROUP BY unit_code
