"""Server-drawn SVG charts: the geometry of bar and line charts, as plain data for the template.

The template (reports/_bar_chart.html, _line_chart.html) only draws what
is computed here; numbers on the axes are formatted in the page's language.
No script runs: the charts are in the page as it is served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format

WIDTH = 720
HEIGHT = 240
LEFT = 48  # room for the y-axis labels
RIGHT = 12
TOP = 12
BOTTOM = 32  # room for the x-axis labels


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above `value` (at least 1): the top of the y axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover  (the loop always returns)


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    gridlines: list[dict] = field(default_factory=list)
    xlabels: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    # One per series: {"name", "css", "points": "x,y x,y ...", "dots": [{"x","y","label"}]}
    lines: list[dict] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def _axis(chart: Chart, top_value: int) -> float:
    """Draw four gridlines up to `top_value`; the pixels per unit."""
    plot_height = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top_value * i / 4
        y = HEIGHT - BOTTOM - plot_height * i / 4
        label = number_format(value, 0 if value == int(value) else 1, force_grouping=True)
        chart.gridlines.append({"y": round(y, 1), "label": label})
    return plot_height / top_value


def bar_chart(labels: list[str], values: list[int], *, label_every: int = 1) -> Chart:
    """One bar per value; every `label_every`-th label written under its bar."""
    chart = Chart()
    scale = _axis(chart, nice_ceiling(max(values, default=0)))
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    width = max(slot * 0.7, 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + slot * i + (slot - width) / 2
        height = value * scale
        chart.bars.append(
            {
                "x": round(x, 1),
                "y": round(HEIGHT - BOTTOM - height, 1),
                "width": round(width, 1),
                "height": round(height, 1),
                "label": f"{label}: {number_format(value, 0, force_grouping=True)}",
            }
        )
        if i % label_every == 0:
            chart.xlabels.append({"x": round(LEFT + slot * i + slot / 2, 1), "text": label})
    return chart


def line_chart(labels: list[str], series: list[tuple[str, str, list[int]]]) -> Chart:
    """One line per (name, css class, values) over the same labels; about 10 labels under the axis."""
    chart = Chart()
    top = max((max(values, default=0) for _name, _css, values in series), default=0)
    scale = _axis(chart, nice_ceiling(top))
    count = len(labels)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    every = max(1, math.ceil(count / 10))
    for i, label in enumerate(labels):
        if i % every == 0:
            chart.xlabels.append({"x": round(LEFT + step * i, 1), "text": label})
    for name, css, values in series:
        points = []
        dots = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            x, y = round(LEFT + step * i, 1), round(HEIGHT - BOTTOM - value * scale, 1)
            points.append(f"{x},{y}")
            dots.append(
                {
                    "x": x,
                    "y": y,
                    "label": f"{name}, {label}: {number_format(value, 0, force_grouping=True)}",
                }
            )
        chart.lines.append({"name": name, "css": css, "points": " ".join(points), "dots": dots})
    return chart
