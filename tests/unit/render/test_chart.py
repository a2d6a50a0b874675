"""The history chart: a real PNG of the set size whose plot area shows the data, for any input."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
import zlib
from dataclasses import replace

import pytest
from PIL import Image

from bot.core.records import VerdictRow
from bot.render.chart import (
    DPI,
    FAILED,
    HEIGHT,
    LAG_TARGET,
    PENDING,
    VERDICT,
    WIDTH,
    history_chart_png,
)
from tests.support.render.hostile import HOSTILE
from tests.support.render.sample_alerts import history, row

SIGNATURE = b"\x89PNG\r\n\x1a\n"
RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
# Regions of the 1200x600 image, inside the areas they name with margins so layout tweaks do not
# break them. PLOT stops above the zero line (where all-zero series lie) and BAND sits inside the strip.
PLOT: Box = (int(WIDTH * 0.15), int(HEIGHT * 0.2), int(WIDTH * 0.85), int(HEIGHT * 0.6))
BAND: Box = (int(WIDTH * 0.15), int(HEIGHT * 0.705), int(WIDTH * 0.85), int(HEIGHT * 0.735))
TITLE: Box = (0, 0, int(WIDTH * 0.3), int(HEIGHT * 0.055))  # the task id, top left


def realistic_history() -> list[VerdictRow]:
    """48 sweeps, ok then failing with growing failed records, pending draining, target lag rising."""
    return [
        replace(r, cdc_source_seconds=4.0, cdc_target_seconds=float(i * 90))
        for i, r in enumerate(history(48))
    ]


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC: the file is a well-formed PNG stream."""
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


def decode(png: bytes) -> Image.Image:
    found = chunks(png)
    assert found[0][0] == b"IHDR" and found[-1][0] == b"IEND"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def rgb(hex_colour: str) -> RGB:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def count(image: Image.Image, colour: str, box: Box, tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` (per channel) of ``colour`` inside ``box``."""
    want = rgb(colour)
    data = image.crop(box).tobytes()
    pixels = (data[i : i + 3] for i in range(0, len(data), 3))
    return sum(1 for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, want, strict=True)))


def test_a_realistic_history_is_a_png_of_the_set_size() -> None:
    """48 sweeps with failures, lag and a verdict change: a valid 1200x600 PNG under 200 KB."""
    png = history_chart_png(realistic_history(), task_id="orders-cdc", timezone="Europe/Paris")
    image = decode(png)
    assert image.size == (WIDTH, HEIGHT) == (8 * DPI, 4 * DPI)
    assert len(png) < 200_000


def test_the_plot_area_draws_each_series_and_the_verdicts() -> None:
    """Failed (red), pending (blue) and target lag (brown) lines are in the plot area; the strip
    under it starts green and ends red, as the history turns from ok to failure."""
    image = decode(history_chart_png(realistic_history(), task_id="orders-cdc"))
    assert count(image, FAILED, PLOT) > 300
    assert count(image, PENDING, PLOT) > 300
    assert count(image, LAG_TARGET, PLOT) > 100
    left, top, right, bottom = BAND
    middle = (left + right) // 2
    assert count(image, VERDICT["ok"], (left, top, middle, bottom)) > 1000
    assert count(image, VERDICT["failure"], (middle, top, right, bottom)) > 1000
    assert count(image, VERDICT["ok"], (middle + 20, top, right, bottom)) == 0


def test_a_healthy_history_has_no_failure_or_lag_ink() -> None:
    """All-zero counts and no lag: no red line, no lag line, an all-green strip (and no crash on
    a log axis full of zeros)."""
    rows = [row(verdict="ok", at=15 * i) for i in range(48)]
    image = decode(history_chart_png(rows, task_id="orders-cdc"))
    assert count(image, FAILED, PLOT) == 0
    assert count(image, LAG_TARGET, PLOT) == 0
    assert count(image, VERDICT["ok"], BAND) > 5000
    assert count(image, VERDICT["failure"], BAND) == 0


def test_one_sweep_draws_its_points() -> None:
    """A single sweep gets markers (a one-point line is otherwise invisible) and a verdict strip."""
    rows = [replace(row(verdict="failure", failed=12, pending=300), cdc_target_seconds=42.0)]
    image = decode(history_chart_png(rows, task_id="orders-cdc", timezone="Asia/Kolkata"))
    assert image.size == (WIDTH, HEIGHT)
    assert count(image, FAILED, PLOT) > 20
    assert count(image, PENDING, PLOT) > 20
    assert count(image, VERDICT["failure"], BAND) > 1000


def test_no_history_is_a_titled_empty_chart() -> None:
    """No sweeps: still an image of the set size, with the title and nothing in the plot area."""
    image = decode(history_chart_png([], task_id="orders-cdc"))
    assert image.size == (WIDTH, HEIGHT)
    assert count(image, "#000000", TITLE, tolerance=60) > 50
    assert count(image, FAILED, PLOT) == 0


def test_errors_unknown_verdicts_and_huge_counts_still_draw() -> None:
    """Error sweeps (grey), a verdict the chart does not know and 10^12 records render."""
    rows = [
        row(verdict="error", at=30),
        row(verdict="???", at=15),
        row(failed=10**12, pending=1, verdict="failure", at=0),
    ]
    image = decode(history_chart_png(rows, task_id="orders-cdc"))
    assert count(image, VERDICT["error"], BAND, tolerance=8) > 500
    assert count(image, FAILED, PLOT) > 50


def title_ink(task_id: str) -> int:
    return count(decode(history_chart_png(history(3), task_id=task_id)), "#000000", TITLE, tolerance=60)


def test_a_dollar_task_id_is_drawn_literally_not_as_mathtext() -> None:
    """As mathtext ``$x$`` would draw one italic x; drawn literally it has two dollar signs more."""
    assert title_ink("$x$") > 3 * title_ink("x") > 0


@pytest.mark.parametrize(
    "task_id", ["$x^2$", "$$", "$\\frac{1}{", "\\", "a\\b$c$d\\", "$" * 200, "{}^_%#&", *HOSTILE]
)
def test_hostile_task_ids_neither_crash_nor_warn(task_id: str) -> None:
    """Unbalanced mathtext, backslashes, emoji, RTL overrides, NULs: a chart, and no warning (a
    glyph the font lacks would otherwise warn on every draw)."""
    rows = [replace(r, task_id=task_id) for r in history(6)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = decode(history_chart_png(rows, task_id=task_id))
    assert image.size == (WIDTH, HEIGHT)


def test_an_unknown_timezone_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown time zone 'Mars/Olympus'"):
        history_chart_png(history(3), task_id="orders-cdc", timezone="Mars/Olympus")


def test_importing_the_render_layer_does_not_import_matplotlib() -> None:
    """matplotlib costs about half a second to import: only drawing a chart may pay it."""
    code = (
        "import sys, bot.render, bot.render.chart, bot.render.history, bot.slack.listeners.commands.history\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy', 'PIL')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
