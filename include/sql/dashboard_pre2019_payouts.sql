-- 2018年底前陈案兑付清零 for the 处非统计 page: cases filed before cutoff (the first day of 2019),
-- their verified unpaid principal and what has been paid back, in fen.
SELECT COUNT(*) AS cases,
       SUM(COALESCE(unpaid_principal_fen, 0)) AS unpaid_principal_fen,
       SUM(COALESCE(repaid_fen, 0)) AS repaid_fen
FROM case_current
WHERE filed_date < :cutoff
