"""Durations in scenario files: a number of seconds or text such as ``30s``, ``2m``, ``1h30m``."""

from __future__ import annotations

import math
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: object) -> float:
    """Seconds in ``value``; ValueError with a readable message otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a duration such as 90, '30s', '2m' or '1h', got {value!r}")
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and not _PART.sub("", text):
            seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(text))
        else:
            raise ValueError(f"expected a duration such as '30s', '2m' or '1h', got {value!r}")
    else:
        seconds = float(value)
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"expected a duration >= 0, got {value!r}")
    return seconds
