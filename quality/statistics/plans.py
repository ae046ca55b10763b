"""Set vs actual on the plan page: one table per line with out-of-limit values flagged, a
summary per parameter (mean, spread, Cpk, values out of limits) and its SVG run chart; what
came out of the line — each measured property against the demand's limits with its Cpk —
and how each process parameter goes with each property (a scatter chart per pair, with the
correlation).

The aggregates over all runs come from `PlanRevision.statistics()` and
`property_statistics()`; the tables and charts show the latest `RUNS_SHOWN` runs, the
relations the latest `RELATION_COILS` coils with measured properties.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import mark_safe

from archive_site.lib.charts import run_chart, scatter_chart
from quality.models import CPK_MIN_SAMPLE, RunProperty, RunValue

RUNS_SHOWN = 200  # the set-vs-actual table and the charts show the latest runs; statistics count all
RELATION_COILS = 150  # the scatter charts pair the values of the latest coils with measured properties


@dataclass
class Cell:
    value: Decimal | None
    out: bool = False
    direction: str = ""  # "↑" above the upper limit, "↓" below the lower


@dataclass
class LineTable:
    line: object
    parameters: list
    rows: list = field(default_factory=list)  # (run, [Cell per parameter])


def set_vs_actual(parameters, runs, values):
    """One table per line: its parameters as columns, its runs as rows, out-of-limit cells flagged.

    `values`: RunValue rows of `runs` (any order).
    """
    by_run = {}
    for v in values:
        by_run.setdefault(v.run_id, {})[v.parameter_id] = v.value
    tables = {}
    for p in parameters:
        tables.setdefault(p.line_id, LineTable(p.line, []))
        tables[p.line_id].parameters.append(p)
    for run in runs:
        table = tables.get(run.line_id)
        if table is None:
            continue
        got = by_run.get(run.pk, {})
        cells = []
        for p in table.parameters:
            value = got.get(p.pk)
            out = p.is_out(value)
            direction = ("↑" if p.upper is not None and value > p.upper else "↓") if out else ""
            cells.append(Cell(value, out, direction))
        table.rows.append((run, cells))
    return list(tables.values())


@dataclass
class Summary:
    parameter: object
    count: int = 0
    mean: float | None = None
    sd: float | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    cpk: float | None = None
    out: int = 0
    chart: str = ""

    @property
    def capable(self):
        return self.cpk is not None and self.cpk >= 1.33

    @property
    def reliable(self):
        """Enough values for the Cpk to mean much (`CPK_MIN_SAMPLE`); below, it is marked."""
        return self.count >= CPK_MIN_SAMPLE


def summaries(parameters, stats, values, runs):
    """Per parameter: the statistics and out-of-limit count over all runs, and a chart of the latest runs."""
    order = {run.pk: i for i, run in enumerate(runs)}
    dates = {run.pk: run.produced_on for run in runs}
    series = {}
    for v in sorted(values, key=lambda v: order.get(v.run_id, 0)):
        series.setdefault(v.parameter_id, []).append((v.value, dates.get(v.run_id)))
    result = []
    for p in parameters:
        s = stats.get(p.pk)
        points = series.get(p.pk, [])
        summary = Summary(p, chart=chart(p, points))
        if s:
            summary.count, summary.min, summary.max = s.count, s.min, s.max
            summary.mean = float(s.mean) if s.mean is not None else None
            summary.sd = float(s.sd) if s.sd is not None else None
            summary.cpk = s.cpk(p.lower, p.upper)
            summary.out = s.out
        result.append(summary)
    return result


def chart(parameter, points):
    """The SVG run chart of one parameter: (value, production date) in run order, limits and target."""
    if not points:
        return ""
    first, last = points[0][1], points[-1][1]
    return mark_safe(  # built by run_chart, every label escaped
        run_chart(
            [value for value, _day in points],
            title=str(parameter),
            target=parameter.target,
            lower=parameter.lower,
            upper=parameter.upper,
            first=f"{first:%m-%d}" if first else "",
            last=f"{last:%m-%d}" if last and len(points) > 1 else "",
        )
    )


@dataclass
class PropertySummary(Summary):
    """A measured property against the demand's limits (`parameter` is its DemandProperty row)."""

    @property
    def lower(self):
        return self.parameter.min_value

    @property
    def upper(self):
        return self.parameter.max_value


def property_summaries(limits, stats, runs, measured):
    """Per property the demand requires: its statistics over all runs (`stats`, from
    `PlanRevision.property_statistics`) and a run chart of the latest `runs`' values.

    `measured`: RunProperty rows of `runs`.
    """
    order = {run.pk: i for i, run in enumerate(runs)}
    series = {}
    for m in sorted(measured, key=lambda m: order.get(m.run_id, 0)):
        series.setdefault(m.property_id, []).append(m.value)
    result = []
    for pid, row in (limits or {}).items():
        s = stats.get(pid)
        values = series.get(pid, [])
        summary = PropertySummary(row)
        if values:
            summary.chart = mark_safe(  # built by run_chart, every label escaped
                run_chart(values, title=str(row.property), lower=row.min_value, upper=row.max_value)
            )
        if s:
            summary.count, summary.min, summary.max = s.count, s.min, s.max
            summary.mean = float(s.mean) if s.mean is not None else None
            summary.sd = float(s.sd) if s.sd is not None else None
            summary.cpk = s.cpk(row.min_value, row.max_value)
            summary.out = s.out
        result.append(summary)
    return result


def correlation(pairs):
    """Pearson's r of (x, y) pairs and the least-squares line (slope, intercept); None, None when
    it cannot be computed (fewer than three pairs, or no spread)."""
    n = len(pairs)
    if n < 3:
        return None, None
    xs, ys = [float(x) for x, _ in pairs], [float(y) for _, y in pairs]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    if not sxx or not syy:
        return None, None
    slope = sxy / sxx
    return sxy / math.sqrt(sxx * syy), (slope, my - slope * mx)


@dataclass
class Relation:
    parameter: object
    limits: object  # DemandProperty
    n: int = 0
    r: float | None = None
    chart: str = ""

    @property
    def strength(self):
        """ "strong" (|r| ≥ 0.7), "moderate" (≥ 0.4), "weak", or "" without an r."""
        if self.r is None:
            return ""
        return "strong" if abs(self.r) >= 0.7 else "moderate" if abs(self.r) >= 0.4 else "weak"


def relations(revision, parameters, limits):
    """How each process parameter goes with each measured property, over the latest
    `RELATION_COILS` coils whose properties were measured: values paired by coil number
    (a coil's parameters come from its runs on every line). Two queries.

    Returns [(DemandProperty, [Relation per parameter])].
    """
    if not limits or not parameters:
        return []
    measured = (
        RunProperty.objects.filter(run__revision=revision, property__in=list(limits))
        .order_by("-run__produced_on", "-run_id")
        .values_list("run__coil_number", "property", "value")
    )
    by_coil = {}
    for coil, pid, value in measured:
        if coil not in by_coil and len(by_coil) >= RELATION_COILS:
            continue
        by_coil.setdefault(coil, {}).setdefault(pid, value)
    if not by_coil:
        return []
    actual = {}
    values = RunValue.objects.filter(run__revision=revision, run__coil_number__in=list(by_coil)).values_list(
        "run__coil_number", "parameter", "value"
    )
    for coil, parameter, value in values:
        actual.setdefault(coil, {})[parameter] = value
    result = []
    for pid, row in limits.items():
        cells = []
        for p in parameters:
            pairs = [
                (actual[coil][p.pk], props[pid])
                for coil, props in by_coil.items()
                if pid in props and p.pk in actual.get(coil, {})
            ]
            r, trend = correlation(pairs)
            relation = Relation(p, row, len(pairs), r)
            if pairs:
                note = f"r = {r:.2f}, n = {len(pairs)}" if r is not None else f"n = {len(pairs)}"
                relation.chart = mark_safe(  # built by scatter_chart, every label escaped
                    scatter_chart(
                        pairs,
                        title=f"{p.parameter} × {row.property}",
                        x_label=f"{p.line} · {p.parameter}",
                        y_label=str(row.property),
                        x_limits=(p.lower, p.upper),
                        y_limits=(row.min_value, row.max_value),
                        trend=trend,
                        note=note,
                    )
                )
            cells.append(relation)
        result.append((row, cells))
    return result


@dataclass
class Outcome:
    """What came out of one run: measured properties (flagged against the demand's limits),
    surface grade, judgement result, and the objections that name its coil."""

    run: object
    cells: list  # Cell per required property
    objections: list  # (number, pk)

    @property
    def bad(self):
        return (
            self.run.result in ("stock", "agreement")
            or any(c.out for c in self.cells)
            or bool(self.objections)
        )


def outcomes(runs, limits, measured, objections):
    """The latest runs that recorded an outcome or whose coil an objection names, newest first.

    `measured`: RunProperty rows of `runs`; `objections`: {coil number: [(number, pk)]}.
    """
    by_run = {}
    for m in measured:
        by_run.setdefault(m.run_id, {})[m.property_id] = m.value
    rows = []
    for run in reversed(runs):
        got = by_run.get(run.pk, {})
        named = objections.get(run.coil_number, [])
        if not (got or run.result or run.surface_grade_id or named):
            continue
        cells = []
        for pid, row in (limits or {}).items():
            value = got.get(pid)
            low, high = row.min_value, row.max_value
            above = value is not None and high is not None and value > high
            below = value is not None and low is not None and value < low
            cells.append(Cell(value, above or below, "↑" if above else "↓" if below else ""))
        rows.append(Outcome(run, cells, named))
    return rows
