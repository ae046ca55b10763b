"""Set vs actual on the plan page: one table per line with out-of-limit values flagged, a
summary per parameter (mean, spread, Cpk, values out of limits) and its SVG run chart.

The aggregates over all runs come from `PlanRevision.statistics()`; the tables and
charts show the latest `RUNS_SHOWN` runs.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import mark_safe

from archive_site.lib.charts import run_chart

RUNS_SHOWN = 200  # the set-vs-actual table and the charts show the latest runs; statistics count all


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
