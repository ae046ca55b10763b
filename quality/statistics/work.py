"""Statistics of the quality work on objections (异议处理统计): how often each step was done by
its due date, and how long objections took from receipt to closure.

Over the objections received in a date range (the user's record scope, narrowed as the
objection statistics are):

- on-time rate per step (`Step`): of the steps whose outcome is decided by `today` — met, or
  due before `today` and not met — the share met on or before the due date. A step without a
  deadline rule, or not met and not yet past its due date, is not counted. Due dates and the
  days steps were met come from `step_dates` (the same figures as `Objection.deadlines()`,
  without a subquery per row);
- lead time of the closed objections, in days from the received date to the closing date:
  count, mean and median (PostgreSQL's `PERCENTILE_CONT`), by month of receipt, by
  responsible line and by production grade.

Each table is one aggregate query, whatever the size of the archive: the deadlines are
computed per row inside the database and counted with conditional aggregation.
"""

from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, IntegerField
from django.db.models.functions import TruncMonth
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive_site import kept
from archive_site.excel import Column
from archive_site.lib.charts import bar_chart, hbar_chart
from archive_site.models import dict_name
from quality.models import DeadlineRule, Step
from quality.models.deadlines import step_dates


class DaysBetween(Func):
    """date − date in PostgreSQL: whole days (an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


class Median(Aggregate):
    """The median of a number, interpolated (PERCENTILE_CONT(0.5))."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


LEAD_DAYS = DaysBetween(F("closed_date"), F("received_date"))


@dataclass
class StepRate:
    step: Step
    counted: int  # steps decided: met, or past their due date
    on_time: int  # met on or before the due date
    late: int  # met after the due date
    missed: int  # not met, past the due date

    @property
    def label(self):
        return self.step.label

    @property
    def rate(self):
        """On time, in % of the steps counted (one decimal), None when none is counted."""
        return round(100 * self.on_time / self.counted, 1) if self.counted else None


@dataclass
class LeadTime:
    label: str
    count: int
    mean: float | None
    median: float | None


def _days(value):
    return round(float(value), 1) if value is not None else None


def step_rates(objections, today, dates=None):
    """One `StepRate` per step, from one query (and one of the small rule table).

    `dates`: the annotations that give each objection's `<step>_due` and `<step>_met_on`; by
    default `step_dates` (the rules read once, the status log grouped by objection), else e.g.
    `deadline_annotations` (subqueries per row: the same dates, slower over many rows). They are
    computed once per objection in a subquery and counted outside it: counted with
    `Count(filter=...)` on the annotations directly, Django repeats each date's expression in
    every filter.
    """
    if dates is None:
        dates = step_dates(list(DeadlineRule.objects.all()))
    names = [f"{step.value}_{part}" for step in Step for part in ("due", "met_on")]
    inner, inner_params = objections.order_by().annotate(**dates).values(*names).query.sql_with_params()
    quote = connection.ops.quote_name
    counts, params = [], []
    for step in Step:
        due, met = quote(f"{step.value}_due"), quote(f"{step.value}_met_on")
        counts += [
            f"COUNT(*) FILTER (WHERE {due} IS NOT NULL AND {met} <= {due})",
            f"COUNT(*) FILTER (WHERE {due} IS NOT NULL AND {met} > {due})",
            f"COUNT(*) FILTER (WHERE {met} IS NULL AND {due} < %s)",
        ]
        params.append(today)
    with connections[objections.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(counts)} FROM ({inner}) AS steps", [*params, *inner_params])
        row = cursor.fetchone()
    rates = []
    for i, step in enumerate(Step):
        on_time, late, missed = row[3 * i : 3 * i + 3]
        rates.append(StepRate(step, on_time + late + missed, on_time, late, missed))
    return rates


def _lead(queryset):
    return queryset.annotate(n=Count("pk"), mean=Avg(LEAD_DAYS), median=Median(LEAD_DAYS))


def lead_time_total(closed):
    row = closed.order_by().aggregate(n=Count("pk"), mean=Avg(LEAD_DAYS), median=Median(LEAD_DAYS))
    return LeadTime(_("合计"), row["n"], _days(row["mean"]), _days(row["median"]))


def lead_time_by_month(closed):
    """By month of receipt, months without closed objections left out."""
    groups = _lead(closed.order_by().annotate(month=TruncMonth("received_date")).values("month")).order_by(
        "month"
    )
    return [LeadTime(f"{g['month']:%Y-%m}", g["n"], _days(g["mean"]), _days(g["median"])) for g in groups]


def lead_time_by(closed, field):
    """By a dictionary field (`responsible_line`, `production_grade`): most objections first,
    the objections without one last as 未填写."""
    groups = _lead(closed.order_by().values(field, f"{field}__code", f"{field}__name", f"{field}__name_en"))
    rows = [
        (
            g[f"{field}__code"] is None,
            -g["n"],
            g[f"{field}__code"] or "",
            LeadTime(
                dict_name(g[f"{field}__name"], g[f"{field}__name_en"])
                if g[field] is not None
                else _("未填写"),
                g["n"],
                _days(g["mean"]),
                _days(g["median"]),
            ),
        )
        for g in groups
    ]
    return [r[-1] for r in sorted(rows, key=lambda r: r[:3])]


KEPT_TOPIC = "work_statistics"
# Every table `compute` reads; a write to any of them is recorded (quality migration 0020).
KEPT_TABLES = (
    "quality_objection",
    "quality_objectiontransition",
    "quality_deadlinerule",
    "archive_site_dictentry",
)


def compute(objections, today, *, start=None, end=None, keep=False):
    """Every table of the page over `objections` (already scoped and narrowed). With `keep`
    (`objections` are the whole archive, narrowed) the tables are kept until a table they read is
    written (`archive_site.kept`): a year of a 5-million archive takes seconds to count."""
    if keep:  # the labels are translated as they are computed: the language is part of the key
        again = lambda: compute(objections, today, start=start, end=end)  # noqa: E731
        return kept.of(KEPT_TOPIC, objections, again, today, get_language())
    closed = objections.filter(status="closed", closed_date__isnull=False)
    rates = step_rates(objections, today)
    total = lead_time_total(closed)
    return {
        "start": start,
        "end": end,
        "today": today,
        "rates": rates,
        "counted": sum(r.counted for r in rates),
        "lead_total": total,
        "by_month": lead_time_by_month(closed) if total.count else [],
        "by_line": lead_time_by(closed, "responsible_line") if total.count else [],
        "by_grade": lead_time_by(closed, "production_grade") if total.count else [],
    }


def charts(stats):
    """The page's small SVG charts."""
    return {
        "rates": mark_safe(
            bar_chart(
                [(r.label, r.rate or 0) for r in stats["rates"] if r.counted],
                title=_("各步骤按时完成率"),
                unit="%",
            )
        ),
        "by_month": mark_safe(
            bar_chart(
                [(r.label, r.median) for r in stats["by_month"]],
                title=_("按受理月份的处理周期中位数"),
                unit=_("天"),
            )
        ),
        "by_line": mark_safe(
            hbar_chart(
                sorted(((r.label, r.median) for r in stats["by_line"]), key=lambda x: -(x[1] or 0)),
                title=_("按责任产线的处理周期中位数"),
                unit=_("天"),
            )
        ),
    }


def sheets(stats):
    """The page's tables, one sheet each, for the .xlsx export."""
    rate_columns = [
        Column(_("步骤"), lambda r: str(r.label), 14),
        Column(_("应计步骤数"), lambda r: r.counted, 12),
        Column(_("按时完成"), lambda r: r.on_time, 10),
        Column(_("逾期完成"), lambda r: r.late, 10),
        Column(_("逾期未完成"), lambda r: r.missed, 12),
        Column(_("按时完成率(%)"), lambda r: r.rate, 14),
    ]

    def lead_columns(label):
        return [
            Column(label, lambda r: r.label, 20),
            Column(_("已关闭异议数"), lambda r: r.count, 12),
            Column(_("平均天数"), lambda r: r.mean, 10),
            Column(_("中位天数"), lambda r: r.median, 10),
        ]

    return [
        (_("按时完成率"), rate_columns, stats["rates"]),
        (_("处理周期-月份"), lead_columns(_("受理月份")), [*stats["by_month"], stats["lead_total"]]),
        (_("处理周期-责任产线"), lead_columns(_("责任产线")), stats["by_line"]),
        (_("处理周期-生产牌号"), lead_columns(_("生产牌号")), stats["by_grade"]),
    ]
