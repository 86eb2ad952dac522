"""The figures: case, old-case and office statistics computed from the warehouse."""
