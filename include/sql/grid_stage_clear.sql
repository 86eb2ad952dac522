DELETE FROM grid_clue_stage
