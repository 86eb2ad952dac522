-- Current report-reward rows (举报奖励) received or paid in [range_start, range_end), one per
-- (unit, 举报编号): the latest submission listing it wins. Reporter columns are never selected.
SELECT unit_code, report_no, received_date, channel, clue_level, is_valid, is_paid, reward_people,
       reward_fen, paid_date, file_sha256
FROM (
    SELECT r.unit_code, r.report_no, r.received_date, r.channel, r.clue_level, r.is_valid, r.is_paid,
           r.reward_people, r.reward_fen, r.paid_date, s.file_sha256,
           ROW_NUMBER() OVER (PARTITION BY r.unit_code, r.report_no
                              ORDER BY s.period_start DESC, s.version DESC) AS recency
    FROM report_reward_row r
    JOIN submission s ON s.id = r.submission_id
    WHERE s.is_current = TRUE
      AND ((r.received_date >= :range_start AND r.received_date < :range_end)
        OR (r.paid_date >= :range_start AND r.paid_date < :range_end))
) ranked
WHERE recency = 1
ORDER BY unit_code, report_no
