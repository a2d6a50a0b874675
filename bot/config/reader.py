"""Reading the TOML file, and typed access to one of its tables with errors that name the key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.core.durations import parse_duration
from bot.errors import ConfigError

Default = TypeVar("Default", float, float | None)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (arrays or tables nested too deeply)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


class TableReader:
    """Typed access to one TOML table, with errors that name the file and key.

    Every getter takes the value to use when the key is absent: the caller passes the settings
    dataclass's own default, so no default is written here.
    """

    def __init__(self, data: Mapping[str, Any], where: str, source: str) -> None:
        self.data, self.where, self.source = data, where, source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where}{key}: {problem}")

    def check_keys(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def string(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        if pattern and not pattern.match(value):
            raise self.fail(key, f"{value!r} is not {hint}")
        return value.strip()

    def strings(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        for v in value:
            if pattern and not pattern.match(v):
                raise self.fail(key, f"{v!r} is not {hint}")
        return tuple(v.strip() for v in value)

    def duration(self, key: str, default: Default, *, minimum: float = 0.0) -> float | Default:
        if key not in self.data:
            return default
        try:
            seconds = parse_duration(self.data[key])
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None
        if seconds < minimum:
            raise self.fail(key, f"must be at least {minimum:g}s, got {self.data[key]!r}")
        return seconds

    def duration_or_off(self, key: str, default: float | None, *, minimum: float = 0.0) -> float | None:
        """A duration, or ``"off"`` (None): for rules a team may switch off."""
        value = self.data.get(key)
        if isinstance(value, str) and value.strip().lower() == "off":
            return None
        return self.duration(key, default, minimum=minimum)

    def number(self, key: str, default: float, *, minimum: float, maximum: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bounds = (
                f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
            )
            raise self.fail(key, f"must be {bounds}, got {value!r}")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {value!r}")
        return value

    def table(self, key: str) -> TableReader:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return TableReader(value, f"{self.where}{key}.", self.source)
