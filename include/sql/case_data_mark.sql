-- A mark that changes whenever the current case facts change: every load of a case ledger adds
-- a submission row (and rebuilds that unit's case_current slice), so the highest id moves.
SELECT COALESCE(MAX(id), 0) AS mark FROM submission WHERE dataset = 'case_ledger'
