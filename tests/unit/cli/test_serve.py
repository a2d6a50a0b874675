"""serve's port: the --port flag, then Settings.port (PORT, read by bot.config), then 3000 in HTTP mode."""

from __future__ import annotations

import argparse

import pytest

from bot.cli.serve import _port
from bot.settings import Settings


@pytest.mark.parametrize(
    ("flag", "http", "setting", "port"),
    [(4000, True, 8080, 4000), (None, True, 8080, 8080), (None, False, 8080, 8080),
     (None, True, None, 3000), (None, False, None, None)],
)  # fmt: skip
def test_the_flag_wins_over_settings_port_and_http_mode_defaults_to_3000(
    flag: int | None, http: bool, setting: int | None, port: int | None
) -> None:
    """Socket Mode serves /healthz only when a port is given; serve no longer reads PORT itself."""
    args = argparse.Namespace(port=flag, http=http)
    assert _port(args, Settings(port=setting)) == port
