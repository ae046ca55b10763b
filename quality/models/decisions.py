"""The inspector's decisions (判定记录): what was decided for which coils, on what grounds.

From the judgement check's answer, the inspector records the decision for one or more
coils — 合格, 改判现货 or 改判协议品 — and, where the paper asks for it, the measure on
the line: stop the customer's later production of the same kind, or adjust the process
(saying how). The record keeps the question, the answer as it was shown and the
objections behind it, who decided and when. Decisions are not edited: a record of what
was decided stays as it was.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind
from customers.models import CustomerScopedQuerySet

from .judgement import DOWNGRADED, Disposition, Severity, Verdict

__all__ = ["Decision"]

ADJUSTMENT_NEEDED = _("选择“调整工艺”时，请写明如何调整（例如 平整张力降低 10%）。")
OVERRIDE_NEEDS_NOTE = _("判定辅助的答复是“不得判定为合格”：仍判为合格时，请在说明中写明理由。")
NO_COILS = _("请至少填写一个卷号。")


class DecisionQuerySet(CustomerScopedQuerySet):
    def downgraded(self):
        return self.filter(disposition__in=DOWNGRADED)


@tracked()
class Decision(ArchiveModel):
    class Measure(models.TextChoices):
        NONE = "none", _("无")
        STOP = "stop", _("停止该客户后续同类生产")
        ADJUST = "adjust", _("调整工艺")

    # The question.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="decisions",
        db_index=False,  # quality_decision_customer starts with it
    )
    defect_type = DictionaryForeignKey(kind=DictKind.DEFECT_TYPE, verbose_name=_("缺陷类型"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity)
    production_grade = DictionaryForeignKey(
        kind=DictKind.PRODUCTION_GRADE, verbose_name=_("生产牌号"), null=True, blank=True
    )
    thickness = models.DecimalField(_("厚度"), max_digits=6, decimal_places=3, null=True, blank=True)
    width = models.DecimalField(_("宽度"), max_digits=7, decimal_places=1, null=True, blank=True)
    surface_quality = DictionaryForeignKey(
        kind=DictKind.SURFACE_QUALITY, verbose_name=_("表面质量"), null=True, blank=True
    )
    end_use = DictionaryForeignKey(
        kind=DictKind.END_USE, verbose_name=_("钢板最终用途"), null=True, blank=True
    )
    demand = models.ForeignKey(
        "customers.Demand",
        verbose_name=_("客户需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    part = models.ForeignKey(
        "products.Part",
        verbose_name=_("零件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The answer, as it was shown.
    verdict = models.CharField(_("判定辅助答复"), max_length=16, choices=Verdict)
    answer = models.TextField(_("答复内容"))
    objections = models.ManyToManyField(
        "Objection", verbose_name=_("依据的异议"), related_name="decisions", blank=True
    )
    # The decision.
    coil_numbers = ArrayField(
        models.CharField(max_length=32),
        verbose_name=_("卷号"),
        help_text=_("本次判定的钢卷号，用空格、逗号或换行分隔"),
    )
    tonnage = models.DecimalField(
        _("吨数"),
        max_digits=10,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("这些钢卷的重量，吨 (t)"),
    )
    disposition = models.CharField(_("判定"), max_length=16, choices=Disposition)
    measure = models.CharField(_("现场措施"), max_length=16, choices=Measure, default=Measure.NONE)
    adjustment = models.CharField(
        _("工艺调整"), max_length=300, blank=True, help_text=_("调整了什么、调整多少")
    )
    note = models.TextField(_("说明"), blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("判定记录")
        verbose_name_plural = _("判定记录")
        ordering = ["-created_at", "-id"]
        permissions = [("export_decision", _("可以导出判定记录"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(coil_numbers__len__gt=0),
                name="quality_decision_has_coils",
                violation_error_message=NO_COILS,
            ),
            models.CheckConstraint(
                condition=~Q(measure="adjust") | ~Q(adjustment=""),
                name="quality_decision_adjustment_described",
                violation_error_message=ADJUSTMENT_NEEDED,
            ),
            models.CheckConstraint(
                condition=~Q(disposition="qualified", verdict="not_acceptable") | ~Q(note=""),
                name="quality_decision_override_explained",
                violation_error_message=OVERRIDE_NEEDS_NOTE,
            ),
            models.CheckConstraint(condition=Q(tonnage__gte=0), name="quality_decision_tonnage_not_negative"),
        ]
        indexes = [
            # The decisions list, newest first.
            models.Index(fields=["-created_at", "-id"], name="quality_decision_recent"),
            # The customer archive section and the list filtered by customer.
            models.Index(fields=["customer", "-created_at"], name="quality_decision_customer"),
            # Which decisions name this coil.
            GinIndex(fields=["coil_numbers"], name="quality_decision_coils"),
        ]

    def __str__(self):
        coils = " ".join(self.coil_numbers[:3]) + (" …" if len(self.coil_numbers) > 3 else "")
        return f"{coils} {self.get_disposition_display()}"

    def get_absolute_url(self):
        return reverse("quality:decision-detail", args=[self.pk])

    def clean(self):
        """The rules of a decision, for the form (and any other way one is recorded)."""
        errors = {}
        if not self.coil_numbers:
            errors["coil_numbers"] = ValidationError(NO_COILS, code="no_coils")
        if self.measure == self.Measure.ADJUST and not self.adjustment.strip():
            errors["adjustment"] = ValidationError(ADJUSTMENT_NEEDED, code="adjustment_needed")
        if (
            self.disposition == Disposition.QUALIFIED
            and self.verdict == Verdict.NOT_ACCEPTABLE
            and not self.note.strip()
        ):
            errors["note"] = ValidationError(OVERRIDE_NEEDS_NOTE, code="override_needs_note")
        for name in ("demand", "part"):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and self.customer_id and related.customer_id != self.customer_id:
                errors[name] = ValidationError(_("不属于所选客户。"), code=f"{name}_customer")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_answer(cls, answer):
        """A new, unsaved decision on `answer` (a `Judgement`): its question and the answer as shown.
        Save it, then `keep_grounds(answer)`."""
        q = answer.question
        return cls(
            customer=q.customer,
            defect_type=q.defect_type,
            severity=q.severity,
            production_grade=q.production_grade,
            thickness=q.thickness,
            width=q.width,
            surface_quality=q.surface_quality,
            end_use=q.end_use,
            demand=q.demand,
            part=q.part,
            verdict=answer.verdict,
            answer=answer.summary(),
        )

    def keep_grounds(self, answer):
        """Link the objections that decided `answer`."""
        self.objections.set([o.pk for o in answer.deciding])

    @property
    def is_downgrade(self):
        return self.disposition in DOWNGRADED

    @property
    def coil_count(self):
        return len(self.coil_numbers)
