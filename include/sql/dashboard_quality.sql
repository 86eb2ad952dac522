-- Data-quality pass rates per unit and dataset for the 处非统计 page: rows accepted and rejected
-- over every file received, duplicates excluded.
SELECT unit_code, dataset,
       COUNT(*) AS files,
       SUM(rows_total) AS rows_total,
       SUM(rows_accepted) AS rows_accepted,
       SUM(rows_rejected) AS rows_rejected
FROM received_file
WHERE dataset IS NOT NULL
GROUP BY unit_code, dataset
ORDER BY unit_code, dataset
