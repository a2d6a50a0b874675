"""Application services: the only things Slack listeners and CLI commands call."""
