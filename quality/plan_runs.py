"""Set vs actual: run tables, per-parameter summaries, SVG charts, and the Excel upload of runs."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site.excel import Column
from archive_site.lib.charts import run_chart
from imports import files
from imports.engine import NEW, UPDATE, Importer
from quality.resources import RunImport, value_header

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


# Excel -----------------------------------------------------------------------
#
# The upload of one revision's runs is the runs import (quality.resources.RunImport)
# pinned to that revision: the same columns, the same parsing and the same
# rules, checked and written in the request (one revision's runs are few).

FIXED_HEADERS = ("卷号", "生产日期", "生产线", "备注")


def parameter_header(p):
    return value_header(p.line, p.parameter)


def template_columns(parameters):
    """Columns of the upload template: the fixed ones, then one per planned parameter."""
    fixed = [Column(_(h), lambda r: None, 16) for h in FIXED_HEADERS]
    return fixed + [Column(parameter_header(p), lambda r: None, 18) for p in parameters]


class CheckedRuns(list):
    """The runs a check found, as (run, {PlanParameter: value}); `apply()` writes them, all or none."""

    def __init__(self, items=(), importer=None, result=None):
        super().__init__(items)
        self.importer, self.result = importer, result

    def apply(self):
        return self.importer.apply(self.result)


@dataclass
class Upload:
    runs: list = field(default_factory=CheckedRuns)  # (PlanRun, {PlanParameter: value})
    errors: list = field(default_factory=list)  # (row, column, message)


def parse_runs(revision, parameters, upload_file, user):
    """Check an uploaded workbook of `revision`'s runs; every problem as (row, column, message).

    Headers: 卷号, 生产日期, 生产线, 备注, then "产线/参数" (by name or code) per
    parameter. A header naming a parameter the revision does not plan is an error.
    A coil already recorded on a line is updated. (`parameters` is the view's
    list; the import reads the revision's own.)
    """
    result = Upload()
    importer = Importer(RunImport.for_revision(revision), user)
    try:
        sheets = files.read(upload_file, upload_file.name)
    except files.FileRefused as e:
        result.errors.append((1, "", e.message))
        return result
    checked = importer.check(sheets)
    result.errors = [(e.row or "", e.column, e.message) for e in checked.errors]
    rows = [r for sheet in checked.sheets for r in sheet.rows if r.status in (NEW, UPDATE)]
    planned = revision._import_params
    result.runs = CheckedRuns(
        [
            (r.instance, {planned[k]: v for k, v in r.instance._import_values.items() if v is not None})
            for r in rows
        ],
        importer,
        checked,
    )
    if not result.runs and not result.errors:
        if any(sheet.rows for sheet in checked.sheets):
            result.errors.append((2, "", _("文件中的实绩与系统中已有的相同，没有需要导入的数据。")))
        else:
            result.errors.append((2, "", _("文件中没有实绩数据行。")))
    return result


def save_runs(parsed):
    """All runs and their values in one transaction (`parsed`: the runs of `parse_runs`)."""
    return parsed.apply()
