"""Process-control plans (paper 3.3): set values per line, revisions, actual runs.

A plan (`ProcessPlan`) serves one customer, usually for one demand. Its
content lives in revisions (`PlanRevision`): draft → approved → superseded when
a newer revision is approved. Approved revisions are read-only. Actual runs
(`PlanRun`) record what a coil was really produced with on one line, one value
(`RunValue`) per planned parameter of that line; the plan page compares set vs
actual and summarises each parameter so the targets can be improved ("adopt").
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, StdDev
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.lib.numbers import plain
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind
from archive_site.search import gram_index
from customers.models import CustomerScopedQuerySet, DemandProperty

from .judgement import DOWNGRADED, Disposition
from .objections import Objection

__all__ = [
    "APPROVED_READ_ONLY",
    "PlanError",
    "ProcessPlan",
    "PlanRevision",
    "PlanParameter",
    "PlanRun",
    "RunValue",
    "RunProperty",
    "ParameterStats",
    "CPK_MIN_SAMPLE",
]


APPROVED_READ_ONLY = _("已批准或已替代的版本不能修改。如需修改，请在该版本上“新建修订版本”。")
MUST_BE_POSITIVE = _("必须大于 0。")
THICKNESS_RANGE_EMPTY = _("厚度范围为空：下限大于上限。")
WIDTH_RANGE_EMPTY = _("宽度范围为空：下限大于上限。")
LIMITS_CROSSED = _("下限不能大于上限。")
TARGET_BELOW_LOWER = _("目标值不能小于下限。")
TARGET_ABOVE_UPPER = _("目标值不能大于上限。")
NOT_ON_LINE = _(
    "工艺参数“%(parameter)s”不在产线“%(line)s”上设定：请选择这条产线的参数（参数的适用产线在基础数据中设置）。"
)
# The rules of a run's actual values (`PlanRun.check_values`).
LINE_NOT_PLANNED = _("生产线“%(line)s”不在本方案的产线中。")
NOT_PLANNED = _("方案版本中没有这个工艺参数。")
OTHER_LINE = _("参数“%(p)s”属于%(line)s，本次实绩的生产线是%(run)s。")
NO_VALUES = _("这一行没有任何实际值。")
NOT_REQUIRED = _("客户需求中没有这项性能要求。")
COIL_TAKEN = _("这个卷号在这条生产线上已有实绩。")


class PlanError(Exception):
    """A refused plan action, with a message for the user."""


def copy_record(source, **changes):
    """A new, unsaved record holding every field of `source` but its id, then `changes`.

    The related records `source` has loaded come along, so reading them costs no
    query. The copy is version 1 with no authors yet: `stamp()` it before saving.
    """
    copy = type(source)()
    for f in source._meta.concrete_fields:
        if f.primary_key:
            continue
        setattr(copy, f.attname, getattr(source, f.attname))
        if f.is_relation and f.is_cached(source):
            f.set_cached_value(copy, f.get_cached_value(source))
    copy.version, copy.created_by, copy.updated_by = 1, None, None
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


SEARCH_FIELDS = ("code", "name")


class PlanQuerySet(CustomerScopedQuerySet):
    search_fields = SEARCH_FIELDS

    def with_current(self):
        """Prefetch each plan's current revisions (approved and draft) as `plan.current_revisions`."""
        revisions = PlanRevision.objects.current().select_related("production_grade").order_by("-number")
        return self.prefetch_related(
            models.Prefetch("revisions", queryset=revisions, to_attr="current_revisions")
        )

    def awaiting_approval(self):
        """Plans with a draft revision (at most one each) that nobody has approved yet."""
        drafts = PlanRevision.objects.filter(plan=OuterRef("pk"), status=PlanRevision.Status.DRAFT)
        return self.filter(Exists(drafts))

    def out_of_limits_since(self, day):
        """Plans with a run produced on or after `day` that had an actual value outside its limits."""
        values = RunValue.objects.filter(run__produced_on__gte=day).out_of_limits()
        return self.filter(pk__in=values.values("run__revision__plan"))


@tracked()
class ProcessPlan(ArchiveModel):
    """A process-control plan: its identity, the customer and demand it serves, and its origin."""

    code = models.CharField(_("方案编号"), max_length=32, unique=True)
    name = models.CharField(_("方案名称"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="plans",
        db_index=False,  # quality_plan_customer starts with it
    )
    demand = models.ForeignKey(
        "customers.Demand",
        verbose_name=_("客户需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    origin = models.ForeignKey(
        "PlanRevision",
        verbose_name=_("来源方案版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        help_text=_("“应用到需求”时复制自的方案版本"),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("工艺控制方案")
        verbose_name_plural = _("工艺控制方案")
        ordering = ["-updated_at", "-id"]
        permissions = [("approve_planrevision", _("可以批准工艺控制方案"))]
        indexes = [
            # The customer archive page: plans of a customer, newest first.
            models.Index(fields=["customer", "-updated_at"], name="quality_plan_customer"),
            # The plan list in its own order, and a salesman's plans found along it: without it the
            # list sorted every plan for its first page (9 ms at 100 000 plans, growing with them).
            models.Index(fields=["-updated_at", "-id"], name="quality_plan_updated"),
            # The list's and the header search's substring search.
            gram_index(*SEARCH_FIELDS, name="quality_plan_search"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("quality:plan-detail", args=[self.pk])

    def clean(self):
        if self.demand_id and self.customer_id and self.demand.customer_id != self.customer_id:
            raise ValidationError(
                {
                    "demand": ValidationError(
                        _("需求“%(code)s”不属于本方案的客户。"),
                        code="demand_customer",
                        params={"code": self.demand.code},
                    )
                }
            )

    @property
    def approved_revision(self):
        """From `with_current()`: the approved revision, if any."""
        return next((r for r in self.current_revisions if r.status == PlanRevision.Status.APPROVED), None)

    @property
    def draft_revision(self):
        """From `with_current()`: the draft revision, if any."""
        return next((r for r in self.current_revisions if r.status == PlanRevision.Status.DRAFT), None)

    def next_revision_number(self):
        return (self.revisions.aggregate(n=Max("number"))["n"] or 0) + 1

    def lock(self):
        """Lock the plan row until the transaction ends: revisions are created and approved one at a time."""
        return ProcessPlan.objects.select_for_update().get(pk=self.pk)


class RevisionQuerySet(CustomerScopedQuerySet):
    customer_field = "plan__customer"

    def current(self):
        """The revision to show for each plan: the approved one, else the draft."""
        return self.exclude(status=PlanRevision.Status.SUPERSEDED)

    def reuse_search(self, grade=None, thickness=None, width=None, surface_quality=None, end_use=None):
        """Approved revisions of `grade` whose ranges cover the spec, closest first.

        Closeness: requirements matched (surface quality, end use) first, then
        the distance of the spec from the middle of the thickness and width
        ranges, relative to the spec, then the narrower range.
        """
        qs = self.filter(status=PlanRevision.Status.APPROVED)
        if grade:
            qs = qs.filter(production_grade=grade)
        score = models.Value(0.0)
        if thickness is not None:
            qs = qs.filter(thickness_min__lte=thickness, thickness_max__gte=thickness)
            mid = (F("thickness_min") + F("thickness_max")) / 2
            score = score + models.Func(mid - thickness, function="ABS") / thickness
        if width is not None:
            qs = qs.filter(width_min__lte=width, width_max__gte=width)
            mid = (F("width_min") + F("width_max")) / 2
            score = score + models.Func(mid - width, function="ABS") / width
        mismatches = models.Value(0)
        for field, value in (("surface_quality", surface_quality), ("end_use", end_use)):
            if value is not None:
                mismatches = mismatches + models.Case(
                    models.When(**{field: value}, then=models.Value(0)), default=models.Value(1)
                )
        return qs.annotate(
            mismatches=mismatches,
            distance=models.ExpressionWrapper(score, output_field=models.FloatField()),
            span=F("thickness_max") - F("thickness_min"),
        ).order_by("mismatches", "distance", "span", "-approved_at")


@tracked()
class PlanRevision(ArchiveModel):
    """One revision of a plan: what it applies to, what it serves, its parameters."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已批准")
        SUPERSEDED = "superseded", _("已替代")

    plan = models.ForeignKey(
        ProcessPlan,
        verbose_name=_("工艺控制方案"),
        on_delete=models.PROTECT,
        related_name="revisions",
        db_index=False,  # quality_planrevision_number_unique starts with it
    )
    number = models.PositiveIntegerField(_("版本号"), editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.DRAFT, editable=False)
    production_grade = DictionaryForeignKey(kind=DictKind.PRODUCTION_GRADE, verbose_name=_("生产牌号"))
    thickness_min = models.DecimalField(_("厚度下限"), max_digits=6, decimal_places=3, help_text=_("mm"))
    thickness_max = models.DecimalField(_("厚度上限"), max_digits=6, decimal_places=3, help_text=_("mm"))
    width_min = models.DecimalField(_("宽度下限"), max_digits=7, decimal_places=1, help_text=_("mm"))
    width_max = models.DecimalField(_("宽度上限"), max_digits=7, decimal_places=1, help_text=_("mm"))
    surface_quality = DictionaryForeignKey(
        kind=DictKind.SURFACE_QUALITY, verbose_name=_("表面质量"), null=True, blank=True
    )
    end_use = DictionaryForeignKey(
        kind=DictKind.END_USE, verbose_name=_("钢板最终用途"), null=True, blank=True
    )
    requirements = models.TextField(
        _("满足的质量要求"), blank=True, help_text=_("本方案保证的性能、表面等要求，及工艺控制要点")
    )
    change_note = models.TextField(_("修订说明"), blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("基于版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True, editable=False)

    objects = RevisionQuerySet.as_manager()
    str_related = ("plan",)  # what __str__ reads: fetched along when history names revisions

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="quality_planrevision_number_unique"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status="approved"),
                name="quality_planrevision_one_approved",
                violation_error_message=_("一个方案同时只能有一个已批准版本。"),
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status="draft"),
                name="quality_planrevision_one_draft",
                violation_error_message=_("一个方案同时只能有一个草稿版本。"),
            ),
            models.CheckConstraint(
                condition=Q(thickness_min__gt=0, thickness_min__lte=F("thickness_max")),
                name="quality_planrevision_thickness_range",
                violation_error_message=_("厚度下限必须大于 0，且不能大于厚度上限。"),
            ),
            models.CheckConstraint(
                condition=Q(width_min__gt=0, width_min__lte=F("width_max")),
                name="quality_planrevision_width_range",
                violation_error_message=_("宽度下限必须大于 0，且不能大于宽度上限。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="quality_planrevision_approved_has_date",
            ),
        ]
        indexes = [
            # Reuse search: approved revisions of a grade covering a thickness.
            models.Index(
                fields=["production_grade", "thickness_min", "thickness_max"],
                condition=Q(status="approved"),
                name="quality_revision_reuse",
            ),
            # The home page's drafts awaiting approval, last changed first.
            models.Index(
                fields=["-updated_at", "-id"],
                condition=Q(status="draft"),
                name="quality_revision_drafts",
            ),
        ]

    def __str__(self):
        return f"{self.plan.code} Rev.{self.number}"

    def get_absolute_url(self):
        return reverse("quality:revision-detail", args=[self.pk])

    def clean(self):
        """Only drafts change; the thickness and width ranges start above 0 and are not empty."""
        if self.pk and not self.is_draft:
            raise ValidationError(APPROVED_READ_ONLY, code="read_only")
        errors = {}
        for name in ("thickness_min", "width_min"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = ValidationError(MUST_BE_POSITIVE, code="not_positive")
        for low, high, message in (
            ("thickness_min", "thickness_max", THICKNESS_RANGE_EMPTY),
            ("width_min", "width_max", WIDTH_RANGE_EMPTY),
        ):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                errors[high] = ValidationError(message, code="empty_range")
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def spec_range(self):
        t = f"{plain(self.thickness_min)}–{plain(self.thickness_max)}"
        w = f"{plain(self.width_min)}–{plain(self.width_max)}"
        return f"{t} × {w}"

    def approve(self, by, version=None):
        """Approve this draft and supersede the plan's approved revision.

        The plan row is locked first, then the revision re-read: of two people
        approving at once, the second waits, sees the revision is no longer a
        draft, and is refused. `version`: the revision's version the approver
        was shown; a draft changed since (someone saved an edit meanwhile) is
        refused, so what is approved is what was read.

        Returns the number of the revision it superseded, None for the plan's first approval.
        """
        with transaction.atomic():
            self.plan.lock()
            current = (
                PlanRevision.objects.select_for_update(of=("self",))
                .select_related("approved_by", "updated_by")
                .get(pk=self.pk)
            )
            if current.status != self.Status.DRAFT:
                raise PlanError(
                    _("版本 Rev.%(n)s 已由 %(who)s 于 %(when)s 批准，无需再次批准。")
                    % {
                        "n": current.number,
                        "who": current.approved_by or "-",
                        "when": timezone.localtime(current.approved_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
            if version is not None and version != current.version:
                raise PlanError(
                    _("版本 Rev.%(n)s 在您打开页面后已被 %(who)s 修改，请查看最新内容后再批准。")
                    % {"n": current.number, "who": current.updated_by or "-"}
                )
            if not current.parameters.exists():
                raise PlanError(_("版本 Rev.%(n)s 没有任何工艺参数，不能批准。") % {"n": current.number})
            now = timezone.now()
            approved = PlanRevision.objects.filter(plan=self.plan_id, status=self.Status.APPROVED)
            superseded = list(approved.values_list("number", flat=True))
            approved.update(status=self.Status.SUPERSEDED, updated_at=now, updated_by=by)
            self.status = self.Status.APPROVED
            self.approved_by, self.approved_at = by, now
            self.version = current.version + 1
            self.updated_by = by
            self.save(
                update_fields=["status", "approved_by", "approved_at", "version", "updated_by", "updated_at"]
            )
        return superseded[0] if superseded else None

    def new_draft(self, by, targets=None, note=""):
        """A new draft revision of the same plan, a copy of this one.

        `targets`: {parameter id: new target}, e.g. the observed means ("adopt").
        Refused while the plan already has a draft.
        """
        with transaction.atomic():
            plan = self.plan.lock()
            draft = plan.revisions.filter(status=self.Status.DRAFT).first()
            if draft is not None:
                raise PlanError(
                    _("方案已有草稿版本 Rev.%(n)s，请先修改并批准它，或删除它后再新建。")
                    % {"n": draft.number}
                )
            return self._copy_to(plan, plan.next_revision_number(), by, targets=targets, note=note)

    def copy_as_draft(self, plan, number, note=""):
        """A new, unsaved draft revision `number` of `plan`, based on this one: every field of
        this one but its review. Its parameters are copied with `PlanParameter.copy_to`.

        The one way a revision starts from another: a new draft, adopting the observed
        means, applying to another customer's demand, and an import's change to an
        approved plan.
        """
        return copy_record(
            self,
            plan=plan,
            number=number,
            status=self.Status.DRAFT,
            approved_by=None,
            approved_at=None,
            based_on=self,
            change_note=note,
        )

    def copy_to_demand(self, demand, code, name, by):
        """A new plan for `demand` (its customer), whose first draft copies this revision."""
        with transaction.atomic():
            plan = ProcessPlan(code=code, name=name, customer=demand.customer, demand=demand, origin=self)
            plan.stamp(by)
            plan.save()
            self._copy_to(
                plan,
                1,
                by,
                note=_("复制自 %(rev)s（%(customer)s）") % {"rev": self, "customer": self.plan.customer},
            )
            return plan

    def _copy_to(self, plan, number, by, targets=None, note=""):
        """Save a copy of this revision as stored (and of its parameters) as draft `number` of `plan`."""
        new = PlanRevision.objects.get(pk=self.pk).copy_as_draft(plan, number, note)
        new.stamp(by)
        new.save()
        targets = targets or {}
        parameters = [p.copy_to(new, target=targets.get(p.pk)) for p in self.parameters.all()]
        for p in parameters:
            p.stamp(by)
        PlanParameter.objects.bulk_create(parameters)
        return new

    def statistics(self, coils=None):
        """Per parameter over all runs: count, mean, sample sd, min, max, values out of limits. One query.

        `coils`: only the runs of these coil numbers (e.g. `good_coils()`).
        Returns {parameter id: ParameterStats}, in parameter order.
        """
        values = RunValue.objects.filter(run__revision=self)
        if coils is not None:
            values = values.filter(run__coil_number__in=list(coils))
        rows = values.values("parameter").annotate(
            n=Count("id"),
            mean=Avg("value"),
            sd=StdDev("value", sample=True),
            low=Min("value"),
            high=Max("value"),
            out=Count("id", filter=Q(value__lt=F("parameter__lower")) | Q(value__gt=F("parameter__upper"))),
        )
        return {
            r["parameter"]: ParameterStats(r["n"], r["mean"], r["sd"], r["low"], r["high"], r["out"])
            for r in rows
        }

    def property_limits(self):
        """The plan's demand's property rows, {property id: DemandProperty}; None without a demand."""
        if not self.plan.demand_id:
            return None
        rows = DemandProperty.objects.filter(demand=self.plan.demand_id).select_related("property")
        return {r.property_id: r for r in rows}

    def property_statistics(self, requirements):
        """Per measured property over all runs: count, mean, sample sd, min, max, values outside
        the demand's limits (`requirements`, see `property_limits()`). One query.

        Returns {property id: ParameterStats}.
        """
        out = Q(pk__in=[])
        for pid, r in (requirements or {}).items():
            outside = Q(pk__in=[])
            if r.min_value is not None:
                outside |= Q(value__lt=r.min_value)
            if r.max_value is not None:
                outside |= Q(value__gt=r.max_value)
            out |= Q(property=pid) & outside
        rows = (
            RunProperty.objects.filter(run__revision=self)
            .values("property")
            .annotate(
                n=Count("id"),
                mean=Avg("value"),
                sd=StdDev("value", sample=True),
                low=Min("value"),
                high=Max("value"),
                out=Count("id", filter=out),
            )
            .order_by()
        )
        return {
            r["property"]: ParameterStats(r["n"], r["mean"], r["sd"], r["low"], r["high"], r["out"])
            for r in rows
        }

    def good_coils(self, requirements=None):
        """The coil numbers of this revision's runs whose product came out well: an outcome is
        recorded (a judgement result, a surface grade or a measured property) and nothing says
        otherwise — no run of the coil judged 改判, no measured property outside the demand's
        limits, no objection naming the coil. "Adopt" may take its targets from these alone.

        `requirements`: the demand's limits if already read (`property_limits()`).
        """
        if requirements is None:
            requirements = self.property_limits()
        requirements = requirements or {}
        outside = Q(pk__in=[])
        for pid, r in requirements.items():
            if r.min_value is not None:
                outside |= Q(property=pid, value__lt=r.min_value)
            if r.max_value is not None:
                outside |= Q(property=pid, value__gt=r.max_value)
        measured = RunProperty.objects.filter(run=OuterRef("pk"))
        runs = self.runs.annotate(measured=Exists(measured), off=Exists(measured.filter(outside)))
        known, bad = set(), set()
        for coil, result, grade, has_properties, off in runs.values_list(
            "coil_number", "result", "surface_grade", "measured", "off"
        ):
            if result or grade or has_properties:
                known.add(coil)
            if result in DOWNGRADED or off:
                bad.add(coil)
        if known:
            from_objections = Objection.objects.naming_any(known)
            bad.update(c for coils in from_objections.values_list("coil_numbers", flat=True) for c in coils)
        return known - bad


# Below this many values a Cpk says little: shown, but marked as unreliable.
CPK_MIN_SAMPLE = 25


@dataclass
class ParameterStats:
    count: int
    mean: Decimal | float | None
    sd: Decimal | float | None
    min: Decimal | None
    max: Decimal | None
    out: int = 0  # values outside the limits

    def cpk(self, lower, upper):
        """min(USL − mean, mean − LSL) / (3·sd); one-sided when only one limit is set.

        None when it cannot be computed: fewer than two values, no spread, no limits.
        """
        if (
            self.count < 2
            or self.sd is None
            or self.mean is None
            or not self.sd
            or (lower is None and upper is None)
        ):
            return None
        mean, sd = float(self.mean), float(self.sd)
        sides = []
        if upper is not None:
            sides.append(float(upper) - mean)
        if lower is not None:
            sides.append(mean - float(lower))
        value = min(sides) / (3 * sd)
        return None if math.isnan(value) else value

    @property
    def reliable(self):
        """Whether there are enough values for the Cpk to mean much (`CPK_MIN_SAMPLE`)."""
        return self.count >= CPK_MIN_SAMPLE


class ParameterQuerySet(CustomerScopedQuerySet):
    customer_field = "revision__plan__customer"


@tracked()
class PlanParameter(ArchiveModel):
    """A set value of one line's process parameter: target within lower and upper limits."""

    revision = models.ForeignKey(
        PlanRevision,
        verbose_name=_("方案版本"),
        on_delete=models.CASCADE,
        related_name="parameters",
        db_index=False,  # quality_planparameter_unique starts with it
    )
    line = DictionaryForeignKey(kind=DictKind.PRODUCTION_LINE, verbose_name=_("生产线"))
    parameter = DictionaryForeignKey(kind=DictKind.PROCESS_PARAMETER, verbose_name=_("工艺参数"))
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4)
    lower = models.DecimalField(_("下限"), max_digits=12, decimal_places=4, null=True, blank=True)
    upper = models.DecimalField(_("上限"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True, help_text=_("例如 ℃、%、m/min、kN"))

    objects = ParameterQuerySet.as_manager()
    str_related = ("line", "parameter")  # what __str__ reads

    class Meta:
        verbose_name = _("工艺参数设定")
        verbose_name_plural = _("工艺参数设定")
        ordering = ["revision", "line__sort_order", "parameter__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "line", "parameter"], name="quality_planparameter_unique"
            ),
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(lower__lte=F("target")),
                name="quality_planparameter_lower_le_target",
                violation_error_message=TARGET_BELOW_LOWER,
            ),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=F("target")),
                name="quality_planparameter_target_le_upper",
                violation_error_message=TARGET_ABOVE_UPPER,
            ),
        ]

    def __str__(self):
        return f"{self.line} · {self.parameter}"

    def clean(self):
        """The parameter is one of the line's, in its dictionary unit (a blank unit takes it);
        the target lies within the limits, and the lower limit is not above the upper."""
        errors = {}
        if self.parameter_id is not None:
            if self.line_id is not None and not self.parameter.set_on(self.line):
                params = {"parameter": str(self.parameter), "line": str(self.line)}
                errors["parameter"] = ValidationError(NOT_ON_LINE, code="not_on_line", params=params)
            try:
                self.unit = self.parameter.unit_for(self.unit)
            except ValidationError as e:
                errors["unit"] = e
        target, lower, upper = self.target, self.lower, self.upper
        if lower is not None and upper is not None and lower > upper:
            errors["upper"] = ValidationError(LIMITS_CROSSED, code="limits_crossed")
        elif target is not None and lower is not None and target < lower:
            errors["target"] = ValidationError(TARGET_BELOW_LOWER, code="below_lower")
        elif target is not None and upper is not None and target > upper:
            errors["target"] = ValidationError(TARGET_ABOVE_UPPER, code="above_upper")
        if errors:
            raise ValidationError(errors)

    def copy_to(self, revision, target=None):
        """A new, unsaved parameter of `revision` with every field of this one (and `target` if given)."""
        changes = {"revision": revision} if target is None else {"revision": revision, "target": target}
        return copy_record(self, **changes)

    def is_out(self, value):
        """Whether an actual value lies outside the limits."""
        if value is None:
            return False
        return (self.lower is not None and value < self.lower) or (
            self.upper is not None and value > self.upper
        )


class RunQuerySet(CustomerScopedQuerySet):
    customer_field = "revision__plan__customer"


@tracked()
class PlanRun(ArchiveModel):
    """A coil as it was really produced on one line under a plan revision."""

    revision = models.ForeignKey(
        PlanRevision,
        verbose_name=_("方案版本"),
        on_delete=models.PROTECT,
        related_name="runs",
        db_index=False,  # quality_planrun_coil_unique starts with it
    )
    coil_number = models.CharField(_("卷号"), max_length=32)
    produced_on = models.DateField(_("生产日期"))
    line = DictionaryForeignKey(kind=DictKind.PRODUCTION_LINE, verbose_name=_("生产线"))
    remarks = models.CharField(_("备注"), max_length=200, blank=True)
    # What came out of the line (paper 3.3: optimise by the actual final product quality);
    # the measured properties are `RunProperty` rows.
    surface_grade = DictionaryForeignKey(
        kind=DictKind.SURFACE_QUALITY, verbose_name=_("表面等级"), null=True, blank=True
    )
    result = models.CharField(_("判定结果"), max_length=16, choices=Disposition, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("实绩")
        verbose_name_plural = _("实绩")
        ordering = ["revision", "produced_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "coil_number", "line"],
                name="quality_planrun_coil_unique",
                violation_error_message=COIL_TAKEN,
            ),
        ]
        indexes = [
            # The plan page: runs of a revision in production order.
            models.Index(fields=["revision", "produced_on", "id"], name="quality_run_revision"),
            # The home page: the runs of the last days, for plans whose runs went out of limits.
            models.Index(fields=["produced_on"], name="quality_run_produced"),
            # An objection's page: the runs of the coils it names, in production order.
            models.Index(fields=["coil_number", "produced_on"], name="quality_run_coil"),
        ]

    def __str__(self):
        return self.coil_number

    @staticmethod
    def check_values(revision, line, values, planned=None, properties=None, required=None, outcome=False):
        """Refuse actual values that a run of `revision` on `line` cannot take: the one rule of
        the run form, the run grid, the runs import (and the plan page's upload) and the API.

        The line must be one the revision plans; each value must be of a parameter the
        revision plans on that line; each measured property one the plan's demand requires
        (when the plan serves a demand); a run records at least one value, measured
        property or outcome (`outcome`: a surface grade or judgement result is given).

        `properties`: {key: value} of measured properties, a key naming the property as a
        DictEntry or its id; `required`: the demand's requirements as {property id:
        DemandProperty}, None when the plan serves no demand (then any property is taken).

        `values`: {key: value}, blanks as None, a key naming a parameter as a PlanParameter
        of the revision (or its id) or as a (line id, parameter id) pair, as a "产线/参数"
        column does. `planned`: the revision's parameters as {(line id, parameter id):
        PlanParameter}, read when not given. Raises ValidationError keyed by "line", by the
        keys of `values`, and NON_FIELD_ERRORS for the run as a whole.
        """
        if planned is None:
            parameters = revision.parameters.select_related("line", "parameter")
            planned = {(p.line_id, p.parameter_id): p for p in parameters}
        line_id = getattr(line, "pk", line)
        if line is not None and all(planned_line != line_id for planned_line, _p in planned):
            error = ValidationError(LINE_NOT_PLANNED, code="line_not_planned", params={"line": line})
            raise ValidationError({"line": error})
        by_pk = {p.pk: p for p in planned.values()}
        errors = {}
        for key, value in values.items():
            if value is None:
                continue
            p = planned.get(key) if isinstance(key, tuple) else by_pk.get(getattr(key, "pk", key))
            if p is None:
                errors[key] = ValidationError(NOT_PLANNED, code="not_planned")
            elif line is not None and p.line_id != line_id:
                params = {"p": p.parameter, "line": p.line, "run": line}
                errors[key] = ValidationError(OTHER_LINE, code="other_line", params=params)
        properties = properties or {}
        for key, value in properties.items():
            if value is not None and required is not None and getattr(key, "pk", key) not in required:
                errors[key] = ValidationError(NOT_REQUIRED, code="not_required")
        measured = [v for v in [*values.values(), *properties.values()] if v is not None]
        if not measured and not outcome:
            errors[NON_FIELD_ERRORS] = ValidationError(NO_VALUES, code="no_values")
        if errors:
            raise ValidationError(errors)


class ValueQuerySet(CustomerScopedQuerySet):
    customer_field = "run__revision__plan__customer"

    def out_of_limits(self):
        """Actual values below their parameter's lower or above its upper limit (`PlanParameter.is_out`)."""
        return self.filter(Q(value__lt=F("parameter__lower")) | Q(value__gt=F("parameter__upper")))


@tracked()
class RunValue(models.Model):
    """The actual value of one planned parameter in one run."""

    run = models.ForeignKey(
        PlanRun,
        verbose_name=_("实绩"),
        on_delete=models.CASCADE,
        related_name="values",
        db_index=False,  # quality_runvalue_unique starts with it
    )
    parameter = models.ForeignKey(
        PlanParameter,
        verbose_name=_("工艺参数设定"),
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,  # quality_runvalue_parameter starts with it
    )
    value = models.DecimalField(_("实际值"), max_digits=12, decimal_places=4)

    objects = ValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("实绩值")
        verbose_name_plural = _("实绩值")
        constraints = [
            models.UniqueConstraint(fields=["run", "parameter"], name="quality_runvalue_unique"),
        ]
        indexes = [
            # Statistics: all values of a parameter.
            models.Index(fields=["parameter", "value"], name="quality_runvalue_parameter"),
        ]

    def __str__(self):
        return f"{self.parameter}: {self.value}"


class PropertyQuerySet(CustomerScopedQuerySet):
    customer_field = "run__revision__plan__customer"


@tracked()
class RunProperty(models.Model):
    """A property measured on the product of a run (Rp0.2, Rm, A80, r90, n90 …): the demand's
    property rows say which are wanted and their limits."""

    run = models.ForeignKey(
        PlanRun,
        verbose_name=_("实绩"),
        on_delete=models.CASCADE,
        related_name="properties",
        db_index=False,  # quality_runproperty_unique starts with it
    )
    property = DictionaryForeignKey(kind=DictKind.MECHANICAL_PROPERTY, verbose_name=_("力学性能项目"))
    value = models.DecimalField(_("实测值"), max_digits=10, decimal_places=3)

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = _("实测性能")
        verbose_name_plural = _("实测性能")
        constraints = [
            models.UniqueConstraint(fields=["run", "property"], name="quality_runproperty_unique"),
        ]
        # Statistics read a revision's properties through its runs (run_id, the foreign key's index).

    def __str__(self):
        return f"{self.property}: {self.value}"
