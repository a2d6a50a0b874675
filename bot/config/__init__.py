"""Settings from the TOML file, the environment and Secrets Manager: :func:`load_settings`."""

from bot.config.load import SecretLoader, config_path, load_settings
from bot.config.reader import read_toml

__all__ = ["SecretLoader", "config_path", "load_settings", "read_toml"]
