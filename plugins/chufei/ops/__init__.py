"""Operators' concerns: notifications, the submission watch, the dashboard and page."""
