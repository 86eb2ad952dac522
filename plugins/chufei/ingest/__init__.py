"""Orchestration of each inflow: inbox -> read -> validate -> warehouse -> receipt."""
