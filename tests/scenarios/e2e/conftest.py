"""Fixtures for the Slack end-to-end tests live in tests/conftest.py (shared with tests/ops)."""
