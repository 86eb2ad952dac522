"""Checking rows against the rules and the GX suites."""
