-- The grid clue versions the register has not taken in yet: loaded since its mark (the run passes
-- the mark less an overlap, for a load that was still committing), the latest of them for each
-- 线索编号, and not already held as an event (same 线索编号, file and row). The register's other
-- grid statements read these as ``new``.
SELECT v.clue_no, v.reported_at, v.district_code, v.grid_code, v.subject_name, v.credit_code, v.risk_signs,
       v.amount_fen, v.load_id, v.row_no
FROM grid_clue_version v
WHERE v.loaded_at >= :since
  AND NOT EXISTS (SELECT 1 FROM grid_clue_version w
                  WHERE w.clue_no = v.clue_no AND w.version > v.version AND w.loaded_at >= :since)
  AND NOT EXISTS (SELECT 1 FROM entity_event e
                  WHERE e.source = 'grid' AND e.source_key = v.clue_no
                    AND e.file_sha256 = v.load_id AND e.row_no = v.row_no)
