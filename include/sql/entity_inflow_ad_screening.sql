-- Advert-screening rows of submissions received since the register's mark.
SELECT r.unit_code, r.publisher AS subject_name, r.credit_code, r.screened_date AS event_date,
       r.platform, r.summary, r.keywords, r.licensed, r.period_start,
       s.file_sha256, r.row_no, s.id AS mark
FROM ad_screening_row r JOIN submission s ON s.id = r.submission_id
WHERE s.id > :after_id
ORDER BY s.id, r.row_no
