"""The home page's figures and work lists for quality, engineering and sales (`quality.sections`).

Every figure is one aggregate query (conditional counts with `filter=Q(...)`) over a
queryset already scoped to the user, so the page costs the same number of queries
whatever the size of the archive. Each figure carries the URL of the list behind it,
with the filters that give the same rows: the list shows the same count. `today` is
passed in, never read from the clock here. The whole archive's objection figures (for
those who see every customer) are kept until a table they read is written
(`archive_site.kept`).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive_site import kept
from archive_site.lib.charts import bar_chart, hbar_chart
from archive_site.models import dict_name
from quality.models import DeadlineRule, Objection, PlanRevision, ProcessPlan
from quality.models.deadlines import overdue_condition
from quality.statistics.work import KEPT_TOPIC, LEAD_DAYS

TOP_DEFECTS = 5
DEFECT_DAYS = 90  # top defects of the last 90 days (today included)
CLOSURE_DAYS = 365  # mean time to closure over the last 12 months
RECENT_DAYS = 30  # a sales user's new objections and demands; an engineer's recent runs
ROWS = 10


@dataclass(frozen=True)
class Figure:
    """A figure and the list behind it; `rows`: how many rows that list shows, when not `value`
    (a mean's list shows the objections it averages)."""

    label: str
    value: object
    url: str
    note: str = ""
    rows: int | None = None

    @property
    def listed(self):
        return self.value if self.rows is None else self.rows


def list_url(name, **params):
    """The list `name` filtered by `params` (dates as ISO dates)."""
    query = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in params.items()}
    return f"{reverse(name)}?{urlencode(query)}"


def objections_url(**params):
    return list_url("quality:objection-list", **params)


def window(today, days):
    """The first day of the `days` days that end with `today`."""
    return today - datetime.timedelta(days=days - 1)


def month_bounds(year, month):
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def objection_figures(objections, today, keep=False):
    """The key figures of `objections` (scoped to the user): five aggregate queries, and one of the
    small table of deadline rules (`overdue_condition`).

    open and overdue objections; received this month (1st to today) and in the same
    month of last year (the whole month); the mean days from receipt to closure of those
    closed in the last 12 months; the most frequent defects received in the last 90 days.

    With `keep` (`objections` are the whole archive: a user who sees every customer) they are kept
    until a table they read is written, under the work statistics' topic, which watches those
    tables: at 5 million objections they were ~120 ms of every quality engineer's home page.
    """
    if keep:  # the labels are translated as they are computed: the language is part of the key
        again = lambda: objection_figures(objections, today)  # noqa: E731
        return kept.of(KEPT_TOPIC, objections, again, objection_figures.__name__, today, get_language())
    # Counted by a column never null that the open objections' partial index holds (as does every
    # condition here): PostgreSQL answers from the index alone, without reading the table.
    counts = objections.open().aggregate(
        open=Count("status"), overdue=Count("status", filter=overdue_condition(today))
    )
    month_start = today.replace(day=1)
    last_start, last_end = month_bounds(today.year - 1, today.month)
    months = received_in(objections, this=(month_start, today), last=(last_start, last_end))
    closed_since = window(today, CLOSURE_DAYS)
    # Whole days (date − date, an integer) averaged: half the time of averaging intervals.
    closure = objections.filter(closed_date__gte=closed_since, closed_date__lte=today).aggregate(
        n=Count("*"), mean=Avg(LEAD_DAYS)
    )
    mean_days = None if closure["mean"] is None else round(closure["mean"], 1)
    defects_since = window(today, DEFECT_DAYS)
    defects = list(
        objections.filter(received_date__gte=defects_since, received_date__lte=today)
        .order_by()
        .values("defect_type", "defect_type__name", "defect_type__name_en", "defect_type__sort_order")
        .annotate(n=Count("pk"))
        .order_by("-n", "defect_type__sort_order", "defect_type")[:TOP_DEFECTS]
    )
    top = [
        Figure(
            dict_name(d["defect_type__name"], d["defect_type__name_en"]),
            d["n"],
            objections_url(defect_type=d["defect_type"], received_after=defects_since, received_before=today),
        )
        for d in defects
    ]
    this_label = _("%(year)s年%(month)s月") % {"year": today.year, "month": today.month}
    last_label = _("%(year)s年%(month)s月") % {"year": last_start.year, "month": last_start.month}
    figures = {
        "open": Figure(_("未关闭异议"), counts["open"], objections_url(open="on")),
        "overdue": Figure(_("已逾期"), counts["overdue"], objections_url(queue="overdue")),
        "this_month": Figure(
            this_label, months["this"], objections_url(received_after=month_start, received_before=today)
        ),
        "last_year": Figure(
            last_label, months["last"], objections_url(received_after=last_start, received_before=last_end)
        ),
        "mean_days": Figure(
            _("平均关闭天数"),
            mean_days,
            objections_url(status="closed", closed_after=closed_since, closed_before=today),
            note=_("近 12 个月关闭的 %(n)s 条异议，从受理到关闭") % {"n": closure["n"]},
            rows=closure["n"],
        ),
    }
    charts = {
        "months": bar_chart(
            [(last_label, months["last"]), (this_label, months["this"])],
            title=_("本月与去年同月的异议数"),
            width=300,
            height=180,
        ),
        "defects": hbar_chart(
            [(f.label, f.value) for f in top], title=_("近 90 天异议最多的缺陷"), width=460, bar_height=20
        ),
    }
    return {"figures": figures, "top_defects": top, "charts": charts}


def received_in(objections, **ranges):
    """{name: how many of `objections` were received in `ranges[name]` (first day, last day)}, a
    query each: one range of received dates, which a scope's customers' index (customer, received
    date) seeks customer by customer. Two ranges in one query were no range to seek: every
    objection of a salesman's 5 600 customers was read (31.6 ms at 5 million objections; 19.1 ms
    for the two queries, alternated: bench/home_figures.py)."""
    counts = {}
    for name, (first, last) in ranges.items():
        received = objections.filter(received_date__gte=first, received_date__lte=last)
        counts |= received.aggregate(**{name: Count("pk")})
    return counts


def handler_work(objections, user, today):
    """What `user` handles: open, overdue and awaiting verification (measures taken, the effect to be
    verified before closing), as figures; and the open ones, next due first. Three queries (the
    deadline rules, the counts, the rows)."""
    mine = objections.handled_by(user)
    rules = list(DeadlineRule.objects.all())
    verifying = Q(status=Objection.Status.MEASURES_TAKEN)
    counts = mine.aggregate(
        open=Count("status"),
        overdue=Count("status", filter=overdue_condition(today, rules)),
        verifying=Count("status", filter=verifying),
    )
    # The next due date from the rules read above (a CASE, not a subquery per row).
    rows = list(
        mine.with_next_due(rules)
        .select_related("customer", "defect_type")
        .order_by(F("next_due").asc(nulls_last=True), "-received_date", "-id")[:ROWS]
    )
    figures = [
        Figure(_("我处理的未关闭异议"), counts["open"], objections_url(queue="mine")),
        Figure(_("其中已逾期"), counts["overdue"], objections_url(queue="overdue", handler=user.pk)),
        Figure(
            _("其中待验证（已采取措施）"),
            counts["verifying"],
            objections_url(queue="mine", status=Objection.Status.MEASURES_TAKEN),
        ),
    ]
    return {"figures": figures, "rows": rows, "today": today}


def plan_work(user, today):
    """An engineer's plans: drafts awaiting approval and plans whose runs of the last 30 days went out
    of limits, as figures (one aggregate query) and as lists (one query each)."""
    plans = ProcessPlan.objects.visible_to(user)
    since = window(today, RECENT_DAYS)
    awaiting = plans.awaiting_approval()
    out = plans.out_of_limits_since(since)
    counts = plans.aggregate(
        drafts=Count("pk", filter=Q(pk__in=awaiting.values("pk"))),
        out=Count("pk", filter=Q(pk__in=out.values("pk"))),
    )
    drafts = list(
        PlanRevision.objects.visible_to(user)
        .filter(status=PlanRevision.Status.DRAFT)
        .select_related("plan__customer", "updated_by")
        .order_by("-updated_at", "-id")[:ROWS]
    )
    out_rows = list(out.select_related("customer").order_by("-updated_at", "-id")[:ROWS])
    plans_url = "quality:plan-list"
    figures = [
        Figure(_("待批准的方案草稿"), counts["drafts"], list_url(plans_url, draft="on")),
        Figure(_("近 30 天实绩超限的方案"), counts["out"], list_url(plans_url, out_since=since)),
    ]
    return {"figures": figures, "drafts": drafts, "out_of_limits": out_rows, "since": since}


def new_objections(objections, today):
    """Objections received in the last 30 days: the count (one query) and the newest (one query)."""
    since = window(today, RECENT_DAYS)
    recent = objections.filter(received_date__gte=since, received_date__lte=today)
    count = recent.aggregate(n=Count("pk"))["n"]
    rows = list(recent.select_related("customer", "defect_type").order_by("-received_date", "-id")[:ROWS])
    figure = Figure(_("近 30 天新异议"), count, objections_url(received_after=since, received_before=today))
    return {"figures": [figure], "rows": rows}
