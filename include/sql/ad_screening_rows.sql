-- Current advert-screening detail rows with 排查日期 in [range_start, range_end). A row's 排查日期
-- lies in its workbook's month (a validation rule) and keys are unique within a workbook, so
-- the current workbooks never list one advert twice.
SELECT s.unit_code, r.screened_date, r.carrier, r.licensed, r.action, s.file_sha256
FROM ad_screening_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND s.dataset = 'ad_screening'
  AND r.screened_date >= :range_start
  AND r.screened_date < :range_end
ORDER BY s.unit_code, r.screened_date, r.row_no
