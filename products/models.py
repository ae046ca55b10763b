"""Parts stamped from the mill's sheet (paper 3.6) and the supply statistics over them (3.7).

A part belongs to one customer and is made from one of that customer's demands
(the steel: delivery and production grade). Its blank is thickness × width ×
length (mm); its weights are the blank's gross weight, the material quota and
the finished part's net weight (kg). The utilization rate is net ÷ gross,
computed, never typed.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.lib.numbers import dimensions
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind, dict_name
from archive_site.photos import PhotoModel
from archive_site.scope import taken_error
from archive_site.search import gram_index
from customers.models import CustomerScopedQuerySet

# Density of steel for the theoretical blank weight: 7.85 g/cm³ = 7.85e-6 kg/mm³.
STEEL_DENSITY_KG_PER_MM3 = Decimal("0.00000785")
MUST_BE_POSITIVE = _("必须大于 0。")


def validate_positive(value):
    if value is not None and value <= 0:
        raise ValidationError(MUST_BE_POSITIVE, code="not_positive")


# How the statistics group parts by grade: through the demand the part is made from.
GRADE_FIELDS = {
    "delivery": ("demand__delivery_grade", _("交货牌号")),
    "production": ("demand__production_grade", _("生产牌号")),
}
RATIO = DecimalField(max_digits=12, decimal_places=6)


def utilization_of(net, gross):
    """net ÷ gross as an SQL expression (NULL when gross is 0 or missing)."""
    return ExpressionWrapper(F(net) / NullIf(F(gross), Value(0)), output_field=RATIO)


def totals():
    """The figures every statistics row and total carries (for .values(...).annotate / .aggregate)."""
    zero = Value(Decimal("0"))
    return {
        "parts": Count("id"),
        "gross": Coalesce(Sum("gross_weight"), zero),
        "net": Coalesce(Sum("net_weight"), zero),
        "quota": Coalesce(Sum("material_quota"), zero),
    }


def with_utilization(row):
    """A totals row (dict) with its utilization: total net ÷ total gross, not a mean of rates."""
    row["utilization"] = row["net"] / row["gross"] if row.get("gross") else None
    return row


SEARCH_FIELDS = ("name", "number")


class PartQuerySet(CustomerScopedQuerySet):
    search_fields = SEARCH_FIELDS

    def for_list(self):
        return self.select_related(
            "customer", "car_model", "usage_location", "demand__delivery_grade", "demand__production_grade"
        )

    def with_utilization(self):
        """Annotate `utilization_ratio` (net ÷ gross) for sorting and filtering in SQL."""
        return self.annotate(utilization_ratio=utilization_of("net_weight", "gross_weight"))

    def with_first_photo(self):
        """Annotate `first_photo_id` and `photo_count`: thumbnails of a list in the same query."""
        photos = PartPhoto.objects.filter(part=models.OuterRef("pk")).order_by("id")
        counts = photos.order_by().values("part").annotate(n=Count("id")).values("n")
        return self.annotate(
            first_photo_id=models.Subquery(photos.values("id")[:1]),
            photo_count=Coalesce(models.Subquery(counts), 0),
        )

    def summary(self):
        """One row of totals over the parts: count, gross, net, quota, utilization."""
        return with_utilization(self.aggregate(**totals()))

    def by_car_model(self):
        """Totals per car model, largest material quota first (parts without a model last)."""
        rows = (
            self.order_by()
            .values("car_model", "car_model__name", "car_model__name_en")
            .annotate(**totals())
            .order_by("-quota", "car_model__name")
        )
        return [
            with_utilization(dict(r, label=dict_name(r["car_model__name"], r["car_model__name_en"])))
            for r in rows
        ]

    def by_grade(self, grade="delivery"):
        """Totals per grade of the demand the parts are made from (delivery or production grade)."""
        field = GRADE_FIELDS[grade][0]
        rows = (
            self.order_by()
            .values(field, f"{field}__name", f"{field}__name_en")
            .annotate(**totals())
            .order_by("-quota", f"{field}__name")
        )
        return [
            with_utilization(dict(r, label=dict_name(r[f"{field}__name"], r[f"{field}__name_en"])))
            for r in rows
        ]

    def by_customer(self):
        rows = (
            self.order_by()
            .values("customer", "customer__code", "customer__name")
            .annotate(**totals())
            .order_by("-quota", "customer__code")
        )
        return [with_utilization(dict(r, label=r["customer__name"])) for r in rows]


@tracked()
class Part(ArchiveModel):
    """A part a customer stamps from our sheet, with its blank and weights."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="parts",
        db_index=False,  # products_part_number_unique starts with it
    )
    car_model = DictionaryForeignKey(
        kind=DictKind.CAR_MODEL,
        verbose_name=_("车型"),
        null=True,
        blank=True,
        help_text=_("家电等非汽车零件留空"),
    )
    name = models.CharField(_("零件名称"), max_length=100, help_text=_("例如 前门外板"))
    number = models.CharField(_("零件编号"), max_length=50, help_text=_("客户的零件号，同一客户内唯一"))
    usage_location = DictionaryForeignKey(
        kind=DictKind.USAGE_LOCATION, verbose_name=_("使用部位"), null=True, blank=True
    )
    demand = models.ForeignKey(
        "customers.Demand",
        verbose_name=_("客户需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_("零件所用钢板的需求（牌号、规格）；须是同一客户的需求"),
    )
    blank_thickness = models.DecimalField(
        _("毛坯厚度"), max_digits=6, decimal_places=3, validators=[validate_positive], help_text=_("mm")
    )
    blank_width = models.DecimalField(
        _("毛坯宽度"), max_digits=7, decimal_places=1, validators=[validate_positive], help_text=_("mm")
    )
    blank_length = models.DecimalField(
        _("毛坯长度"), max_digits=7, decimal_places=1, validators=[validate_positive], help_text=_("mm")
    )
    gross_weight = models.DecimalField(
        _("毛坯毛重"), max_digits=9, decimal_places=3, validators=[validate_positive], help_text=_("kg")
    )
    material_quota = models.DecimalField(
        _("材料定额"),
        max_digits=9,
        decimal_places=3,
        validators=[validate_positive],
        help_text=_("kg/件，每个零件消耗的钢板定额"),
    )
    net_weight = models.DecimalField(
        _("零件净重"), max_digits=9, decimal_places=3, validators=[validate_positive], help_text=_("kg")
    )
    remarks = models.TextField(_("备注"), blank=True)

    objects = PartQuerySet.as_manager()

    # An import checks every row's number against the file and the database at once
    # (the number is its key) and sets this, instead of one query per row in `clean`.
    skip_number_check = False

    class Meta:
        verbose_name = _("零件")
        verbose_name_plural = _("零件")
        ordering = ["customer__code", "number"]
        permissions = [("export_part", _("可以导出零件和供货统计"))]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number"],
                name="products_part_number_unique",
                violation_error_message=_("该客户已有相同零件编号的零件：零件编号在同一客户内不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(blank_thickness__gt=0) & Q(blank_width__gt=0) & Q(blank_length__gt=0),
                name="products_part_blank_positive",
                violation_error_message=_("毛坯厚度、宽度、长度必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(gross_weight__gt=0) & Q(net_weight__gt=0) & Q(material_quota__gt=0),
                name="products_part_weights_positive",
                violation_error_message=_("毛重、净重和材料定额必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(net_weight__lte=F("gross_weight")),
                name="products_part_net_within_gross",
                violation_error_message=_("零件净重不能大于毛坯毛重。"),
            ),
        ]
        # The customer archive section, the list filtered by customer and the statistics of a
        # customer (WHERE customer_id IN ...) use the unique constraint's index on (customer,
        # number); the foreign keys' own indexes serve the list filters by car model and usage
        # location and the demand's delete check.
        indexes = [
            # The list's and the header search's substring search.
            gram_index(*SEARCH_FIELDS, name="products_part_search"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("products:part-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.demand_id and self.customer_id and self.demand.customer_id != self.customer_id:
            errors["demand"] = ValidationError(
                _(
                    "所选需求“%(demand)s”属于客户“%(other)s”，不是本零件的客户“%(customer)s”。请选择本客户的需求。"
                ),
                code="demand_customer",
                params={"demand": self.demand.name, "other": self.demand.customer, "customer": self.customer},
            )
        gross, net = self.gross_weight, self.net_weight
        if gross is not None and net is not None and gross > 0 and net > gross:
            errors["net_weight"] = ValidationError(
                _("零件净重（%(net)s kg）不能大于毛坯毛重（%(gross)s kg）。"),
                code="net_over_gross",
                params={"net": net, "gross": gross},
            )
        if self.customer_id and self.number and not self.skip_number_check:
            taken = Part.objects.filter(customer_id=self.customer_id, number=self.number.strip())
            if self.pk:
                taken = taken.exclude(pk=self.pk)
            other = taken.first()
            if other:
                # Named to the user only if they may see it (archive_site.scope).
                errors["number"] = taken_error(
                    other.number,
                    other,
                    _("零件编号“%(number)s”已被该客户的零件“%(name)s”使用，同一客户的零件编号不能重复。"),
                    number=other.number,
                    name=other.name,
                )
        if errors:
            raise ValidationError(errors)

    @property
    def utilization(self):
        """Material utilization: net ÷ gross (a fraction; templates show it as %)."""
        if not self.gross_weight or self.net_weight is None:
            return None
        return self.net_weight / self.gross_weight

    @property
    def blank_size(self):
        """Thickness × width × length, mm, as the mill writes it."""
        return dimensions(self.blank_thickness, self.blank_width, self.blank_length)

    @property
    def theoretical_gross_weight(self):
        """The blank's weight from its size at 7.85 g/cm³ (kg), to check the typed gross weight."""
        values = (self.blank_thickness, self.blank_width, self.blank_length)
        if any(v is None for v in values):
            return None
        t, w, length = values
        return (t * w * length * STEEL_DENSITY_KG_PER_MM3).quantize(Decimal("0.001"))

    def copy_values(self):
        """Initial form values for a new part like this one (number left for the user to give)."""
        fields = [
            "car_model",
            "name",
            "usage_location",
            "demand",
            "blank_thickness",
            "blank_width",
            "blank_length",
            "gross_weight",
            "material_quota",
            "net_weight",
            "remarks",
        ]
        values = {f: getattr(self, self._meta.get_field(f).attname) for f in fields}
        values["number"] = ""
        return values


class PartPhotoQuerySet(CustomerScopedQuerySet):
    customer_field = "part__customer"


@tracked()
class PartPhoto(PhotoModel, ArchiveModel):
    """A photo of a part (the real part, the blank, a drawing view), with its caption."""

    part = models.ForeignKey(Part, verbose_name=_("零件"), on_delete=models.PROTECT, related_name="photos")

    objects = PartPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("零件照片")
        verbose_name_plural = _("零件照片")
        ordering = ["part", "id"]

    def __str__(self):
        return self.caption or self.original_name

    def photo_folder(self):
        return f"products/parts/{self.part_id}"

    def get_absolute_url(self):
        return reverse("products:photo", args=[self.pk, "full"])
