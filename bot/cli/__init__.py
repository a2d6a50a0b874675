"""The command line: ``python -m bot`` / ``dms-bot`` and one module per command."""
