"""Server-drawn SVG charts: the geometry of bar and line charts, as plain data for the template.

`svg()` writes the chart out (escaped, with a title and a text
alternative); numbers on the axes are formatted in the page's language.
No script runs: the charts are in the page as it is served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Small, so that the text stays readable when a phone shrinks the chart (reports.css).
WIDTH = 480
HEIGHT = 220
LEFT = 44  # room for the y-axis labels
RIGHT = 18
TOP = 12
BOTTOM = 28  # room for the x-axis labels
STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_step(value: float) -> int:
    """The gridline step for counts up to `value`: a round whole number, four steps reaching it."""
    quarter = value / 4
    if quarter <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(quarter))
    for step in STEPS:
        if step * magnitude >= quarter and float(step * magnitude).is_integer():
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover  (the loop always returns)


def nice_ceiling(value: float) -> int:
    """The top of the y axis: four whole gridline steps at or above `value` (at least 4)."""
    return 4 * nice_step(value)


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
        value = top_value * i // 4
        y = HEIGHT - BOTTOM - plot_height * i / 4
        label = number_format(value, 0, force_grouping=True)
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
    every = max(1, math.ceil(count / 6))
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


def svg(chart: Chart, *, id: str, title: str, summary: str) -> SafeString:
    """The chart as an accessible <svg role="img">: its title and its text alternative first."""
    left, bottom = chart.plot_left, chart.plot_bottom
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        (
            (left, chart.plot_right, g["y"], g["y"], left - 6, g["y"], g["label"])
            for g in chart.gridlines
        ),
    )
    bars = format_html_join(
        "",
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        ((b["x"], b["y"], b["width"], b["height"], b["label"]) for b in chart.bars),
    )
    lines = format_html_join(
        "",
        '<g class="{}"><polyline class="line" points="{}"></polyline>{}</g>',
        (
            (
                line["css"],
                line["points"],
                format_html_join(
                    "",
                    '<circle class="dot" cx="{}" cy="{}" r="3"><title>{}</title></circle>',
                    ((d["x"], d["y"], d["label"]) for d in line["dots"]),
                ),
            )
            for line in chart.lines
        ),
    )
    xlabels = format_html_join(
        "",
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x["x"], bottom + 18, x["text"]) for x in chart.xlabels),
    )
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" id="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}{}{}</svg>',
        chart.width,
        chart.height,
        id,
        id,
        id,
        id,
        title,
        id,
        summary,
        grid,
        bars,
        lines,
        xlabels,
    )
