-- The latest loaded_at among the grid clue versions read since the mark: the register's next mark.
SELECT MAX(v.loaded_at) AS mark
FROM grid_clue_version v
WHERE v.loaded_at >= :since
