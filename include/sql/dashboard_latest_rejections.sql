-- The latest rejected rows of every kind for the 处非统计 page: where they were and why (never the
-- row itself), at most max_rows per dataset so one busy inflow does not hide the others.
SELECT received_at, unit_code, dataset, original_name, file_sha256, sheet, row_no, reasons_json
FROM (
    SELECT f.received_at, f.unit_code, COALESCE(r.dataset, f.dataset) AS dataset, f.original_name,
           f.sha256 AS file_sha256, r.sheet, r.row_no, r.reasons_json,
           ROW_NUMBER() OVER (PARTITION BY COALESCE(r.dataset, f.dataset)
                              ORDER BY f.received_at DESC, r.row_no) AS recency
    FROM rejected_row r
    JOIN received_file f ON f.sha256 = r.file_sha256
) ranked
WHERE recency <= :max_rows
ORDER BY dataset, received_at DESC, row_no
