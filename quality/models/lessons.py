"""Lessons spread to similar customers (举一反三, paper 3.5): "to prevent the same kind of quality
problem at similar customers".

From an objection, `similar_customers` finds the customers that have not objected to that
defect but buy the same production grade, surface quality or end use, or stamp the same
kind of part. Quality staff attach an `Alert` to their archives; the alert shows on each
one's archive page and in the judgement answers about it, marked as coming from a
similar customer.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind
from customers.models import Customer, CustomerScopedQuerySet, Demand
from products.models import Part

from .objections import Objection

__all__ = ["Alert", "Similarity", "similar_customers"]

SIMILAR_SHOWN = 30
ALERT_TO_COMPLAINANT = _("预警发给其他同类客户，不发给提出这条异议的客户本身。")


class AlertQuerySet(CustomerScopedQuerySet):
    def active(self):
        return self.filter(active=True)


@tracked()
class Alert(ArchiveModel):
    """A lesson from another customer's objection, attached to a similar customer's archive."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text=_("收到预警的同类客户"),
        db_index=False,  # quality_alert_once_per_customer starts with it
    )
    objection = models.ForeignKey(
        Objection, verbose_name=_("来源异议"), on_delete=models.PROTECT, related_name="alerts"
    )
    defect_type = DictionaryForeignKey(kind=DictKind.DEFECT_TYPE, verbose_name=_("缺陷类型"), editable=False)
    reason = models.CharField(
        _("相似之处"), max_length=200, blank=True, help_text=_("例如 同牌号 DC04、同表面质量 FB")
    )
    message = models.CharField(_("预警内容"), max_length=500)
    active = models.BooleanField(_("有效"), default=True, editable=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("同类客户预警")
        verbose_name_plural = _("同类客户预警")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "objection"],
                name="quality_alert_once_per_customer",
                violation_error_message=_("这个客户已有来自这条异议的预警。"),
            ),
        ]
        indexes = [
            # The judgement answer and the archive page: a customer's active alerts.
            models.Index(
                fields=["customer", "-created_at"], condition=Q(active=True), name="quality_alert_active"
            ),
        ]

    def __str__(self):
        return self.message

    def clean(self):
        if self.objection_id and self.customer_id and self.objection.customer_id == self.customer_id:
            raise ValidationError({"customer": ValidationError(ALERT_TO_COMPLAINANT, code="own_customer")})
        if self.objection_id:
            self.defect_type_id = self.objection.defect_type_id

    @staticmethod
    def default_message(objection):
        """ "对划伤敏感：同类客户北汽福田 ZY-2025-0123（一般）冲压后外板表面划伤 …"."""
        text = _("对%(defect)s敏感：同类客户%(customer)s %(number)s（%(severity)s）%(description)s") % {
            "defect": objection.defect_type,
            "customer": objection.customer.short_name or objection.customer.name,
            "number": objection.number,
            "severity": objection.get_severity_display(),
            "description": objection.description,
        }
        return text if len(text) <= 200 else text[:199] + "…"

    def withdraw(self, by):
        """No longer shown (the lesson is learnt, or it was sent by mistake); kept in the archive."""
        self.active = False
        self.stamp(by)
        self.save(update_fields=["active", "version", "updated_by", "updated_at"])


@dataclass
class Similarity:
    """A customer like the objection's, and why."""

    customer: Customer
    reasons: list = field(default_factory=list)
    alert: Alert | None = None  # the alert this objection already gave it

    @property
    def score(self):
        return len(self.reasons)

    @property
    def reason(self):
        return "、".join(str(r) for r in self.reasons)


def objection_product(objection):
    """(grade, surface quality, end use) of the objection's product, as far as it is recorded."""
    demands = [d for d in (objection.demand, objection.part and objection.part.demand) if d is not None]
    grade = objection.production_grade or next(
        (d.production_grade for d in demands if d.production_grade_id), None
    )
    surface = next((d.surface_quality for d in demands if d.surface_quality_id), None)
    use = next((d.end_use for d in demands if d.end_use_id), None)
    return grade, surface, use


def _flag(condition):
    return Max(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def similar_customers(objection, customers, limit=SIMILAR_SHOWN):
    """Customers among `customers` (scoped to the user) that have not objected to the objection's
    defect but buy the same grade, surface quality or end use, or stamp the same kind of part;
    the most alike first. Four queries: demands, parts, the customers, the alerts already given.
    """
    grade, surface, use = objection_product(objection)
    complained = Objection.objects.filter(customer=OuterRef("customer"), defect_type=objection.defect_type_id)
    scope = customers.exclude(pk=objection.customer_id).values("pk")
    found = {}  # customer id → [reason]

    facts = [
        ("g", Q(production_grade=grade), _("同牌号 %(v)s"), grade),
        ("s", Q(surface_quality=surface), _("同表面质量 %(v)s"), surface),
        ("u", Q(end_use=use), _("同用途 %(v)s"), use),
    ]
    facts = [f for f in facts if f[3] is not None]
    if facts:
        wanted = Q()
        for _name, condition, _label, _value in facts:
            wanted |= condition
        flags = {name: _flag(condition) for name, condition, _label, _value in facts}
        rows = (
            Demand.objects.filter(wanted, customer__in=scope)
            .filter(~Exists(complained))
            .values("customer")
            .annotate(**flags)
            .order_by()
        )
        for row in rows.order_by(*[f"-{name}" for name in flags], "customer")[: limit * 3]:
            reasons = [label % {"v": value} for name, _c, label, value in facts if row[name]]
            found.setdefault(row["customer"], []).extend(reasons)

    part = objection.part
    if part is not None:
        parts = [("n", Q(name=part.name), _("冲压同类零件 %(v)s"), part.name)]
        if part.usage_location_id:
            parts.append(
                ("l", Q(usage_location=part.usage_location_id), _("同使用部位 %(v)s"), part.usage_location)
            )
        wanted = Q()
        for _name, condition, _label, _value in parts:
            wanted |= condition
        flags = {name: _flag(condition) for name, condition, _label, _value in parts}
        rows = (
            Part.objects.filter(wanted, customer__in=scope)
            .filter(~Exists(complained))
            .values("customer")
            .annotate(**flags)
            .order_by(*[f"-{name}" for name in flags], "customer")
        )
        for row in rows[: limit * 3]:
            reasons = [label % {"v": value} for name, _c, label, value in parts if row[name]]
            found.setdefault(row["customer"], []).extend(reasons)

    ranked = sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    by_pk = Customer.objects.in_bulk([pk for pk, _reasons in ranked])
    given = {a.customer_id: a for a in objection.alerts.filter(customer__in=list(by_pk))}
    return [Similarity(by_pk[pk], reasons, given.get(pk)) for pk, reasons in ranked if pk in by_pk]
