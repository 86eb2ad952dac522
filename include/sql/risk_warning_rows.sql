-- Current public risk warnings (风险提示) with 发布日期 in [range_start, range_end), one per
-- (unit, 发布日期, 提示标题): the latest submission listing it wins.
SELECT unit_code, issued_date, channel, reach, file_sha256
FROM (
    SELECT r.unit_code, r.issued_date, r.channel, r.reach, s.file_sha256,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.issued_date, r.title
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM risk_warning_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.issued_date >= :range_start
      AND r.issued_date < :range_end
) ranked
WHERE recency = 1
ORDER BY unit_code, issued_date
