-- A fragment, not a statement: included as {{ grid_clue_version_at }} by the statements that
-- read grid clues at a date. It is true of a version v of grid_clue_version that is its clue's
-- version at :as_of (exclusive): known by then, and no later version of the clue known by then.
-- A version is known from its 更新时间 (the platform's change time, local wall time) when the
-- platform sent one; otherwise from what it says itself: a version reporting a 办结日期 is not
-- known before that day. The later version is looked up in the key's index, which finds nothing
-- for a clue of one version, so no sort of the history by clue is needed. loaded_at (the
-- warehouse's wall clock) never decides: a rebuild from scratch must give the same figures.
((v.updated_at IS NOT NULL AND v.updated_at < :as_of)
    OR (v.updated_at IS NULL AND (v.closed_date IS NULL OR v.closed_date < :as_of)))
AND NOT EXISTS (
    SELECT 1 FROM grid_clue_version w
    WHERE w.clue_no = v.clue_no AND w.version > v.version AND w.reported_at < :as_of
      AND ((w.updated_at IS NOT NULL AND w.updated_at < :as_of)
        OR (w.updated_at IS NULL AND (w.closed_date IS NULL OR w.closed_date < :as_of))))
