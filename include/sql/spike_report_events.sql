-- Report-reward reports (举报) received in [range_start, range_end), one per (unit, 举报编号): the
-- latest current submission listing it wins. Reporter columns are never selected.
SELECT unit_code, report_no, received_date, file_sha256
FROM (
    SELECT r.unit_code, r.report_no, r.received_date, s.file_sha256,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.report_no
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM report_reward_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.received_date >= :range_start
      AND r.received_date < :range_end
) ranked
WHERE recency = 1
ORDER BY received_date, unit_code, report_no
