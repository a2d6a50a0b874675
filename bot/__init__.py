"""DMS validation bot: watches AWS DMS replication tasks and their table-level data validation."""

__version__ = "0.1.0"
