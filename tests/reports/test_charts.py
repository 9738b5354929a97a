"""The server-drawn charts: round axes, bars to scale, text escaped, an accessible name."""

from __future__ import annotations

from reports import charts


def test_the_axis_has_four_whole_steps_reaching_the_largest_value():
    assert charts.nice_ceiling(0) == 4 and charts.nice_ceiling(3) == 4
    assert charts.nice_ceiling(50) == 60  # steps of 15
    assert charts.nice_ceiling(41) == 60
    assert charts.nice_ceiling(1234) == 1600  # steps of 400
    for value in (7, 13, 99, 250, 12_345):
        top = charts.nice_ceiling(value)
        assert top >= value and top % 4 == 0


def test_bars_are_to_scale_and_labelled():
    chart = charts.bar_chart(["a", "b"], [10, 5])
    full, half = chart.bars
    assert half["height"] * 2 == full["height"]
    assert full["y"] + full["height"] == chart.plot_bottom
    assert [g["label"] for g in chart.gridlines] == ["0", "3", "6", "9", "12"]
    assert full["label"] == "a: 10"


def test_the_svg_has_a_title_a_description_and_escapes_text():
    chart = charts.bar_chart(["<b>"], [1])
    svg = charts.svg(chart, id="c", title="T & co", summary="<script>")
    assert svg.startswith('<svg class="chart-svg"') and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">T &amp; co</title>' in svg
    assert "<script>" not in svg and "&lt;b&gt;" in svg


def test_a_line_chart_has_a_point_per_day_and_few_labels():
    labels = [f"d{i}" for i in range(90)]
    chart = charts.line_chart(labels, [("Opened", "series-opened", list(range(90)))])
    assert len(chart.lines[0]["dots"]) == 90
    assert len(chart.xlabels) <= 6
