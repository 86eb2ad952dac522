"""The page's trend charts as plain geometry; ``templates/charts.html`` draws them as inline SVG.

Server-side and self-contained: no script, no web font, no CDN, so the page works offline. A
value of None ("no data") leaves a gap in a line and no bar, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 110, 28, 36


@dataclass
class Series:
    label: str
    values: list[int | Decimal | None]
    css: str  # colour class in page.css


@dataclass
class Chart:
    id: str
    title: str
    unit: str
    categories: list[str]
    series: list[Series]
    kind: str = "line"  # line | bar
    target: int | None = None  # a horizontal goal line (e.g. 3 risk warnings)
    width: int = WIDTH
    height: int = HEIGHT
    ticks: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    target_y: float | None = None
    x_labels: list[dict] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def layout(chart: Chart) -> Chart:
    """Fill in the chart's coordinates: axis ticks, one polyline (with gaps) per series or the bars."""
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    top = _nice_max(max(values + [chart.target or 0, 0]))
    plot_w, plot_h = chart.width - LEFT - RIGHT, chart.height - TOP - BOTTOM
    count = max(len(chart.categories), 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    chart.ticks = [{"y": y(top * i / 4), "label": _fmt(top * i / 4)} for i in range(5)]
    slot = plot_w / count
    chart.x_labels = [{"x": round(LEFT + slot * (i + 0.5), 1), "label": label}
                      for i, label in enumerate(chart.categories)]
    if chart.target is not None:
        chart.target_y = y(chart.target)
    if chart.kind == "line":
        for s in chart.series:
            runs, current = [], []
            for i, value in enumerate(s.values):
                if value is None:
                    if current:
                        runs.append(current)
                    current = []
                    continue
                current.append((round(LEFT + slot * (i + 0.5), 1), y(float(value)),
                                f"{chart.categories[i]}：{_fmt(float(value))}"))
            if current:
                runs.append(current)
            chart.lines.append({"series": s, "runs": [{"points": " ".join(f"{x},{yy}" for x, yy, _ in run),
                                                        "dots": run} for run in runs]})
    else:
        width = slot * 0.8 / max(len(chart.series), 1)
        for j, s in enumerate(chart.series):
            for i, value in enumerate(s.values):
                if value is None:
                    continue
                top_y = y(float(value))
                chart.bars.append({"series": s, "x": round(LEFT + slot * (i + 0.1) + width * j, 1), "y": top_y,
                                   "w": round(width, 1), "h": round(TOP + plot_h - top_y, 1),
                                   "label": _fmt(float(value)),
                                   "short": chart.target is not None and value < chart.target})
    return chart
