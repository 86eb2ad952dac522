-- Current publicity activities (宣传教育) with 活动日期 in [range_start, range_end), one per
-- (unit, 活动日期, 活动名称): the latest submission listing it wins.
SELECT unit_code, event_date, form, community, audience, materials, file_sha256
FROM (
    SELECT r.unit_code, r.event_date, r.form, r.community, r.audience, r.materials, s.file_sha256,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.event_date, r.title
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM publicity_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND r.event_date >= :range_start
      AND r.event_date < :range_end
) ranked
WHERE recency = 1
ORDER BY unit_code, event_date
