"""``/dms history <task>`` as a picture: a small PNG drawn with the standard library only.

One slot per sweep, oldest left and the newest at the right edge: a red bar for failed records, a blue line with dots for pending
records (both on one log scale, so 3 and 30,000 are both visible), and under each slot a strip in
the sweep's verdict colour. Light gridlines mark 1, 10, 100 … records. There is no text in the
image: the numbers go beside it in the message (:func:`history_message`), which also gives the
alt text (:func:`history_alt_text`).
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence

from bot.core.records import VerdictRow
from bot.render.history import history_alt_text, history_message

__all__ = ["history_alt_text", "history_chart_png", "history_message"]

RGB = tuple[int, int, int]

BACKGROUND: RGB = (255, 255, 255)
GRID: RGB = (228, 230, 235)
AXIS: RGB = (110, 115, 125)
FAILED: RGB = (214, 39, 40)
PENDING: RGB = (31, 119, 180)
VERDICT: dict[str, RGB] = {
    "ok": (44, 160, 44),
    "warning": (245, 166, 35),
    "failure": (214, 39, 40),
    "error": (140, 140, 140),
}
UNKNOWN: RGB = (200, 200, 200)

MIN_SIZE = (64, 48)
MAX_SIZE = (4000, 2000)
MIN_SLOT = 3  # pixels per sweep; older sweeps that do not fit are left out
MIN_SLOTS = 12  # a short history gets bars of a normal width, not one bar across the chart


class Canvas:
    """An RGB pixel buffer with the three drawing operations a bar chart needs."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(BACKGROUND) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: RGB) -> None:
        """Fills ``[x0, x1) x [y0, y1)``, clipped to the canvas."""
        x0, x1 = max(x0, 0), min(x1, self.width)
        y0, y1 = max(y0, 0), min(y1, self.height)
        if x0 >= x1:
            return
        run = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(run)] = run

    def line(self, a: tuple[int, int], b: tuple[int, int], color: RGB, thickness: int = 2) -> None:
        """A straight line of square dots from ``a`` to ``b``."""
        (x0, y0), (x1, y1) = a, b
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            self.rect(x, y, x + thickness, y + thickness, color)

    def png(self) -> bytes:
        """The canvas as a PNG: 8-bit RGB, filter byte 0 on every row, one zlib stream."""
        stride = self.width * 3
        raw = b"".join(b"\x00" + self.pixels[y * stride : (y + 1) * stride] for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join(
            [
                b"\x89PNG\r\n\x1a\n",
                _chunk(b"IHDR", header),
                _chunk(b"IDAT", zlib.compress(raw, 9)),
                _chunk(b"IEND", b""),
            ]
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _scale(value: int, top: int) -> float:
    """0..1 on a log scale where ``top`` maps to 1; everything is 0 when ``top`` is 0."""
    if top <= 0 or value <= 0:
        return 0.0
    return min(math.log10(1 + value) / math.log10(1 + top), 1.0)


def _gridlines(canvas: Canvas, left: int, right: int, base: int, plot_h: int, top: int) -> None:
    """A light line at every power of ten up to ``top`` (skipped when they would crowd)."""
    power = 1
    last_y = base
    while top and power <= top:
        y = base - round(_scale(power, top) * plot_h)
        if last_y - y >= 6:
            canvas.rect(left, y, right, y + 1, GRID)
            last_y = y
        power *= 10


def history_chart_png(rows: Sequence[VerdictRow], *, width: int = 800, height: int = 300) -> bytes:
    """A bar chart of ``rows`` (oldest first, as ``Store.task_history`` returns them) as PNG bytes.

    Raises ValueError for a size outside 64x48 … 4000x2000. An empty history gives empty axes.
    """
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ValueError(f"chart size must be within {MIN_SIZE} and {MAX_SIZE}, got {(width, height)}")
    canvas = Canvas(width, height)
    strip = max(4, height // 30)
    left, right, top_margin = 10, width - 10, 10
    base = height - 8 - strip - 3  # the x axis; the verdict strip sits 3 px below it
    plot_w, plot_h = right - left - 1, base - top_margin
    shown = list(rows)[-max(plot_w // MIN_SLOT, 1) :]
    top = max([r.failed_records for r in shown] + [r.pending_records for r in shown] + [0])
    _gridlines(canvas, left + 1, right, base, plot_h, top)
    slot = plot_w / max(len(shown), MIN_SLOTS)
    pad = max(1, round(slot * 0.15)) if slot >= 4 else 0
    start = right - len(shown) * slot  # right-aligned: the newest sweep is always at the right edge
    points: list[tuple[int, int]] = []
    for i, row in enumerate(shown):
        x0, x1 = round(start + i * slot), round(start + (i + 1) * slot)
        bar = round(_scale(row.failed_records, top) * plot_h)
        canvas.rect(x0 + pad, base - bar, x1 - pad, base, FAILED)
        canvas.rect(
            x0 + min(pad, 1), base + 3, x1 - min(pad, 1), base + 3 + strip, VERDICT.get(row.verdict, UNKNOWN)
        )
        points.append(((x0 + x1) // 2, base - round(_scale(row.pending_records, top) * plot_h)))
    for a, b in itertools.pairwise(points):
        canvas.line(a, b, PENDING)
    for x, y in points if slot >= 8 else []:  # dots only where they do not merge into a band
        canvas.rect(x - 2, y - 2, x + 3, y + 3, PENDING)
    canvas.rect(left, top_margin, left + 1, base + 1, AXIS)  # y axis
    canvas.rect(left, base, right, base + 1, AXIS)  # x axis
    return canvas.png()
