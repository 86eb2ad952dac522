"""Claiming inbox files, archiving them and writing receipts."""
