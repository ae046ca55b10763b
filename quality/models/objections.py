"""Quality objections and complaints (paper 3.5), their defect photos and status log.

The point of the module is the judgement check: a line or quality inspector
asks whether this customer has objected to this defect at this severity, or
milder, before — if so, the product must not be judged 合格.
"""

import datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, connections, models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.lib.numbers import dimensions
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind
from archive_site.photos import PhotoModel
from archive_site.search import gram_index
from archive_site.uploads import validate_report
from customers.models import CustomerScopedQuerySet

from .deadlines import (
    Step,
    StepDeadline,
    due_condition,
    due_dates,
    load_deadlines,
    next_due_expression,
    overdue_condition,
    statuses_meeting,
)
from .judgement import Severity, judge

__all__ = [
    "ObjectionCounter",
    "Objection",
    "ObjectionTransition",
    "ObjectionPhoto",
    "ObjectionAssignment",
    "ObjectionAttachment",
    "ObjectionComment",
    "ObjectionClosed",
    "StaleStatus",
    "TransitionRefused",
]

NUMBER_PREFIX = "ZY"
SEARCH_FIELDS = ("description", "cause", "solution", "preventive")

CLOSED_WITHOUT_DATE = _("已关闭的异议必须填写关闭日期。")
DATE_WITHOUT_CLOSE = _("只有已关闭的异议才有关闭日期。")
CLOSED_BEFORE_RECEIVED = _("关闭日期不能早于受理日期。")
CLOSED_AFTER_TODAY = _("关闭日期不能晚于今天。")
CLOSE_INCOMPLETE = _("关闭前必须填写：%(fields)s。")
NOT_A_HANDLER = _("只能指派给负责处理质量异议的在职人员。")
SAME_HANDLER = _("这条异议已由此人处理。")
SOME_SAME_HANDLER = _("这些异议已由此人处理：%(numbers)s。")
SOME_CLOSED = _("这些异议已关闭，不能再修改：%(numbers)s。")

# Sent with the `ObjectionAssignment` records one (re)assignment made, created together.
assignments_made = Signal()
# Sent with the objections one import registered, written together (the form's single new
# objection is told by its post_save).
objections_registered = Signal()
CLOSED_READ_ONLY = _("这条异议已关闭，不能再修改。如需修改，请由处理人员说明原因后重新打开。")
SETTLED_NOT_NEGATIVE = _("结算金额不能为负数。")
SETTLED_ABOVE_CLAIM = _("结算金额高于索赔金额时，请在结算说明中写明原因。")
COMMENT_FIXED = _("评论发表后不能修改或删除。")
REOPEN_NEEDS_REASON = _("重新打开已关闭的异议必须说明原因。")
REOPEN_NOT_ALLOWED = _("只有负责处理质量异议的人员才能重新打开已关闭的异议。")
HANDLE_PERMISSION = "quality.handle_objection"


class ObjectionCounter(models.Model):
    """The last number given out in a year. One row per year, locked while a number is drawn.

    Not tracked in history: it is a sequence, not archive data; the numbers it
    gives are recorded with their objections.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("异议编号计数器")
        verbose_name_plural = _("异议编号计数器")

    def __str__(self):
        return f"{self.year}: {self.last}"

    @classmethod
    def next_number(cls, year):
        """The next number of `year`, e.g. ZY-2026-0001.

        The upsert locks the year's row until the caller's transaction ends, so
        concurrent registrations queue for it (no duplicates); a registration
        that rolls back rolls its number back too (no gaps).
        """
        (seq,) = cls.take(year, 1)
        return format_number(year, seq)

    @classmethod
    def take(cls, year, count, above=0):
        """Draw `count` consecutive sequence numbers of `year` in one statement (an import's).

        `above`: numbers up to this one are already used (given in the file), so
        drawing continues after it. Locks and rolls back as `next_number` does.
        Returns the range of the numbers drawn.
        """
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (year, last) VALUES (%s, %s) ON CONFLICT (year) "
                f"DO UPDATE SET last = GREATEST({table}.last, %s) + %s RETURNING last",
                [year, above + count, above, count],
            )
            (last,) = cursor.fetchone()
        return range(last - count + 1, last + 1)


def format_number(year, seq):
    return f"{NUMBER_PREFIX}-{year}-{seq:04d}"


# Every status but 已关闭 (closed).
OPEN_STATUSES = ("registered", "investigating", "measures_taken")


class ObjectionQuerySet(CustomerScopedQuerySet):
    # The lessons people look for: what went wrong, why, how it was solved, how to prevent it.
    search_fields = SEARCH_FIELDS

    def naming_any(self, coils):
        """The objections that name any of `coils` (coil numbers); the lookup runs at once.

        Coil numbers are nearly all distinct, so PostgreSQL's statistics hold none of them and
        `coil_numbers && coils` is estimated at a default share per coil: for the 175 coils of
        a plan page, more than half the archive, and it read all 5 000 000 objections (23 s).
        Each coil looked up in the GIN index on its own (a lateral join over the coils) reads
        only the objections that name them (2 ms)."""
        coils = sorted(set(coils))
        if not coils:
            return self.none()
        database = connections[self.db]
        array = self.model._meta.get_field("coil_numbers").db_type(database)
        with database.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT o.id FROM unnest(%s::text[]) AS c(coil) CROSS JOIN LATERAL ("  # noqa: S608
                f"SELECT id FROM {self.model._meta.db_table} AS o "
                f"WHERE o.coil_numbers @> ARRAY[c.coil]::{array}) AS o",
                [coils],
            )
            return self.filter(pk__in=[pk for (pk,) in cursor.fetchall()])

    def judge(self, question, alerts=None):
        """The judgement check's answer to `question` (`judgement.Question`) from these objections
        and `alerts` (`lessons.Alert`, the similar customers' lessons): see `judgement.judge`."""
        return judge(self, question, alerts)

    def with_deadlines(self):
        """Each objection's due date and day met of every step, and `next_due`, loaded after the
        rows (`load_deadlines`: two small queries for all of them); read them with
        `Objection.deadlines()`."""
        return self.loading(load_deadlines)

    def overdue(self, today, rules=None):
        """Open objections with a step not met whose due date has passed.

        `rules`: the deadline rules, if already read (see `due_between`)."""
        return self.open().filter(overdue_condition(today, rules))

    def due_between(self, start=None, end=None, rules=None):
        """Open objections whose next step is due in [start, end] (either end may be open).

        Selected by received-date ranges from the deadline rules (`rules`, else read here:
        `due_condition`), not by the next due date computed per row: the open objections'
        partial indexes answer it."""
        return self.open().filter(due_condition(rules, start, end))

    def due_this_week(self, today, rules=None):
        """Due from today to the end of the week (Sunday), not yet overdue."""
        return self.due_between(today, today + datetime.timedelta(days=6 - today.weekday()), rules)

    def with_next_due(self, rules):
        """`next_due` from `rules` (the rule table, read once: `due_dates`), a CASE rather than the
        subqueries per row of `with_deadlines()`, which it replaces: for ordering many rows by it."""
        return self.annotate(next_due=next_due_expression(due_dates(rules)))

    def handled_by(self, user):
        """The open objections `user` handles: their work queue."""
        return self.filter(handler=user).open()

    def open(self):
        """Objections not closed yet (written as the open statuses, so the status index serves it)."""
        return self.filter(status__in=OPEN_STATUSES)


class StaleStatus(Exception):
    """The objection changed since the user loaded it; the transition was not applied."""


class TransitionRefused(ValidationError):
    pass


class ObjectionClosed(TransitionRefused):
    """A change to a closed objection (or to its photos, files, comments, handler): refused
    until it is reopened with a reason."""

    def __init__(self):
        super().__init__(CLOSED_READ_ONLY, code="closed_read_only")


@tracked()
class Objection(ArchiveModel):
    class Kind(models.TextChoices):
        OBJECTION = "objection", _("质量异议")
        COMPLAINT = "complaint", _("质量抱怨")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        INVESTIGATING = "investigating", _("调查中")
        MEASURES_TAKEN = "measures_taken", _("已采取措施")
        CLOSED = "closed", _("已关闭")

    class Disposition(models.TextChoices):
        """What became of the coils objected to."""

        RETURN = "return", _("退货")
        CONCESSION = "concession", _("让步接收")
        DOWNGRADE = "downgrade", _("降级")
        REWORK = "rework", _("返修")
        SCRAP = "scrap", _("报废")

    # Forward one step at a time; a closed objection may be reopened for investigation.
    TRANSITIONS = {
        Status.REGISTERED: [Status.INVESTIGATING],
        Status.INVESTIGATING: [Status.MEASURES_TAKEN, Status.REGISTERED],
        Status.MEASURES_TAKEN: [Status.CLOSED, Status.INVESTIGATING],
        Status.CLOSED: [Status.INVESTIGATING],
    }
    # Closing needs the analysis and the measures, by field name.
    REQUIRED_TO_CLOSE = ("cause", "solution", "preventive")

    number = models.CharField(
        _("异议编号"), max_length=20, editable=False, help_text=_("按年编号，如 ZY-2026-0001")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind, default=Kind.OBJECTION)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="objections",
        db_index=False,  # quality_objection_customer starts with it
    )
    received_date = models.DateField(_("受理日期"), default=timezone.localdate)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status, default=Status.REGISTERED, editable=False
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_objections",
    )
    closed_date = models.DateField(_("关闭日期"), null=True, blank=True, editable=False)

    # The product concerned: the demand it was ordered under and the plan
    # revision in force when its coils were made (a preventive action can open
    # a new draft revision of that plan).
    demand = models.ForeignKey(
        "customers.Demand",
        verbose_name=_("客户需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
    )
    plan_revision = models.ForeignKey(
        "quality.PlanRevision",
        verbose_name=_("工艺控制方案版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        help_text=_("生产这些钢卷时执行的方案版本"),
    )
    part = models.ForeignKey(
        "products.Part",
        verbose_name=_("零件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        help_text=_("客户用这些钢卷冲压的零件（判定辅助按零件匹配）"),
    )
    # The product concerned.
    coil_numbers = ArrayField(
        models.CharField(max_length=32),
        verbose_name=_("卷号"),
        default=list,
        blank=True,
        help_text=_("涉及的钢卷号，用空格、逗号或换行分隔"),
    )
    production_grade = DictionaryForeignKey(
        kind=DictKind.PRODUCTION_GRADE, verbose_name=_("生产牌号"), null=True, blank=True
    )
    thickness = models.DecimalField(
        _("厚度"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("mm"),
    )
    width = models.DecimalField(
        _("宽度"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("mm"),
    )
    tonnage = models.DecimalField(
        _("异议吨数"),
        max_digits=10,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("受影响的重量，吨 (t)"),
    )

    # The defect.
    defect_type = DictionaryForeignKey(kind=DictKind.DEFECT_TYPE, verbose_name=_("缺陷类型"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity, default=Severity.GENERAL)
    description = models.TextField(_("缺陷描述"), help_text=_("客户反映的现象、位置、频次"))

    # 8D: containment (D3).
    containment = models.TextField(_("遏制措施"), blank=True, help_text=_("已封锁的钢卷、在途和库存的处理"))
    blocked_location = models.CharField(_("封锁地点"), max_length=200, blank=True)
    blocked_coil_count = models.PositiveIntegerField(_("封锁卷数"), null=True, blank=True)
    blocked_tonnage = models.DecimalField(
        _("封锁吨数"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("吨 (t)"),
    )
    # D4: root cause with evidence.
    cause = models.TextField(_("原因分析"), blank=True)
    cause_evidence = models.TextField(_("原因证据"), blank=True, help_text=_("检验数据、复现试验、工艺记录"))
    responsible_line = DictionaryForeignKey(
        kind=DictKind.PRODUCTION_LINE, verbose_name=_("责任产线"), null=True, blank=True
    )
    # D5–D7: corrective action, verification, preventive action.
    solution = models.TextField(_("解决措施"), blank=True, help_text=_("纠正措施"))
    verification = models.TextField(_("效果验证"), blank=True)
    preventive = models.TextField(_("预防措施"), blank=True)
    claim_amount = models.DecimalField(
        _("索赔金额"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("元，客户提出的金额"),
    )
    # The disposition and what was finally paid (the cost of poor quality counts this one).
    disposition = models.CharField(_("处置方式"), max_length=16, choices=Disposition, blank=True)
    settled_amount = models.DecimalField(
        _("结算金额"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, SETTLED_NOT_NEGATIVE)],
        help_text=_("元，与客户最终结算的金额；未结算留空"),
    )
    settlement_note = models.CharField(
        _("结算说明"), max_length=500, blank=True, help_text=_("结算金额高于索赔金额时必须说明原因")
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("质量异议")
        verbose_name_plural = _("质量异议")
        ordering = ["-received_date", "-id"]
        permissions = [
            ("export_objection", _("可以导出质量异议")),
            ("handle_objection", _("可以处理质量异议（可被指派为处理人）")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="quality_objection_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_date__isnull=False),
                name="quality_objection_closed_has_date",
                violation_error_message=CLOSED_WITHOUT_DATE,
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_date__isnull=True),
                name="quality_objection_open_has_no_closed_date",
                violation_error_message=DATE_WITHOUT_CLOSE,
            ),
            models.CheckConstraint(
                condition=Q(settled_amount__isnull=True) | Q(settled_amount__gte=0),
                name="quality_objection_settled_not_negative",
                violation_error_message=SETTLED_NOT_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(settled_amount__isnull=True)
                | Q(settled_amount__lte=F("claim_amount"))
                | ~Q(settlement_note=""),
                name="quality_objection_settled_within_claim",
                violation_error_message=SETTLED_ABOVE_CLAIM,
            ),
            models.CheckConstraint(
                condition=Q(closed_date__isnull=True) | Q(closed_date__gte=F("received_date")),
                name="quality_objection_closed_after_received",
                violation_error_message=CLOSED_BEFORE_RECEIVED,
            ),
        ]
        indexes = [
            # The objection list, newest first, unfiltered (first page of 500 000 rows).
            models.Index(fields=["-received_date", "-id"], name="quality_objection_received"),
            # The customer archive section, the list filtered by customer and the lookups of the
            # customer foreign key.
            models.Index(fields=["customer", "-received_date", "-id"], name="quality_objection_customer"),
            # The judgement check: a customer's objections to one defect, counted by severity
            # from the index alone and the latest read in its order. Through the customer index
            # above, a large customer's every objection was read from the table to find the few
            # of that defect (bench/judgement.py, at 5 million objections).
            models.Index(
                fields=["customer", "defect_type", "-received_date", "-id"],
                include=["severity"],
                name="quality_objection_judgement",
            ),
            # The list filtered by status ("open objections").
            models.Index(fields=["status", "-received_date"], name="quality_objection_status"),
            # The home page's mean time to closure: objections closed in the last 12 months, with
            # the columns it reads, so it is answered from the index alone.
            models.Index(
                fields=["closed_date"],
                include=["received_date", "customer"],
                condition=Q(closed_date__isnull=False),
                name="quality_objection_closed",
            ),
            # The home page's open and overdue counts (`overdue_condition`): the open objections
            # alone (a few % of the archive) with every column the counts read, so they are
            # answered from the index alone; a sales user's by customer.
            models.Index(
                fields=["customer", "severity", "status", "received_date"],
                condition=Q(status__in=OPEN_STATUSES),
                name="quality_objection_open",
            ),
            # A handler's open objections (the home page's work counts and rows, the work queue).
            models.Index(
                fields=["handler", "severity", "status", "customer", "received_date"],
                condition=Q(status__in=OPEN_STATUSES),
                name="quality_objection_handler_open",
            ),
            # Search of description, cause, solution and preventive measures by Chinese substring (`search`).
            gram_index(*SEARCH_FIELDS, name="quality_objection_search"),
            # Which objections name this coil.
            GinIndex(fields=["coil_numbers"], name="quality_objection_coils"),
        ]

    def __str__(self):
        return self.number or str(_("新质量异议"))

    def get_absolute_url(self):
        return reverse("quality:objection-detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The status as stored: what makes the objection read-only, whatever is assigned to it;
        # and the values as stored, to tell an edit from the record validated as it is.
        instance._stored_status = instance.__dict__.get("status")
        instance._stored_values = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._stored_status = self.__dict__.get("status")
        self._stored_values = {f.attname: self.__dict__.get(f.attname) for f in self._meta.concrete_fields}

    STAMP_FIELDS = ("version", "updated_at", "updated_by_id")

    def is_edited(self):
        """Whether a value differs from the stored one (the stamp aside); True when unknown."""
        stored = getattr(self, "_stored_values", None)
        if stored is None:
            return True
        return any(
            self.__dict__.get(name) != value
            for name, value in stored.items()
            if name not in self.STAMP_FIELDS
        )

    def check_open(self, fresh=False):
        """Refuse (`ObjectionClosed`) a change to a closed objection or to what hangs from it.

        The one rule of read-only closed objections: `clean()` (forms, imports), `save()`,
        `assign()`, and the photos, attachments and comments of the objection (with
        `fresh`: the status is read from the database, not from a page loaded earlier) call
        it. Only `transition()` (reopening, with a reason) changes a closed objection.
        """
        if self.pk is None:
            return
        if fresh or not hasattr(self, "_stored_status"):
            stored = Objection.objects.filter(pk=self.pk).values_list("status", flat=True)
            self._stored_status = stored.first()
        if self._stored_status == self.Status.CLOSED:
            raise ObjectionClosed

    def save(self, *args, **kwargs):
        self.check_open()
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def clean(self):
        """The rules of an objection, for the registration form and the import alike.

        A closed objection is not changed at all (`check_open`): it is reopened first, with a
        reason. Its demand, part and plan revision are its customer's. What arrives already
        closed is a new record of an import: it has a closing date, neither before it was
        received nor after today, and the analysis and measures (the missing fields are named
        on its status); an open one has no closing date. Objections are closed by `close()`,
        which checks the same (`close_incomplete`, `check_closed_date`).

        The settled amount is at most the claimed amount: settling above the claim (costs the
        customer added later, a court's ruling) is allowed only with a settlement note saying
        why; the error is the settled amount's.
        """
        try:
            if self.is_edited():  # a closed objection validated as stored is not an edit
                self.check_open()
        except ObjectionClosed as e:
            raise ValidationError({NON_FIELD_ERRORS: e.error_list}) from None
        errors = {}
        if self.customer_id and self.demand_id and self.demand.customer_id != self.customer_id:
            errors["demand"] = ValidationError(_("这个需求不属于所选客户。"), code="demand_customer")
        if self.customer_id and self.part_id and self.part.customer_id != self.customer_id:
            errors["part"] = ValidationError(_("这个零件不属于所选客户。"), code="part_customer")
        revision = self.plan_revision if self.plan_revision_id else None
        if self.customer_id and revision is not None and revision.plan.customer_id != self.customer_id:
            errors["plan_revision"] = ValidationError(
                _("这个方案版本不属于所选客户。"), code="plan_revision_customer"
            )
        if self.is_closed and self.closed_date is None:
            errors["closed_date"] = ValidationError(CLOSED_WITHOUT_DATE, code="closed_without_date")
        elif self.is_closed:
            try:
                self.check_closed_date(self.closed_date)
            except ValidationError as e:
                errors["closed_date"] = e
        elif self.closed_date is not None:
            errors["closed_date"] = ValidationError(DATE_WITHOUT_CLOSE, code="date_without_close")
        if self.is_closed and (error := self.close_incomplete()):
            errors["status"] = error
        settled, claimed = self.settled_amount, self.claim_amount
        above = settled is not None and claimed is not None and settled > claimed
        if above and not self.settlement_note.strip():
            errors["settled_amount"] = ValidationError(SETTLED_ABOVE_CLAIM, code="settled_above_claim")
        if self.handler_id and not self.handler_allowed():
            errors["handler"] = ValidationError(NOT_A_HANDLER, code="not_a_handler")
        if errors:
            raise ValidationError(errors)

    # The ids of `handlers()`, when one reader (an import) has them for many objections.
    handler_ids = None

    @classmethod
    def handlers(cls, keep=None):
        """The active users whose role (or own permissions) handles objections: the only ones an
        objection is assigned to (`keep`: the handler a record already names, see `User.holding`)."""
        return get_user_model().holding(HANDLE_PERMISSION, keep=keep)

    def handler_allowed(self):
        """Whether the handler may handle objections; one who already handled this objection
        before losing the role may stay until it is reassigned."""
        if self.handler_ids is not None:
            if self.handler_id in self.handler_ids:
                return True
        elif Objection.handlers().filter(pk=self.handler_id).exists():
            return True
        kept = Objection.objects.filter(pk=self.pk, handler_id=self.handler_id)
        return self.pk is not None and kept.exists()

    def deadlines(self, today=None):
        """Each step's `StepDeadline` (due date, met, met on, state), from the dates
        `Objection.objects.with_deadlines()` loads; `today` defaults to the local date."""
        today = today or timezone.localdate()
        return [
            StepDeadline.of(
                step,
                getattr(self, f"{step.value}_due"),
                self.status in statuses_meeting(step),
                getattr(self, f"{step.value}_met_on"),
                today,
            )
            for step in Step
        ]

    def next_deadline(self, today=None):
        """The step not met yet that is due first (`StepDeadline`), or None."""
        open_steps = [d for d in self.deadlines(today) if not d.met and d.due is not None]
        return min(open_steps, key=lambda d: d.due, default=None)

    def assign(self, handler, *, by, note="", expected_version=None):
        """Give the objection to `handler`, recording who, when and why.

        Refused (`TransitionRefused`) for someone who does not handle objections or already
        handles this one; `StaleStatus` if the objection changed since the user loaded it.
        """
        version = self.version if expected_version is None else expected_version
        return Objection.assign_all([self], handler, by=by, note=note, versions={self.pk: version})[0]

    @classmethod
    def registered(cls, objections, *, by):
        """Objections just registered (by the form, or together by an import): each one
        registered with a handler gets the first of its assignments, all recorded at once
        (and so their handlers' notifications: `assignments_made`)."""
        records = ObjectionAssignment.objects.bulk_create(
            ObjectionAssignment(objection=o, handler=o.handler, by=by) for o in objections if o.handler_id
        )
        if records:
            assignments_made.send(sender=ObjectionAssignment, assignments=records)
        return records

    @classmethod
    def assign_all(cls, objections, handler, *, by, note="", versions=None):
        """Give each of `objections` to `handler`: the one rule of (re)assignment, for one
        objection or many, in a few queries whatever their number.

        All or none: refused (`ObjectionClosed`, `TransitionRefused`) if one is closed, if
        `handler` does not handle objections, or already handles one; `StaleStatus` if one
        changed since its version in `versions` ({pk: version}; default: as loaded). Each
        gets its `ObjectionAssignment` record (and so its notification: `assignments_made`).
        """
        versions = versions or {o.pk: o.version for o in objections}
        one = len(objections) == 1
        closed = Objection.objects.filter(pk__in=list(versions), status=cls.Status.CLOSED)
        closed = list(closed.values_list("number", flat=True))
        if closed:
            if one:
                raise ObjectionClosed
            raise TransitionRefused(
                SOME_CLOSED, code="closed_read_only", params={"numbers": "、".join(closed)}
            )
        if handler is None or not Objection.handlers().filter(pk=handler.pk).exists():
            raise TransitionRefused(NOT_A_HANDLER, code="not_a_handler")
        same = [o.number for o in objections if o.handler_id == handler.pk]
        if same:
            if one:
                raise TransitionRefused(SAME_HANDLER, code="same_handler")
            raise TransitionRefused(
                SOME_SAME_HANDLER, code="same_handler", params={"numbers": "、".join(same)}
            )
        seen = Q(pk__in=[])
        for pk, version in versions.items():
            seen |= Q(pk=pk, version=version)
        with transaction.atomic():
            changed = Objection.objects.filter(seen).update(
                handler=handler, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
            )
            if changed != len(objections):
                raise StaleStatus
            records = ObjectionAssignment.objects.bulk_create(
                ObjectionAssignment(objection=o, previous_id=o.handler_id, handler=handler, by=by, note=note)
                for o in objections
            )
            assignments_made.send(sender=ObjectionAssignment, assignments=records)
        for o in objections:
            o.handler, o.version, o.updated_by = handler, versions[o.pk] + 1, by
        return records

    @property
    def spec(self):
        return dimensions(self.thickness, self.width)

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    def assign_number(self):
        """Draw the next number of the received year (inside the creating transaction)."""
        self.number = ObjectionCounter.next_number(self.received_date.year)

    def allowed_transitions(self):
        return self.TRANSITIONS.get(self.status, [])

    def missing_for_close(self):
        """Labels of the fields that must be filled before closing."""
        return [
            self._meta.get_field(f).verbose_name
            for f in self.REQUIRED_TO_CLOSE
            if not getattr(self, f).strip()
        ]

    def close_incomplete(self):
        """The error that refuses to close while analysis or measures are missing, else None."""
        missing = self.missing_for_close()
        if not missing:
            return None
        fields = "、".join(str(m) for m in missing)
        return ValidationError(CLOSE_INCOMPLETE, code="close_incomplete", params={"fields": fields})

    def check_closed_date(self, closed_date):
        """Refuse a closing date before the objection was received or after today."""
        if self.received_date and closed_date < self.received_date:
            raise ValidationError(CLOSED_BEFORE_RECEIVED, code="closed_before_received")
        if closed_date > timezone.localdate():
            raise ValidationError(CLOSED_AFTER_TODAY, code="closed_after_today")

    def transition(self, to, *, by, note="", expected_version=None, closed_date=None):
        """Move to status `to`, recording who, when and why.

        Reopening a closed objection needs a reason (`note`) and a user who handles objections.

        Optimistic lock: the UPDATE applies only if the row still has the status
        and version this user saw; otherwise StaleStatus, and nothing changes.
        """
        to = self.Status(to)
        if expected_version is not None and expected_version != self.version:
            raise StaleStatus
        if to not in self.allowed_transitions():
            raise TransitionRefused(
                _("不能从“%(from)s”改为“%(to)s”。"),
                code="transition",
                params={"from": self.get_status_display(), "to": to.label},
            )
        if self.is_closed:  # reopening: only by those who handle objections, and saying why
            if not by.has_perm(HANDLE_PERMISSION):
                raise TransitionRefused(REOPEN_NOT_ALLOWED, code="reopen_not_allowed")
            if not note.strip():
                raise TransitionRefused(REOPEN_NEEDS_REASON, code="reopen_needs_reason")
        if to == self.Status.CLOSED:
            if error := self.close_incomplete():
                raise TransitionRefused(error.message, code=error.code, params=error.params)
            closed_date = closed_date or timezone.localdate()
            try:
                self.check_closed_date(closed_date)
            except ValidationError as e:
                raise TransitionRefused(e.message, code=e.code) from None
        else:
            closed_date = None
        version = self.version if expected_version is None else expected_version
        changed = Objection.objects.filter(pk=self.pk, status=self.status, version=version).update(
            status=to,
            closed_date=closed_date,
            version=F("version") + 1,
            updated_by=by,
            updated_at=timezone.now(),
        )
        if not changed:
            raise StaleStatus
        log = ObjectionTransition.objects.create(
            objection=self, from_status=self.status, to_status=to, by=by, note=note
        )
        self.status, self.closed_date, self.version = to, closed_date, version + 1
        self.updated_by, self._stored_status = by, to
        return log

    def close(self, *, by, note="", expected_version=None, closed_date=None):
        return self.transition(
            self.Status.CLOSED, by=by, note=note, expected_version=expected_version, closed_date=closed_date
        )


@tracked()
class ObjectionTransition(models.Model):
    """One status change: from, to, who, when, and why."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("质量异议"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=Objection.Status)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Objection.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("异议状态变更")
        verbose_name_plural = _("异议状态变更")
        ordering = ["objection", "at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


@tracked()
class ObjectionAssignment(models.Model):
    """One (re)assignment of an objection: to whom, from whom, by whom, when, and why."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("质量异议"), on_delete=models.PROTECT, related_name="assignments"
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("异议指派")
        verbose_name_plural = _("异议指派")
        ordering = ["objection", "at", "id"]

    def __str__(self):
        return f"{self.previous or '—'} → {self.handler}"


class OfAnObjectionQuerySet(CustomerScopedQuerySet):
    """The records of an objection, scoped by the objection's customer."""

    customer_field = "objection__customer"


ObjectionPhotoQuerySet = OfAnObjectionQuerySet


class OfAnObjection(models.Model):
    """A record that hangs from an objection (photo, attachment, comment): neither added nor
    removed while the objection is closed (`Objection.check_open`)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.objection.check_open(fresh=True)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.objection.check_open(fresh=True)
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.objection_id:
            self.objection.check_open(fresh=True)


@tracked()
class ObjectionPhoto(OfAnObjection, PhotoModel, ArchiveModel):
    """A defect photo of an objection: full size and thumbnail in storage."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("质量异议"), on_delete=models.PROTECT, related_name="photos"
    )

    objects = ObjectionPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("缺陷照片")
        verbose_name_plural = _("缺陷照片")
        ordering = ["objection", "id"]

    def __str__(self):
        return self.caption or self.original_name

    def get_absolute_url(self):
        return reverse("quality:photo", args=[self.pk, "full"])

    def photo_folder(self):
        return f"quality/objections/{self.objection_id}"


def attachment_path(instance, filename):
    return f"quality/objections/{instance.objection_id}/files/{filename}"


@tracked()
class ObjectionAttachment(OfAnObjection, ArchiveModel):
    """A file kept with an objection that is not a photo: the customer's letter, its 8D form,
    test reports (PDF, Word, Excel; checked by content, `validate_report`)."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("客户来函")
        EIGHT_D = "8d", _("8D 报告")
        TEST_REPORT = "test_report", _("检测报告")
        OTHER = "other", _("其他")

    objection = models.ForeignKey(
        Objection, verbose_name=_("质量异议"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("文件类型"), max_length=16, choices=Kind, default=Kind.LETTER)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(
        _("文件"), upload_to=attachment_path, max_length=300, validators=[validate_report]
    )

    objects = OfAnObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议附件")
        verbose_name_plural = _("异议附件")
        ordering = ["objection", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quality:attachment-file", args=[self.pk])

    @property
    def filename(self):
        return PurePath(self.file.name).name

    def delete_with_file(self):
        """Delete the row now (refused on a closed objection) and its file once the transaction commits."""
        name, storage = self.file.name, self.file.storage
        self.delete()
        transaction.on_commit(lambda: storage.delete(name))


@tracked()
class ObjectionComment(OfAnObjection):
    """One remark in an objection's discussion: who, when, what. Written once, never changed or
    removed afterwards; not added while the objection is closed."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("质量异议"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发表人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("评论"), max_length=2000)

    objects = OfAnObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议评论")
        verbose_name_plural = _("异议评论")
        ordering = ["objection", "at", "id"]  # newest last: a discussion reads top down

    def __str__(self):
        return f"{self.author} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(COMMENT_FIXED, code="comment_fixed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(COMMENT_FIXED, code="comment_fixed")
