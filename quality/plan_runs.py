"""Set vs actual: run tables, per-parameter summaries, SVG charts, and the Excel upload of runs."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from archive_site.excel import Column
from archive_site.lib.charts import run_chart
from quality.models import PlanRun, RunValue

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
    """Per parameter: the statistics over all runs, out-of-limit count and a chart of the latest runs."""
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
            summary.out = sum(1 for x, _day in points if p.is_out(x))
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

FIXED_HEADERS = ("卷号", "生产日期", "生产线", "备注")


def parameter_header(p):
    return f"{p.line.name}/{p.parameter.name}"


def template_columns(parameters):
    """Columns of the upload template: the fixed ones, then one per planned parameter."""
    fixed = [Column(_(h), lambda r: None, 16) for h in FIXED_HEADERS]
    return fixed + [Column(parameter_header(p), lambda r: None, 18) for p in parameters]


@dataclass
class Upload:
    runs: list = field(default_factory=list)  # (PlanRun, {PlanParameter: value})
    errors: list = field(default_factory=list)  # (row, column letter, message)


def _cell_text(value):
    if value is None:
        return ""
    return str(value).strip()


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def parse_runs(revision, parameters, upload_file, user):
    """Read an uploaded workbook into unsaved runs; every problem as (row, column, message).

    Headers: 卷号, 生产日期, 生产线, 备注, then "产线/参数" (by name or code) per
    parameter. A header naming a parameter the revision does not plan is an error.
    """
    result = Upload()
    try:
        workbook = load_workbook(upload_file, read_only=True, data_only=True)
    except Exception:
        result.errors.append((1, "", _("无法读取这个 Excel 文件，请用模板重新填写。")))
        return result
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            result.errors.append((1, "", _("工作表是空的。")))
            return result
        columns = _columns(header, parameters, result)
        if result.errors:
            return result
        lines = {}
        for p in parameters:
            lines[p.line.name] = lines[p.line.code] = p.line
        existing = set(PlanRun.objects.filter(revision=revision).values_list("coil_number", "line_id"))
        seen = set()
        for number, row in enumerate(rows, start=2):
            if row is None or all(_cell_text(v) == "" for v in row):
                continue
            _parse_row(revision, number, row, columns, lines, existing, seen, user, result)
    finally:
        workbook.close()
    if not result.runs and not result.errors:
        result.errors.append((2, "", _("文件中没有实绩数据行。")))
    return result


def _columns(header, parameters, result):
    """{column index: "coil" | "date" | "line" | "remarks" | PlanParameter}."""
    by_header = {}
    for p in parameters:
        by_header[parameter_header(p)] = p
        by_header[f"{p.line.code}/{p.parameter.code}"] = p
    fixed = {"卷号": "coil", "生产日期": "date", "生产线": "line", "备注": "remarks"}
    columns = {}
    for i, title in enumerate(header):
        text = _cell_text(title).replace("／", "/")
        if not text:
            continue
        letter = get_column_letter(i + 1)
        if text in fixed:
            columns[i] = fixed[text]
        elif text in by_header:
            columns[i] = by_header[text]
        else:
            result.errors.append(
                (
                    1,
                    letter,
                    _("表头“%(h)s”：方案版本中没有这个工艺参数（应为“产线/参数”，如“%(eg)s”）。")
                    % {"h": text, "eg": parameter_header(parameters[0]) if parameters else "酸轧/卷取温度"},
                )
            )
    for key, title in (("coil", "卷号"), ("date", "生产日期"), ("line", "生产线")):
        if key not in columns.values():
            result.errors.append((1, "", _("缺少“%(h)s”列。") % {"h": title}))
    return columns


def _parse_row(revision, number, row, columns, lines, existing, seen, user, result):
    run = PlanRun(revision=revision)
    values = {}
    errors_before = len(result.errors)
    for i, what in columns.items():
        raw = row[i] if i < len(row) else None
        letter = get_column_letter(i + 1)
        if what == "coil":
            run.coil_number = _cell_text(raw)
            if not run.coil_number:
                result.errors.append((number, letter, _("卷号不能为空。")))
        elif what == "date":
            run.produced_on = _parse_date(raw)
            if run.produced_on is None:
                result.errors.append((number, letter, _("生产日期无效，请写成 2025-03-18 这样的日期。")))
        elif what == "line":
            line = lines.get(_cell_text(raw))
            if line is not None:
                run.line = line
            else:
                result.errors.append(
                    (number, letter, _("生产线“%(v)s”不在本方案的产线中。") % {"v": _cell_text(raw)})
                )
        elif what == "remarks":
            run.remarks = _cell_text(raw)[:200]
        elif _cell_text(raw) != "":
            try:
                values[what] = Decimal(_cell_text(raw))
            except InvalidOperation:
                result.errors.append((number, letter, _("“%(v)s”不是数值。") % {"v": _cell_text(raw)}))
    if len(result.errors) > errors_before:
        return
    for p in values:
        if p.line_id != run.line.pk:
            letter = get_column_letter(next(i for i, w in columns.items() if w == p) + 1)
            result.errors.append(
                (
                    number,
                    letter,
                    _("参数“%(p)s”属于%(l)s，这一行的产线是%(r)s。") % {"p": p, "l": p.line, "r": run.line},
                )
            )
    if not values:
        result.errors.append((number, "", _("这一行没有任何实际值。")))
    key = (run.coil_number, run.line.pk)
    if key in existing:
        result.errors.append(
            (number, "", _("卷号 %(c)s 在%(l)s已有实绩。") % {"c": run.coil_number, "l": run.line})
        )
    elif key in seen:
        result.errors.append(
            (number, "", _("卷号 %(c)s 在%(l)s的实绩在文件中重复。") % {"c": run.coil_number, "l": run.line})
        )
    seen.add(key)
    if len(result.errors) == errors_before:
        run.stamp(user)
        result.runs.append((run, values))


def save_runs(parsed):
    """All runs and their values in one transaction."""
    with transaction.atomic():
        runs = PlanRun.objects.bulk_create([run for run, _values in parsed])
        RunValue.objects.bulk_create(
            RunValue(run=run, parameter=p, value=value)
            for run, (_r, values) in zip(runs, parsed, strict=True)
            for p, value in values.items()
        )
    return runs
