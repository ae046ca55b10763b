"""Small server-side SVG charts: bars (with an optional cumulative line), horizontal bars,
small run charts (values in order with their limits) and small scatter plots (one quantity
against another).

Plain strings of SVG markup, no JavaScript and no style attributes (the CSP
allows neither); every label is escaped. Readable at a glance and printable.
"""

import math
from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from archive_site.lib.numbers import plain

BAR = "#1f4e79"
LINE = "#b3261e"
GRID = "#d8dee5"
INK = "#1d2733"
MUTED = "#5c6b7a"


def _fmt(value):
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if value >= 100 or value == int(value):
            return f"{value:,.0f}"
        return f"{value:,.1f}"
    return f"{value:,}"


def _tooltip(label, value, unit):
    """What pointing at a bar shows: its label and value, in the reader's language."""
    text = gettext("%(label)s：%(value)s%(unit)s") % {"label": label, "value": _fmt(value), "unit": unit}
    return escape(text)


def _nice_max(value):
    """A round axis maximum at or above `value`."""
    value = float(value or 0)
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(value, whole):
    """The left axis: its maximum and the values of its grid lines (at most five, from 0).

    `whole`: the values are counts, so every tick is a whole number (no "0.2 次").
    """
    top = _nice_max(value)
    if not whole:
        return top, [top * i / 4 for i in range(5)]
    top = max(1, math.ceil(float(value or 0)))
    if top <= 4:
        return top, list(range(top + 1))
    step = math.ceil(_nice_max(top) / 4)
    return step * 4, [step * i for i in range(5)]


def _whole(values):
    """Whether the values are counts (integers as given), not measures."""
    return all(isinstance(v, int) or v is None for v in values)


def _svg(width, height, title, body):
    """The chart as markup a template shows as is: every text in `body` is escaped where it is
    drawn (`_text`, titles), so callers need no mark_safe of their own."""
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _text(x, y, text, *, size=11, anchor="start", fill=INK, extra=""):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(str(text))}</text>"
    )


def _short(label, n):
    label = str(label)
    return label if len(label) <= n else label[: n - 1] + "…"


def bar_chart(items, *, title, unit="", cumulative=False, width=760, height=280):
    """Vertical bars of (label, value) pairs, in the given order.

    `cumulative=True` adds the Pareto line: cumulative share in % on a right axis.
    """
    whole = _whole(value for _label, value in items)
    items = [(str(label), float(value or 0)) for label, value in items]
    if not items:
        return ""
    left, right, top, bottom = 56, 44 if cumulative else 16, 24, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, ticks = _ticks(max(v for _, v in items), whole)
    slot = plot_w / len(items)
    bar_w = max(2.0, slot * 0.7)
    parts = []
    for tick in ticks:  # grid lines and left axis labels
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">'
            f"{escape(_fmt(tick))}</text>"
        )
    if unit:
        parts.append(_text(left - 6, top - 10, unit, anchor="end", fill=MUTED))
    rotate = len(items) > 12
    chars = 4 if rotate else max(2, int(slot / 12))
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top_value
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{_tooltip(label, value, unit)}</title></rect>"
        )
        if not rotate and value:
            parts.append(_text(x + bar_w / 2, y - 4, _fmt(value), anchor="middle"))
        cx, cy = left + slot * i + slot / 2, top + plot_h + 16
        if rotate:
            parts.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="end" fill="{INK}" '
                f'transform="rotate(-45 {cx:.1f} {cy:.1f})">{escape(_short(label, 10))}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="12" text-anchor="middle" fill="{INK}">'
                f"{escape(_short(label, chars))}</text>"
            )
    if cumulative:
        total = sum(v for _, v in items) or 1
        running, points = 0.0, []
        for i, (_, value) in enumerate(items):
            running += value
            share = running / total
            points.append((left + slot * i + slot / 2, top + plot_h - plot_h * share))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"/>')
        for i in range(5):
            y = top + plot_h - plot_h * i / 4
            parts.append(
                f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" font-size="11" fill="{LINE}">{25 * i}%</text>'
            )
        y80 = top + plot_h * 0.2
        parts.append(
            f'<line x1="{left}" y1="{y80:.1f}" x2="{left + plot_w}" y2="{y80:.1f}" stroke="{LINE}" '
            f'stroke-dasharray="4 4" stroke-width="1"/>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>'
    )
    return _svg(width, height, title, "".join(parts))


def hbar_chart(items, *, title, unit="", width=760, bar_height=22):
    """Horizontal bars of (label, value) pairs, largest first as given (e.g. claims by customer)."""
    items = [(str(label), float(value or 0)) for label, value in items]
    if not items:
        return ""
    left, right, top = 200, 90, 8
    height = top * 2 + bar_height * len(items)
    plot_w = width - left - right
    top_value = _nice_max(max(v for _, v in items))
    parts = []
    for i, (label, value) in enumerate(items):
        y = top + bar_height * i
        w = plot_w * value / top_value
        parts.append(_text(left - 8, y + bar_height * 0.7, _short(label, 16), size=12, anchor="end"))
        parts.append(
            f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{bar_height - 6}" fill="{BAR}">'
            f"<title>{_tooltip(label, value, unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{left + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" fill="{INK}">'
            f"{escape(_fmt(value))}{escape(unit)}</text>"
        )
    return _svg(width, height, title, "".join(parts))


def run_chart(
    values, *, title, target=None, lower=None, upper=None, first="", last="", width=320, height=120
):
    """A small control chart: `values` in run order as a line of points, the limits and target drawn.

    Points outside [lower, upper] are red (class "out"); `first`/`last` label the
    ends of the time axis (e.g. the first and last production dates).
    """
    marks = [float(v) for v in values]
    if not marks:
        return ""
    refs = [float(x) for x in (lower, upper, target) if x is not None]
    low, high = min(marks + refs), max(marks + refs)
    if high == low:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.08
    low, high = low - margin, high + margin
    left, right, top, bottom = 6, 6, 14, 16 if (first or last) else 6
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v):
        return top + (high - float(v)) / (high - low) * plot_h

    step = plot_w / max(len(marks) - 1, 1)
    points = [(left + i * step if len(marks) > 1 else left + plot_w / 2, y(v)) for i, v in enumerate(marks)]
    parts = [
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" stroke="{GRID}"/>',
    ]
    for name, value, colour, dash in (
        ("upper", upper, LINE, "4 3"),
        ("lower", lower, LINE, "4 3"),
        ("target", target, "#2e7d32", "2 2"),
    ):
        if value is not None:
            parts.append(
                f'<line class="chart-{name}" x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="{dash}"/>'
            )
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="1.2"/>')
    for (px, py), value, raw in zip(points, marks, values, strict=True):
        out = (lower is not None and value < float(lower)) or (upper is not None and value > float(upper))
        parts.append(
            f'<circle class="chart-point{" out" if out else ""}" cx="{px:.1f}" cy="{py:.1f}" r="3" '
            f'fill="{LINE if out else BAR}"><title>{escape(_plain(raw))}</title></circle>'
        )
    parts.append(_text(3, 11, f"{high:.4g}", size=9, fill=MUTED))
    parts.append(_text(3, top + plot_h - 2, f"{low:.4g}", size=9, fill=MUTED))
    if first or last:
        parts.append(_text(left, height - 4, first, size=9, fill=MUTED))
        parts.append(_text(left + plot_w, height - 4, last, size=9, anchor="end", fill=MUTED))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="run-chart">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def _plain(value):
    """700.0000 → 700, 1.2500 → 1.25, 0.1234567 → 0.1235."""
    return plain(value, 4) if isinstance(value, float) else plain(value)


def scatter_chart(
    points,
    *,
    title,
    x_label="",
    y_label="",
    x_limits=(None, None),
    y_limits=(None, None),
    note="",
    trend=None,
    width=260,
    height=200,
):
    """A small scatter plot of (x, y) pairs: how one quantity goes with another.

    `x_limits`/`y_limits`: (lower, upper) drawn as dashed lines; points outside `y_limits`
    are red (class "out"). `trend`: (slope, intercept) of a fitted line, drawn across the
    plot. `note`: a short text top right (e.g. "r = 0.62, n = 48").
    """
    pts = [(float(x), float(y)) for x, y in points]
    if not pts:
        return ""
    left, right, top, bottom = 38, 8, 18, 30

    def span(values, limits):
        refs = [float(v) for v in limits if v is not None]
        low, high = min(values + refs), max(values + refs)
        if high == low:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.06
        return low - pad, high + pad

    x0, x1 = span([x for x, _ in pts], x_limits)
    y0, y1 = span([y for _, y in pts], y_limits)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x):
        return left + (x - x0) / (x1 - x0) * plot_w

    def sy(y):
        return top + (y1 - y) / (y1 - y0) * plot_h

    parts = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="{GRID}"/>',
    ]
    for value in x_limits:
        if value is not None:
            x = sx(float(value))
            parts.append(
                f'<line class="chart-limit" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                f'stroke="{LINE}" stroke-dasharray="4 3"/>'
            )
    for value in y_limits:
        if value is not None:
            y = sy(float(value))
            parts.append(
                f'<line class="chart-limit" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{LINE}" stroke-dasharray="4 3"/>'
            )
    if trend is not None:
        slope, intercept = trend
        lo, hi = x0, x1  # the part of the line inside the plot
        if slope:
            xa, xb = (y0 - intercept) / slope, (y1 - intercept) / slope
            lo, hi = max(x0, min(xa, xb)), min(x1, max(xa, xb))
        if lo < hi and y0 <= slope * (lo + hi) / 2 + intercept <= y1:
            parts.append(
                f'<line class="chart-trend" x1="{sx(lo):.1f}" x2="{sx(hi):.1f}" '
                f'y1="{sy(slope * lo + intercept):.1f}" y2="{sy(slope * hi + intercept):.1f}" '
                f'stroke="#2e7d32" stroke-width="1.2"/>'
            )
    low, high = y_limits
    for x, y in pts:
        out = (low is not None and y < float(low)) or (high is not None and y > float(high))
        parts.append(
            f'<circle class="chart-point{" out" if out else ""}" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" '
            f'fill="{LINE if out else BAR}" fill-opacity=".75"/>'
        )
    parts.append(_text(left, height - 4, f"{x0:.4g}", size=9, fill=MUTED))
    parts.append(_text(left + plot_w, height - 4, f"{x1:.4g}", size=9, anchor="end", fill=MUTED))
    parts.append(_text(left + plot_w / 2, height - 4, _short(x_label, 24), size=10, anchor="middle"))
    parts.append(_text(left - 3, top + 8, f"{y1:.4g}", size=9, anchor="end", fill=MUTED))
    parts.append(_text(left - 3, top + plot_h, f"{y0:.4g}", size=9, anchor="end", fill=MUTED))
    cy = top + plot_h / 2
    parts.append(
        f'<text x="10" y="{cy:.1f}" font-size="10" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 10 {cy:.1f})">{escape(_short(y_label, 18))}</text>'
    )
    if note:
        parts.append(_text(left + plot_w, 12, note, size=10, anchor="end"))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="scatter-chart">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
