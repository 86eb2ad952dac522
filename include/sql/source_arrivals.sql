-- When each received file landed in the inbox (files received before arrivals were recorded have
-- none): a package's 报出日期 is the day its last source arrived.
SELECT f.sha256, f.arrived_at
FROM received_file f
WHERE f.arrived_at IS NOT NULL
