"""Orders and deliveries: what a customer ordered against one of its demands, and the coils we shipped.

An order (order number, customer, the demand it is placed against, production
grade, thickness × width, tons, requested delivery date, status) comes from the
ERP or is entered by hand; each delivery is one coil shipped under an order
(date, coil number, tons). Delivered tons are what the objection rates (per
10 000 t delivered) and the supply statistics count.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind, dict_name
from customers.models import Customer, CustomerScopedQuerySet

ZERO = Decimal(0)
TONS = models.DecimalField(max_digits=14, decimal_places=3)

# The rules of an order and a delivery, each written once: `clean()` says them to the
# forms and the imports, the named constraints hold them in the database.
QUANTITY_POSITIVE = _("订货量必须大于 0 吨。")
SIZE_POSITIVE = _("厚度和宽度必须大于 0。")
REQUESTED_BEFORE_ORDERED = _("要求交货日期不能早于订货日期。")
DEMAND_OF_ANOTHER_CUSTOMER = _("所选需求“%(demand)s”属于客户“%(other)s”，不是本订单的客户“%(customer)s”。")
TONS_POSITIVE = _("交货吨数必须大于 0。")
DELIVERED_BEFORE_ORDERED = _("交货日期（%(date)s）不能早于订单的订货日期（%(ordered)s）。")


class OrderQuerySet(CustomerScopedQuerySet):
    def for_list(self):
        return self.select_related("customer", "demand", "production_grade")

    def with_delivered(self):
        """Annotate `delivered` (tons) and `coils` from the order's deliveries, in the same query."""
        deliveries = Delivery.objects.filter(order=models.OuterRef("pk")).order_by().values("order")
        tons = deliveries.annotate(t=Sum("tons")).values("t")
        coils = deliveries.annotate(n=Count("id")).values("n")
        return self.annotate(
            delivered=Coalesce(models.Subquery(tons, output_field=TONS), Value(ZERO), output_field=TONS),
            coils=Coalesce(models.Subquery(coils), 0),
        )


@tracked()
class Order(ArchiveModel):
    """A customer's order, placed against one of its demands (the steel it asks for)."""

    class Status(models.TextChoices):
        PLACED = "placed", _("已下单")
        IN_PRODUCTION = "in_production", _("生产中")
        DELIVERING = "delivering", _("部分交货")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    number = models.CharField(_("订单号"), max_length=32, help_text=_("ERP 的订单号，全厂唯一"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # orders_order_customer starts with it
    )
    demand = models.ForeignKey(
        "customers.Demand",
        verbose_name=_("客户需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        help_text=_("订单所依据的客户需求；须是同一客户的需求"),
    )
    production_grade = DictionaryForeignKey(
        kind=DictKind.PRODUCTION_GRADE, verbose_name=_("生产牌号"), null=True, blank=True
    )
    thickness = models.DecimalField(_("厚度"), max_digits=6, decimal_places=3, help_text=_("mm"))
    width = models.DecimalField(_("宽度"), max_digits=7, decimal_places=1, help_text=_("mm"))
    quantity = models.DecimalField(_("订货量"), max_digits=12, decimal_places=3, help_text=_("吨 (t)"))
    order_date = models.DateField(_("订货日期"), default=timezone.localdate)
    requested_date = models.DateField(_("要求交货日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.PLACED)
    remarks = models.TextField(_("备注"), blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-order_date", "-id"]
        permissions = [("export_order", _("可以导出订单和交货记录"))]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="orders_order_number_unique",
                violation_error_message=_("已有相同订单号的订单。"),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="orders_order_quantity_positive",
                violation_error_message=QUANTITY_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(thickness__gt=0) & Q(width__gt=0),
                name="orders_order_size_positive",
                violation_error_message=SIZE_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(requested_date__isnull=True) | Q(requested_date__gte=F("order_date")),
                name="orders_order_requested_after_ordered",
                violation_error_message=REQUESTED_BEFORE_ORDERED,
            ),
        ]
        indexes = [
            # The customer archive section and the list filtered by customer: newest first.
            models.Index(fields=["customer", "-order_date", "-id"], name="orders_order_customer"),
            # The order list unfiltered, newest first.
            models.Index(fields=["-order_date", "-id"], name="orders_order_date"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:order-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.customer_id and self.demand_id and self.demand.customer_id != self.customer_id:
            errors["demand"] = ValidationError(
                DEMAND_OF_ANOTHER_CUSTOMER,
                code="demand_customer",
                params={"demand": self.demand.name, "other": self.demand.customer, "customer": self.customer},
            )
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = ValidationError(QUANTITY_POSITIVE, code="not_positive")
        for name in ("thickness", "width"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = ValidationError(SIZE_POSITIVE, code="not_positive")
        if self.requested_date and self.order_date and self.requested_date < self.order_date:
            errors["requested_date"] = ValidationError(REQUESTED_BEFORE_ORDERED, code="requested_before")
        if errors:
            raise ValidationError(errors)

    @property
    def spec(self):
        """Thickness × width, mm, as the mill writes it."""
        values = [v for v in (self.thickness, self.width) if v is not None]
        return "×".join(f"{v.normalize():f}" for v in values)


class DeliveryQuerySet(CustomerScopedQuerySet):
    customer_field = "order__customer"

    def between(self, start=None, end=None):
        """Deliveries dated within [start, end] (either may be open)."""
        rows = self
        if start:
            rows = rows.filter(date__gte=start)
        if end:
            rows = rows.filter(date__lte=end)
        return rows

    def total(self):
        """Delivered tons and coils: one aggregate."""
        row = self.aggregate(tons=Coalesce(Sum("tons"), Value(ZERO), output_field=TONS), coils=Count("id"))
        return row

    def tons_by(self, field):
        """{value of `field` (an id, a month, or None): delivered tons}, summed in SQL."""
        rows = self.order_by().values(key=F(field)).annotate(tons=Sum("tons"))
        return {r["key"]: r["tons"] or ZERO for r in rows}

    def tons_by_month(self):
        rows = self.order_by().annotate(month=TruncMonth("date")).values("month").annotate(tons=Sum("tons"))
        return {r["month"]: r["tons"] or ZERO for r in rows}

    def top_customers(self, limit):
        """[{customer (a Customer), tons, coils}] of the `limit` customers delivered the most tons:
        totals per customer id in SQL, names for those rows only."""
        rows = list(
            self.order_by()
            .values("order__customer")
            .annotate(tons=Sum("tons"), coils=Count("id"))
            .order_by("-tons", "order__customer")[:limit]
        )
        customers = Customer.objects.in_bulk([r["order__customer"] for r in rows])
        return [
            {"customer": customers[r["order__customer"]], "tons": r["tons"], "coils": r["coils"]}
            for r in rows
        ]

    def by_grade(self, field):
        """[{label, tons, coils}] per grade (`field`: the path to the grade), most tons first."""
        rows = (
            self.order_by()
            .values(field, f"{field}__name", f"{field}__name_en")
            .annotate(tons=Sum("tons"), coils=Count("id"))
            .order_by("-tons", f"{field}__name")
        )
        return [
            {
                "label": dict_name(r[f"{field}__name"], r[f"{field}__name_en"]) if r[field] else None,
                "tons": r["tons"] or ZERO,
                "coils": r["coils"],
            }
            for r in rows
        ]


@tracked()
class Delivery(ArchiveModel):
    """One coil shipped under an order: its date, coil number and weight."""

    order = models.ForeignKey(
        Order,
        verbose_name=_("订单"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,  # orders_delivery_coil_unique starts with it
    )
    date = models.DateField(_("交货日期"), default=timezone.localdate)
    coil_number = models.CharField(_("卷号"), max_length=32)
    tons = models.DecimalField(_("吨数"), max_digits=10, decimal_places=3, help_text=_("吨 (t)"))

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("交货记录")
        verbose_name_plural = _("交货记录")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "coil_number"],
                name="orders_delivery_coil_unique",
                violation_error_message=_("这个订单已有相同卷号的交货记录。"),
            ),
            models.CheckConstraint(
                condition=Q(tons__gt=0),
                name="orders_delivery_tons_positive",
                violation_error_message=TONS_POSITIVE,
            ),
        ]
        indexes = [
            # Rates and supply statistics: deliveries of a date range (grouped by month, grade …).
            models.Index(fields=["date"], name="orders_delivery_date"),
            # Which delivery shipped this coil (objections name coils).
            models.Index(fields=["coil_number"], name="orders_delivery_coil"),
        ]

    def __str__(self):
        return self.coil_number

    def get_absolute_url(self):
        return reverse("orders:order-detail", args=[self.order_id])

    def clean(self):
        errors = {}
        if self.tons is not None and self.tons <= 0:
            errors["tons"] = ValidationError(TONS_POSITIVE, code="not_positive")
        order = getattr(self, "order", None)  # also an order not yet saved (the same import file's)
        if order is not None and self.date and order.order_date and self.date < order.order_date:
            errors["date"] = ValidationError(
                DELIVERED_BEFORE_ORDERED,
                code="delivered_before_ordered",
                params={"date": self.date, "ordered": order.order_date},
            )
        if errors:
            raise ValidationError(errors)
