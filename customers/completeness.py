"""How complete a customer's archive is: a score from rules everyone can read.

Each rule says what a complete archive holds (a credit code, an address, a contact with
a phone, a demand with its composition and property requirements, a contract, for
automotive customers parts with photos and a drawing, a recent verification) and weighs
so much; a rule that does not apply to a customer (the automotive ones) does not count
for it. The score is the weight of the rules met ÷ the weight of the rules that apply,
as a whole percentage.

Every rule is an SQL condition on the customer row (`EXISTS` for what lies in other
tables), so the report scores and sorts thousands of customers in one query and the
customer page scores one; `fix` says where to fill what is missing.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Avg, Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from archive_site.models import DictEntry, DictKind
from customers.merge import customer_foreign_keys
from customers.models import (
    Contact,
    CustomerDocument,
    Demand,
    DemandElement,
    DemandProperty,
    verification_due_since,
    verification_overdue_q,
)

AUTOMOTIVE = "AUTO"  # the customer category whose customers also need parts with photos and drawings


@dataclass(frozen=True)
class Fix:
    url: str
    label: str
    permission: str


@dataclass(frozen=True)
class Rule:
    key: str
    label: object  # what a complete archive holds
    weight: int
    condition: Callable  # (now) -> a boolean SQL expression over customer rows: the rule is met
    fix: Callable  # (customer) -> Fix: where to fill what is missing
    automotive_only: bool = False

    @property
    def applies_to(self):
        return _("汽车板客户") if self.automotive_only else _("所有客户")

    def applies(self):
        """An SQL condition: the customers the rule counts for (None: all)."""
        if not self.automotive_only:
            return None
        automotive = DictEntry.objects.filter(kind=DictKind.CUSTOMER_CATEGORY, code=AUTOMOTIVE)
        return Q(category__in=automotive.values("pk"))


def _edit(anchor, label):
    def fix(customer):
        url = reverse("customers:customer-edit", args=[customer.pk]) + anchor
        return Fix(url, label, "customers.change_customer")

    return fix


def _has(model, **filters):
    return lambda now: Exists(model.objects.filter(customer=OuterRef("pk"), **filters))


def _document(kind, label):
    def fix(customer):
        url = reverse("customers:document-create", args=[customer.pk]) + f"?kind={kind}"
        return Fix(url, label, "customers.add_customerdocument")

    return fix


def _demand_rows():
    return Demand.objects.filter(customer=OuterRef("pk")).filter(
        Exists(DemandElement.objects.filter(demand=OuterRef("pk"))),
        Exists(DemandProperty.objects.filter(demand=OuterRef("pk"))),
    )


def _fix_demand(customer):
    incomplete = customer.demands.exclude(Exists(DemandElement.objects.filter(demand=OuterRef("pk")))).first()
    incomplete = (
        incomplete
        or customer.demands.exclude(Exists(DemandProperty.objects.filter(demand=OuterRef("pk")))).first()
    )
    if incomplete is not None:
        url = reverse("customers:demand-edit", args=[incomplete.pk])
        return Fix(
            url,
            _("补充需求“%(name)s”的成分和性能要求") % {"name": incomplete.name},
            "customers.change_demand",
        )
    url = reverse("customers:demand-create") + f"?customer={customer.pk}"
    return Fix(url, _("新建需求"), "customers.add_demand")


def _part_photos(now):
    from products.models import PartPhoto

    return Exists(PartPhoto.objects.filter(part__customer=OuterRef("pk")))


def _fix_parts(customer):
    if customer.parts.exists():
        url = reverse("products:part-list") + f"?customer_id={customer.pk}"
        return Fix(url, _("为零件上传照片"), "products.add_partphoto")
    url = reverse("products:part-create") + f"?customer={customer.pk}"
    return Fix(url, _("新建零件"), "products.add_part")


def _verified(now):
    return Q(verified_at__gte=verification_due_since(now))


def _fix_verification(customer):
    return Fix("#verification", _("确认资料为最新"), "customers.verify_customer")


class VerifiedLabel:
    """ "Verified within N days", N from the settings when shown."""

    def __str__(self):
        days = settings.CUSTOMER_VERIFY_DAYS
        return ngettext("%(days)s 天内确认过资料为最新", "%(days)s 天内确认过资料为最新", days) % {
            "days": days
        }


RULES = [
    Rule(
        "credit_code",
        _("统一社会信用代码"),
        15,
        lambda now: ~Q(credit_code=""),
        _edit("#id_credit_code", _("填写统一社会信用代码")),
    ),
    Rule("address", _("地址"), 10, lambda now: ~Q(address=""), _edit("#id_address", _("填写地址"))),
    Rule(
        "contact_phone",
        _("有电话或手机的联系人"),
        15,
        lambda now: Exists(
            Contact.objects.filter(customer=OuterRef("pk")).filter(~Q(phone="") | ~Q(mobile=""))
        ),
        _edit("#contacts-section", _("添加联系人及电话")),
    ),
    Rule(
        "demand",
        _("含化学成分和力学性能要求的需求"),
        20,
        lambda now: Exists(_demand_rows()),
        _fix_demand,
    ),
    Rule(
        "contract",
        _("合同文件"),
        10,
        _has(CustomerDocument, kind=CustomerDocument.Kind.CONTRACT),
        _document(CustomerDocument.Kind.CONTRACT, _("上传合同")),
    ),
    Rule("verified", VerifiedLabel(), 10, _verified, _fix_verification),
    Rule("part_photos", _("零件及零件照片"), 10, _part_photos, _fix_parts, automotive_only=True),
    Rule(
        "drawing",
        _("图纸文件"),
        10,
        _has(CustomerDocument, kind=CustomerDocument.Kind.DRAWING),
        _document(CustomerDocument.Kind.DRAWING, _("上传图纸")),
        automotive_only=True,
    ),
]


def _weight_if(condition, weight):
    if condition is None:
        return Value(weight)
    return Case(When(condition, then=Value(weight)), default=Value(0))


def _both(condition, applies):
    return condition if applies is None else condition & applies


def score_expression(now=None):
    """The completeness score (0–100) of each customer row, as one SQL expression."""
    met = applicable = None
    for rule in RULES:
        applies = rule.applies()
        got = _weight_if(_both(rule.condition(now), applies), rule.weight)
        counted = _weight_if(applies, rule.weight)
        met = got if met is None else met + got
        applicable = counted if applicable is None else applicable + counted
    return Cast(met * Value(100) / applicable, IntegerField())


def with_score(customers, now=None):
    """Annotate `completeness`: the score, for sorting and filtering in SQL."""
    return customers.annotate(completeness=score_expression(now))


def with_rules(customers, now=None):
    """Annotate `completeness` and, per rule, `rule_<key>`: met (True), missing (False),
    or not applicable (None) — what the report lists, without a query per row."""
    annotations = {}
    for rule in RULES:
        applies = rule.applies()
        met = Case(When(rule.condition(now), then=Value(True)), default=Value(False))
        annotations[f"rule_{rule.key}"] = (
            met if applies is None else Case(When(applies, then=met), default=None)
        )
    return with_score(customers, now).annotate(**annotations)


def missing_rules(row):
    """The rules a row annotated by `with_rules` does not meet."""
    return [rule for rule in RULES if getattr(row, f"rule_{rule.key}") is False]


@dataclass
class Item:
    rule: Rule
    met: bool
    fix: Fix | None  # where to fill it, for a user who may (None when met or not permitted)


@dataclass
class Assessment:
    score: int
    items: list  # Item for each rule that applies

    @property
    def missing(self):
        return [i for i in self.items if not i.met]


def assess(customer, user, now=None):
    """The score of one customer and each applicable rule, met or with where to fill it."""
    row = with_rules(type(customer).objects.filter(pk=customer.pk), now).values(
        "completeness", *(f"rule_{r.key}" for r in RULES)
    )[0]
    items = []
    for rule in RULES:
        met = row[f"rule_{rule.key}"]
        if met is None:
            continue
        fix = None
        if not met:
            fix = rule.fix(customer)
            if not user.has_perm(fix.permission):
                fix = None
        items.append(Item(rule, met, fix))
    return Assessment(row["completeness"], items)


# Maintenance figures ------------------------------------------------------------

CHANGED_WITHIN_DAYS = 30


@dataclass
class OwnerFigures:
    owner: object  # the sales user, or None for customers without one
    customers: int
    average: float | None  # average completeness, %
    overdue: int  # customers overdue for verification
    changed: int = 0  # records of these customers changed in the last CHANGED_WITHIN_DAYS days


def maintenance_figures(customers, now=None):
    """Per sales owner of `customers` (a queryset the user may see): customers owned, average
    completeness, overdue verifications, and records changed lately — one query for the first
    three, one per kind of record that refers to a customer for the last (every model with a
    foreign key to Customer, found by `customer_foreign_keys`)."""
    now = now or timezone_now()
    since = now - datetime.timedelta(days=CHANGED_WITHIN_DAYS)
    rows = (
        customers.order_by()
        .values("sales_owner")
        .annotate(
            n=Count("id"),
            average=Avg(score_expression(now)),
            overdue=Count("id", filter=verification_overdue_q(now)),
        )
    )
    figures = {r["sales_owner"]: OwnerFigures(None, r["n"], r["average"], r["overdue"]) for r in rows}
    ids = customers.values("pk")
    changed = [(customers.model, "pk", customers.filter(updated_at__gte=since))]
    for model, fk in customer_foreign_keys():
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            rows = model._base_manager.filter(**{f"{fk.name}__in": ids}, updated_at__gte=since)
            changed.append((model, fk.name, rows))
    for _model, path, rows in changed:
        owner = "sales_owner" if path == "pk" else f"{path}__sales_owner"
        for r in rows.order_by().values(owner).annotate(n=Count("pk")):
            if r[owner] in figures:
                figures[r[owner]].changed += r["n"]
    users = get_user_model().objects.in_bulk([pk for pk in figures if pk is not None])
    for pk, f in figures.items():
        f.owner = users.get(pk)
    return sorted(figures.values(), key=lambda f: (f.owner is None, str(f.owner or "")))
