"""Solara components of the dashboard, each with one job (shared by the pages)."""
