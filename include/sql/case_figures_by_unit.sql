-- Case figures per unit and 行业领域 for one date range [range_start, range_end).
-- New cases are counted by 立案日期; old cases (filed before year_start, the first day of the
-- range's year) count as 存量办结 when their 结案日期 falls in the range.
-- Thresholds: 超亿元 means 涉案金额 >= over_amount_fen; 超千人 means 集资参与人数 >= over_people.
-- Both date conditions are bounded ranges, so the filed/closed date indexes keep the cost
-- proportional to the range's data.
-- (Bind parameters are named without their colon in comments: SQLAlchemy would bind them.)
SELECT unit_code,
       industry,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end THEN 1 ELSE 0 END)
           AS new_cases,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end THEN amount_fen ELSE 0 END)
           AS amount_fen,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end THEN participants ELSE 0 END)
           AS participants,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end AND cross_region = TRUE
                THEN 1 ELSE 0 END) AS cross_region_cases,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end
                 AND amount_fen >= :over_amount_fen THEN 1 ELSE 0 END) AS over_100m_cases,
       SUM(CASE WHEN filed_date >= :range_start AND filed_date < :range_end
                 AND participants >= :over_people THEN 1 ELSE 0 END) AS over_1000_cases,
       SUM(CASE WHEN filed_date < :year_start AND closed_date >= :range_start AND closed_date < :range_end
                THEN 1 ELSE 0 END) AS old_cases_closed
FROM case_current
WHERE (filed_date >= :range_start AND filed_date < :range_end)
   OR (closed_date >= :range_start AND closed_date < :range_end)
GROUP BY unit_code, industry
