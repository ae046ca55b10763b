"""Deadlines of an objection's steps: the rules that set them and the dates they give.

Customers give the mill deadlines counted from the day an objection is received: a first
response, containment of the suspect coils, the root cause, and the closed 8D report. A
`DeadlineRule` gives each step its number of calendar days for one severity, either for
every customer (the default rule of the severity) or for one key account (which then wins).

A step is met when the objection's status reaches the status that stands for it
(`STEP_STATUS`). The status workflow is 已登记 → 调查中 → 已采取措施 → 已关闭, so:

- first response (首次答复) is met at 调查中: someone has taken the objection up and answered;
- containment (遏制措施, 8D D3) is met at 调查中 too: the workflow has no state of its own for
  it, and the suspect coils are blocked as the investigation begins; its own days let a
  customer ask for it sooner or later than the answer;
- cause (原因分析, D4) is met at 已采取措施: measures are taken once the cause is known;
- 8D closure (8D 关闭, D8) is met at 已关闭.

A step stays met while the status is at or past its status (a reopened objection needs its
cause and closure again), and it was met on the first day the objection reached that status
or a later one (its closing date for the closure; the closing date too for an objection
imported already past the step, which has no status log).

A page's objections get their dates from `ObjectionQuerySet.with_deadlines()`, which reads the
rule table once and their status log in one query after the rows (`load_deadlines`), and reads
them back as `Objection.deadlines()`; views never compute them. Over many rows, SQL gives the same
dates: `step_dates` for counting them, `next_due_expression` for sorting by them, `due_condition`
for selecting by them, and `deadline_annotations` (subqueries per row), which tests compare with
all of these.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, DateField, F, Func, IntegerField, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Least, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.models import ArchiveModel
from customers.models import CustomerScopedQuerySet

from .judgement import Severity

__all__ = ["DeadlineRule", "Step", "StepState", "StepDeadline"]

# A step not met is "due soon" on its due date and this many days before it.
DUE_SOON_DAYS = 1

STEPS_OUT_OF_ORDER = _("原因分析的期限不能早于首次答复和遏制措施，8D 关闭的期限不能早于原因分析。")
DEFAULT_RULE_TAKEN = _("这个严重程度已有通用规则。")
CUSTOMER_RULE_TAKEN = _("这个客户的这个严重程度已有规则。")


class Step(models.TextChoices):
    RESPONSE = "response", _("首次答复")
    CONTAINMENT = "containment", _("遏制措施")
    CAUSE = "cause", _("原因分析")
    CLOSURE = "closure", _("8D 关闭")


# The objection status (by value) whose reaching meets each step; see the module's docstring.
STATUS_ORDER = ("registered", "investigating", "measures_taken", "closed")
STEP_STATUS = {
    Step.RESPONSE: "investigating",
    Step.CONTAINMENT: "investigating",
    Step.CAUSE: "measures_taken",
    Step.CLOSURE: "closed",
}


def statuses_meeting(step):
    """The statuses at or past the one that meets `step`."""
    return STATUS_ORDER[STATUS_ORDER.index(STEP_STATUS[step]) :]


class StepState(models.TextChoices):
    MET = "met", _("按时完成")
    MET_LATE = "met_late", _("逾期完成")
    ON_TIME = "on_time", _("未到期")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    NO_RULE = "no_rule", _("无期限")


@dataclass(frozen=True)
class StepDeadline:
    """One step of one objection: when it is due, whether and when it was met, and its state."""

    step: Step
    due: datetime.date | None
    met: bool
    met_on: datetime.date | None
    state: StepState

    @classmethod
    def of(cls, step, due, met, met_on, today):
        if due is None:
            state = StepState.NO_RULE if not met else StepState.MET
        elif met:
            state = StepState.MET_LATE if met_on is not None and met_on > due else StepState.MET
        elif due < today:
            state = StepState.OVERDUE
        elif (due - today).days <= DUE_SOON_DAYS:
            state = StepState.DUE_SOON
        else:
            state = StepState.ON_TIME
        return cls(Step(step), due, met, met_on if met else None, state)

    @property
    def label(self):
        return self.step.label


class AddDays(Func):
    """date + integer days (PostgreSQL's date arithmetic): a date."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


class DeadlineRuleQuerySet(CustomerScopedQuerySet):
    def visible_to(self, user):
        """The default rules, and the key accounts' rules of the customers `user` may see."""
        if self.sees_everything(user):
            return self
        scoped = super().visible_to(user).values("pk")
        return self.filter(Q(customer__isnull=True) | Q(pk__in=scoped))

    def listed_for(self, user):
        # The defaults are everyone's: the rules a list shows are `visible_to`'s.
        return self.visible_to(user)

    def applying(self, severity, customer):
        """The rule for an objection of `severity` and `customer` (either may be an OuterRef):
        the customer's own first, else the severity's default."""
        return self.filter(Q(customer=customer) | Q(customer__isnull=True), severity=severity).order_by(
            F("customer").asc(nulls_last=True)
        )


@tracked()
class DeadlineRule(ArchiveModel):
    """How many calendar days after receipt each step of an objection is due."""

    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_rules",
        help_text=_("留空则适用于所有客户；重点客户可单独设定，单独的规则优先"),
        db_index=False,  # quality_deadlinerule_customer_unique starts with it
    )
    response_days = models.PositiveSmallIntegerField(
        _("首次答复（天）"), help_text=_("受理后的日历天数，0 表示当天")
    )
    containment_days = models.PositiveSmallIntegerField(
        _("遏制措施（天）"), help_text=_("受理后的日历天数，0 表示当天")
    )
    cause_days = models.PositiveSmallIntegerField(_("原因分析（天）"), help_text=_("受理后的日历天数"))
    closure_days = models.PositiveSmallIntegerField(_("8D 关闭（天）"), help_text=_("受理后的日历天数"))

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议期限规则")
        verbose_name_plural = _("异议期限规则")
        ordering = [F("customer").asc(nulls_first=True), "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["severity"],
                condition=Q(customer__isnull=True),
                name="quality_deadlinerule_default_unique",
                violation_error_message=DEFAULT_RULE_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["customer", "severity"],
                name="quality_deadlinerule_customer_unique",
                violation_error_message=CUSTOMER_RULE_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(response_days__lte=F("cause_days"))
                & Q(containment_days__lte=F("cause_days"))
                & Q(cause_days__lte=F("closure_days")),
                name="quality_deadlinerule_steps_in_order",
                violation_error_message=STEPS_OUT_OF_ORDER,
            ),
        ]

    def __str__(self):
        whom = self.customer if self.customer_id else _("所有客户")
        return f"{whom} · {self.get_severity_display()}"

    def get_absolute_url(self):
        return reverse("quality:deadline-rule-edit", args=[self.pk])

    def clean(self):
        """The steps come in order: the cause no sooner than the response and containment,
        the closure no sooner than the cause (the named constraint says the same)."""
        days = [self.response_days, self.containment_days, self.cause_days, self.closure_days]
        if None in days:
            return
        errors = {}
        if self.cause_days < max(self.response_days, self.containment_days):
            errors["cause_days"] = ValidationError(STEPS_OUT_OF_ORDER, code="steps_in_order")
        if self.closure_days < self.cause_days:
            errors["closure_days"] = ValidationError(STEPS_OUT_OF_ORDER, code="steps_in_order")
        if errors:
            raise ValidationError(errors)

    def days(self, step):
        return getattr(self, f"{Step(step).value}_days")


def rule_applying(rules, severity, customer_id):
    """The rule for an objection of `severity` and `customer_id` among `rules` (the rule table,
    read once, by `(severity, customer_id)`): the customer's own first, else the severity's
    default; None without a rule. The same choice as `DeadlineRuleQuerySet.applying`."""
    return rules.get((severity, customer_id)) or rules.get((severity, None))


def load_deadlines(objections, using=None):
    """Give each of `objections` (fetched records) `<step>_due` and `<step>_met_on` for each step
    and `next_due`, the dates `deadline_annotations` gives, from the rule table read once and
    their status log read in one query (the first day each status was reached), instead of seven
    subqueries per row in the rows' query. For the few rows of a page (`with_deadlines()`)."""
    if not objections:
        return
    rules = {(r.severity, r.customer_id): r for r in DeadlineRule.objects.using(using).order_by()}
    transitions = type(objections[0])._meta.get_field("transitions").related_model
    log = (
        transitions.objects.using(using)
        .filter(objection__any=[o.pk for o in objections])
        .values_list("objection", "to_status")
        .annotate(first=Min("at"))
        .order_by()
    )
    # (objection id, status) -> the first day the objection reached the status
    reached = {(objection, status): timezone.localdate(first) for objection, status, first in log}
    steps = [(step, f"{step.value}_", statuses_meeting(step)) for step in Step]
    for o in objections:
        rule = rule_applying(rules, o.severity, o.customer_id)
        pending = []  # the due dates of the steps not met yet
        for step, prefix, meeting in steps:
            due = met_on = None
            if rule is not None and o.received_date is not None:
                due = o.received_date + datetime.timedelta(days=rule.days(step))
            if o.status not in meeting:
                pending.append(due)
            elif step != Step.CLOSURE:
                days = [reached[o.pk, status] for status in meeting if (o.pk, status) in reached]
                met_on = min(days) if days else o.closed_date
            else:
                met_on = o.closed_date
            setattr(o, f"{prefix}due", due)
            setattr(o, f"{prefix}met_on", met_on)
        # As `Objection.next_deadline()`: the earliest due date of the steps not met.
        o.next_due = min((due for due in pending if due is not None), default=None)
    return objections


def deadline_annotations(transitions):
    """`<step>_due` and `<step>_met_on` for each step, and `next_due` (the earliest due date of
    the steps not met yet), as annotations looked up per row by subqueries: the dates
    `load_deadlines` gives, written in SQL.

    `transitions`: the status log's model (queried for the day a status was first reached).
    For a few rows; over many, `step_dates` gives the same dates without subqueries.
    """
    rules = DeadlineRule.objects.applying(OuterRef("severity"), OuterRef("customer"))
    annotations = {}
    due = {}
    for step in Step:
        days = Subquery(rules.values(f"{step.value}_days")[:1], output_field=IntegerField())
        due[step] = AddDays(F("received_date"), days)
        annotations[f"{step.value}_due"] = due[step]
        first = None
        if step != Step.CLOSURE:
            first = Subquery(
                transitions.objects.filter(objection=OuterRef("pk"), to_status__in=statuses_meeting(step))
                .order_by("at")
                .values("at__date")[:1],
                output_field=DateField(),
            )
        annotations[f"{step.value}_met_on"] = met_on_expression(step, first)
    # The steps still to do follow from the status alone: the earliest of their due dates.
    annotations["next_due"] = next_due_expression(due)
    return annotations


def met_on_expression(step, first_reached):
    """The day `step` was met, when the status is at or past the one that meets it: the day that
    status (or a later one) was first reached, `first_reached` (an expression over the status
    log), else the closing date; for the closure, the closing date."""
    met_on = F("closed_date")
    if step != Step.CLOSURE:
        met_on = Func(first_reached, F("closed_date"), function="COALESCE")
    return Case(When(status__in=statuses_meeting(step), then=met_on), default=None, output_field=DateField())


def step_dates(rules):
    """`<step>_due` and `<step>_met_on` of each step, the dates `deadline_annotations` gives, for
    counting over many objections: the due dates from `rules` (the rule table, read once:
    `due_dates`), and the day a status was first reached as the earliest of the objection's
    transitions to it, in one pass over the status log joined and grouped by objection — no
    subquery per row."""
    annotations = {}
    for step, due in due_dates(rules).items():
        first = None
        if step != Step.CLOSURE:
            reached = Q(transitions__to_status__in=statuses_meeting(step))
            first = Min(TruncDate("transitions__at"), filter=reached)
        annotations[f"{step.value}_due"] = due
        annotations[f"{step.value}_met_on"] = met_on_expression(step, first)
    return annotations


def next_due_expression(due=None):
    """The earliest due date of the steps not met yet (None when closed or without a rule).

    `due`: each step's due date as an expression (`due_dates(rules)` for many rows); by default
    the rule's days are looked up per row by a subquery."""
    if due is None:
        rules = DeadlineRule.objects.applying(OuterRef("severity"), OuterRef("customer"))
        due = {
            step: AddDays(
                F("received_date"),
                Subquery(rules.values(f"{step.value}_days")[:1], output_field=IntegerField()),
            )
            for step in Step
        }
    return Case(
        When(status="registered", then=Least(due[Step.RESPONSE], due[Step.CONTAINMENT])),
        When(status="investigating", then=due[Step.CAUSE]),
        When(status="measures_taken", then=due[Step.CLOSURE]),
        default=None,
        output_field=DateField(),
    )


def rule_days(rules, step):
    """The days of `step` by the rule applying to each objection, as a CASE on its severity and
    customer over `rules` (the rule table, read once): a key account's own rule first, else the
    severity's default; NULL without a rule. The same choice as `DeadlineRuleQuerySet.applying`,
    without a subquery per row."""
    own = [r for r in rules if r.customer_id is not None]
    default = [r for r in rules if r.customer_id is None]
    whens = [When(severity=r.severity, customer_id=r.customer_id, then=Value(r.days(step))) for r in own]
    whens += [When(severity=r.severity, then=Value(r.days(step))) for r in default]
    # A typed NULL: without any rule the CASE is its default alone, and `received_date + NULL`
    # left PostgreSQL to choose between date + integer and date + interval (an error).
    return Case(*whens, default=Cast(Value(None), IntegerField()), output_field=IntegerField())


def due_dates(rules):
    """Each step's due date (received date + `rule_days`) as an expression over `rules`."""
    return {step: AddDays(F("received_date"), rule_days(rules, step)) for step in Step}


def overdue_condition(today, rules=None):
    """The objections `next_due < today` selects, as a condition on status, severity, customer and
    received date alone (`due_condition`): the overdue figures and the overdue queue."""
    return due_condition(rules, end=today - datetime.timedelta(days=1))


def due_condition(rules=None, start=None, end=None):
    """The objections whose `next_due` lies between `start` and `end` (inclusive; None leaves that
    end open), as a condition on status, severity, customer and received date alone, for
    selecting and counting them over many rows.

    `next_due` is the received date plus the days of the rule applying to the objection for the
    step its status is at; so it lies in [start, end] when the objection was received between
    start and end minus those days. The rules (`rules`, or one small query here) become one such
    range per rule and status: a customer's own rule for its objections of that severity, the
    severity's default for every other customer's. The same rule as `next_due_expression`, without
    a subquery per row (nor a CASE to compute per row): the open objections' partial indexes
    hold every column it reads. Tests check both select the same objections.
    """
    rules = list(DeadlineRule.objects.all()) if rules is None else rules
    own = {}  # severity -> the customers with a rule of their own
    for rule in rules:
        if rule.customer_id is not None:
            own.setdefault(rule.severity, []).append(rule.customer_id)
    # No rule: nothing is due. (A condition on a column the open objections' partial index
    # holds, so a count over it is answered from the index alone; the date is never empty.)
    condition = Q(received_date__isnull=True)
    for rule in rules:
        days = {
            "registered": min(rule.response_days, rule.containment_days),
            "investigating": rule.cause_days,
            "measures_taken": rule.closure_days,
        }
        due = Q()
        for status, n in days.items():
            received = {}
            if start is not None:
                received["received_date__gte"] = start - datetime.timedelta(days=n)
            if end is not None:
                received["received_date__lte"] = end - datetime.timedelta(days=n)
            due |= Q(status=status, **received)
        if rule.customer_id is not None:
            which = Q(severity=rule.severity, customer_id=rule.customer_id)
        elif rule.severity in own:
            which = Q(severity=rule.severity) & ~Q(customer_id__in=own[rule.severity])
        else:
            which = Q(severity=rule.severity)
        condition |= which & due
    return condition
