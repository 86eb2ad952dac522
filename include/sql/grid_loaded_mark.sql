-- The latest loaded_at among the grid clue versions loaded since the mark (less its overlap): the
-- next mark of a reader that follows the loads (the entity register, the daily clue counts).
SELECT MAX(v.loaded_at) AS mark
FROM grid_clue_version v
WHERE v.loaded_at >= :since
