"""The history chart PNG (decoded here with zlib + struct), and with hostile names beside it."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace

import pytest

from bot.core.records import VerdictRow
from bot.render.chart import FAILED, PENDING, VERDICT, history_chart_png
from bot.render.history import history_alt_text, history_message
from tests.support.render.hostile import HOSTILE
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW
from tests.support.render.sample_alerts import history, row

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC."""
    assert png.startswith(SIGNATURE)
    out, at = [], len(SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        out.append((kind, data))
        at += 12 + length
    return out


def decode(png: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """Width, height and the set of colours of a filter-0 RGB PNG."""
    found = chunks(png)
    assert found[0][0] == b"IHDR" and found[-1][0] == b"IEND"
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", found[0][1])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(b"".join(d for k, d in found if k == b"IDAT"))
    stride = 1 + width * 3
    assert len(raw) == height * stride
    colours: set[tuple[int, int, int]] = set()
    for y in range(height):
        assert raw[y * stride] == 0
        line = raw[y * stride + 1 : (y + 1) * stride]
        colours.update(zip(line[0::3], line[1::3], line[2::3], strict=True))
    return width, height, colours


@pytest.mark.parametrize("count", [0, 1, 48])
def test_chart_is_a_valid_png_of_the_asked_size(count: int) -> None:
    """0, 1 and 48 sweeps: signature, IHDR size, rows of the right length, under 100 KB."""
    png = history_chart_png(history(count), width=640, height=240)
    assert decode(png)[:2] == (640, 240)
    assert len(png) < 100_000


def test_chart_colours_tell_failure_from_ok() -> None:
    """Failing sweeps draw red bars and strips, healthy ones green strips, pending a blue line."""
    _, _, colours = decode(history_chart_png(history(48)))
    assert {FAILED, PENDING, VERDICT["ok"], VERDICT["failure"], VERDICT["warning"]} <= colours
    _, _, healthy = decode(history_chart_png([row(verdict="ok", at=15 * i) for i in range(48)]))
    assert VERDICT["ok"] in healthy and FAILED not in healthy and VERDICT["failure"] not in healthy


def test_chart_handles_all_zero_errors_and_huge_counts() -> None:
    """All-zero counts, error sweeps, unknown verdicts and 10^12 records still draw."""
    rows = [row(verdict="error"), row(verdict="???"), row(failed=10**12, pending=1, verdict="failure")]
    _, _, colours = decode(history_chart_png(rows))
    assert VERDICT["error"] in colours and FAILED in colours
    zero = [row(verdict="ok") for _ in range(5)]
    assert decode(history_chart_png(zero))[:2] == (800, 300)


def test_chart_with_more_sweeps_than_pixels() -> None:
    """Thousands of sweeps on a small chart keep the newest and stay small."""
    png = history_chart_png(history(2000), width=120, height=60)
    assert decode(png)[:2] == (120, 60)


def test_chart_refuses_silly_sizes() -> None:
    """A zero or enormous size is a ValueError, not a memory blow-up."""
    for width, height in [(0, 300), (800, 0), (100_000, 300), (800, 100_000)]:
        with pytest.raises(ValueError):
            history_chart_png([], width=width, height=height)


@pytest.mark.parametrize("name", HOSTILE)
def test_history_for_hostile_names(name: str) -> None:
    """Hostile task names and verdict strings stay inert in the message and clean in alt text."""
    rows: list[VerdictRow] = [replace(r, task_id=name, verdict=name or "ok") for r in history(30)]
    assert_safe(history_message(name, rows, now=NOW))
    alt = history_alt_text(name, rows)
    assert 0 < len(alt) <= 1000
    assert "\n" not in alt and "\x00" not in alt and "\u202e" not in alt
    assert decode(history_chart_png(rows, width=200, height=80))[:2] == (200, 80)
