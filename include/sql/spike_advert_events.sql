-- Advert-screening hits (current workbooks' detail rows) with 排查日期 in [range_start, range_end),
-- with the file and row each came from. The reporting unit stands for the area.
SELECT s.unit_code, r.screened_date, r.row_no, s.file_sha256
FROM ad_screening_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND s.dataset = 'ad_screening'
  AND r.screened_date >= :range_start
  AND r.screened_date < :range_end
ORDER BY r.screened_date, s.unit_code, r.row_no
