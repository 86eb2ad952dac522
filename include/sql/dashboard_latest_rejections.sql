-- The latest rejected rows for the 处非统计 page: where they were and why (never the row itself).
SELECT f.received_at, f.unit_code, f.dataset, f.original_name, r.sheet, r.row_no, r.reasons_json
FROM rejected_row r
JOIN received_file f ON f.sha256 = r.file_sha256
ORDER BY f.received_at DESC, r.row_no
LIMIT :max_rows
