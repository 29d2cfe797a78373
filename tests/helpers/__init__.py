"""Helpers shared by end-to-end tests (server start-up, sample catalog)."""
