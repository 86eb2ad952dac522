"""Chart pictures for the Word bulletin, drawn as PNG without a plotting library.

The image (matplotlib, Pillow) stack is not part of the project's environment, and a bulletin
chart needs little: axes, value gridlines, two series as bars or straight lines. The words (title,
legend, category names) are in the caption and the table beside each chart, in the document's
own fonts, so the picture carries no text. Same values, same bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

WIDTH, HEIGHT = 1200, 560
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 40
COLOURS = ((0x44, 0x72, 0xC4), (0xC0, 0x50, 0x4D))  # 蓝 this year, 红 last year
GRID, AXIS = (0xD9, 0xD9, 0xD9), (0x40, 0x40, 0x40)


class Canvas:
    def __init__(self, width: int = WIDTH, height: int = HEIGHT):
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        x0, x1 = sorted((max(0, x0), min(self.width - 1, x1)))
        y0, y1 = sorted((max(0, y0), min(self.height - 1, y1)))
        row = bytes(colour) * (x1 - x0 + 1)
        for y in range(y0, y1 + 1):
            start = (y * self.width + x0) * 3
            self.pixels[start:start + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int], thickness: int = 3) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        half = thickness // 2
        for step in range(steps + 1):
            x = round(x0 + (x1 - x0) * step / steps)
            y = round(y0 + (y1 - y0) * step / steps)
            self.rect(x - half, y - half, x + half, y + half, colour)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(self.pixels[y * self.width * 3:(y + 1) * self.width * 3])
                       for y in range(self.height))

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2 or 5 × 10ⁿ steps of five)."""
    if value <= 0:
        return 5.0
    step = value / 5
    magnitude = 10 ** len(str(int(step))) / 10 if step >= 1 else 1
    for factor in (1, 2, 5, 10):
        if step <= factor * magnitude:
            return 5 * factor * magnitude
    return 5 * 10 * magnitude


def chart_png(kind: str, series: Sequence[Sequence[float]]) -> bytes:
    """A bar (``kind`` "bar") or straight-line chart of up to two series over the same categories."""
    canvas = Canvas()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max((max(values, default=0) for values in series), default=0))
    for index in range(6):  # value gridlines, the axis at the bottom
        y = TOP + plot_h - round(plot_h * index / 5)
        canvas.rect(LEFT, y, LEFT + plot_w, y, AXIS if index == 0 else GRID)
    canvas.rect(LEFT, TOP, LEFT, TOP + plot_h, AXIS)
    count = max((len(values) for values in series), default=0)
    if not count:
        return canvas.png()
    slot = plot_w / count

    def y_of(value: float) -> int:
        return TOP + plot_h - round(plot_h * max(value, 0) / top)

    for position in range(count):  # category ticks
        x = LEFT + round(slot * (position + 0.5))
        canvas.rect(x, TOP + plot_h, x, TOP + plot_h + 6, AXIS)
    for number, values in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        if kind == "bar":
            bar = max(2, round(slot * 0.35))
            for position, value in enumerate(values):
                x = LEFT + round(slot * (position + 0.5)) + (number - len(series) / 2) * bar
                canvas.rect(round(x), y_of(value), round(x) + bar - 2, TOP + plot_h - 1, colour)
        else:
            points = [(LEFT + round(slot * (p + 0.5)), y_of(v)) for p, v in enumerate(values)]
            for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
                canvas.line(x0, y0, x1, y1, colour)
            for x, y in points:
                canvas.rect(x - 5, y - 5, x + 5, y + 5, colour)
    return canvas.png()
