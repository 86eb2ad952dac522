"""Sending packages to the provincial office and the staff."""
