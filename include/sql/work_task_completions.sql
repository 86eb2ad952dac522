-- Current 工作任务完成情况 rows with 完成日期 in [range_start, range_end): each unit's reports
-- that a task is done, earliest first, with the file each came in.
SELECT r.unit_code, r.task_no, r.completed_date, r.evidence, s.file_sha256
FROM work_task_completion_row r
JOIN submission s ON s.id = r.submission_id
WHERE s.is_current = TRUE
  AND r.completed_date >= :range_start
  AND r.completed_date < :range_end
ORDER BY r.unit_code, r.task_no, r.completed_date, s.period_start
