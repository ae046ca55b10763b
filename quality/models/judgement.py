"""The judgement check (判定辅助, paper 3.5): the question an inspector asks about a coil, and the answer.

The paper's rule: a customer who has objected to a defect at some severity will not accept
a coil with that defect at that severity or milder, so such a coil must not be judged 合格.
The check weighs what is known of the coil — its part or demand, production grade,
surface quality, end use, size — and matches the customer's past objections by closeness:

1. the same part, 2. the same demand, 3. the same kind of product (grade, surface quality
and end use agree as far as both sides record them), 4. objections that recorded no
product (counted as the same kind: the archive cannot tell them apart), 5. the
customer's other products (a grade, surface quality or end use that differs).

Objections of the first four kinds block 合格; those of other products do not, but the
answer names them and says how they differ. Alerts spread from similar customers
(举一反三, `lessons.Alert`) are shown beside the answer and call for care.

Nothing here imports a model: `judge` works on the querysets it is given, so objections
and lessons can both use it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import models
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

__all__ = ["Severity", "Disposition", "DOWNGRADED", "Verdict", "Closeness", "Question", "Judgement", "judge"]

MATCHES_SHOWN = 10
# Sizes within this share of the coil's thickness and width count as "similar size".
SIMILAR_SIZE = Decimal("0.1")


class Severity(models.IntegerChoices):
    """Ordered: "this severity or milder" is `severity__lte`."""

    MINOR = 1, _("轻微")
    GENERAL = 2, _("一般")
    SERIOUS = 3, _("严重")
    CRITICAL = 4, _("重大")


class Disposition(models.TextChoices):
    """How a coil is judged: the inspector's decision and a run's recorded result."""

    QUALIFIED = "qualified", _("合格")
    STOCK = "stock", _("改判现货")
    AGREEMENT = "agreement", _("改判协议品")


DOWNGRADED = (Disposition.STOCK, Disposition.AGREEMENT)


class Verdict(models.TextChoices):
    """The check's answer, as recorded with a decision."""

    NOT_ACCEPTABLE = "not_acceptable", _("不得判定为合格")
    CAUTION = "caution", _("可按标准判定，须从严控制")
    ACCEPTABLE = "acceptable", _("可以按标准判定")


class Closeness(models.IntegerChoices):
    """How close a past objection's product is to the coil asked about; lower is closer."""

    PART = 1, _("同一零件")
    DEMAND = 2, _("同一需求")
    PRODUCT = 3, _("同类产品")
    UNKNOWN = 4, _("产品未记录")
    OTHER = 5, _("其他产品")


BLOCKING = (Closeness.PART, Closeness.DEMAND, Closeness.PRODUCT, Closeness.UNKNOWN)


@dataclass
class Question:
    """What the inspector asks: customer, defect, severity, and what is known of the coil.

    `complete()` fills what the part's demand or the demand says and the inspector left blank.
    """

    customer: object
    defect_type: object
    severity: int
    production_grade: object = None
    thickness: Decimal | None = None
    width: Decimal | None = None
    surface_quality: object = None
    end_use: object = None
    demand: object = None
    part: object = None

    def complete(self):
        if self.part is not None and self.demand is None:
            self.demand = self.part.demand
        if self.part is not None and self.thickness is None:
            self.thickness = self.part.blank_thickness
        d = self.demand
        if d is not None:
            self.production_grade = self.production_grade or d.production_grade
            self.surface_quality = self.surface_quality or d.surface_quality
            self.end_use = self.end_use or d.end_use
            self.thickness = self.thickness if self.thickness is not None else d.thickness
            self.width = self.width if self.width is not None else d.width
        return self

    @property
    def knows_product(self):
        facts = (self.part, self.demand, self.production_grade, self.surface_quality, self.end_use)
        return any(f is not None for f in facts)

    def facts(self):
        """(label, value) of what is known of the coil, for the answer's heading."""
        items = [
            (_("零件"), self.part and self.part.name),
            (_("需求"), self.demand and self.demand.name),
            (_("生产牌号"), self.production_grade),
            (_("表面质量"), self.surface_quality),
            (_("最终用途"), self.end_use),
            (_("规格"), self.spec),
        ]
        return [(label, value) for label, value in items if value]

    @property
    def spec(self):
        parts = [f"{v.normalize():f}" for v in (self.thickness, self.width) if v is not None]
        return "×".join(parts) + " mm" if parts else ""

    def as_query(self):
        """The question as the judgement page's and API's parameters (codes), e.g. for a link."""
        query = {
            "customer": self.customer.code,
            "defect": self.defect_type.code,
            "severity": int(self.severity),
        }
        for name, value in (
            ("grade", self.production_grade and self.production_grade.code),
            ("surface_quality", self.surface_quality and self.surface_quality.code),
            ("end_use", self.end_use and self.end_use.code),
            ("demand", self.demand and self.demand.code),
            ("part", self.part and self.part.number),
            ("thickness", self.thickness),
            ("width", self.width),
        ):
            if value not in (None, ""):
                query[name] = f"{value.normalize():f}" if isinstance(value, Decimal) else value
        return query


# What the answer shows of a matching objection (its part and production grade beside it),
# and, when the question names the coil's product, its demand's and its part's demand's facts
# that tell how close it is: the rest of those wide rows is left in the database (and the
# dictionary entries are read at once for all matches, `_with_entries`, instead of joining
# them six times over).
FACTS = ("production_grade", "surface_quality", "end_use")
DEMAND_FIELDS = ("name", "code", *FACTS)
MATCH_FIELDS = (
    "number",
    "kind",
    "customer",
    "defect_type",
    "received_date",
    "status",
    "severity",
    "tonnage",
    "description",
    "thickness",
    "width",
    "production_grade",
    "demand",
    "part__name",
    "part__number",
)
MATCH_PRODUCT_FIELDS = (
    *(f"demand__{name}" for name in DEMAND_FIELDS),
    *(f"part__demand__{name}" for name in DEMAND_FIELDS),
)
# What the answer shows of an alert: its message, its defect and the objection it came from.
# Most customers have no alert: the defect and the objection are read only for those who have
# (`_alerts`), so the question of every other customer is one plain query on the alerts' index.
ALERT_FIELDS = ("message", "reason", "created_at", "defect_type", "objection")
ALERT_SOURCE_FIELDS = ("number", "customer__name")

# What the check reads of each of the customer's objections to the defect: when it was
# received, how severe, and enough of its product to tell how close it is to the coil —
# its own grade, and its demand's and its part's demand's grade, surface quality and end use.
ROW = ("id", "severity", "received_date")
PRODUCT_ROW = (
    "thickness",
    "width",
    "part",
    "demand",
    "part__demand",
    "production_grade",
    *(f"demand__{name}" for name in FACTS),
    *(f"part__demand__{name}" for name in FACTS),
)


def closeness(row, question):
    """(Closeness, similar size) of an objection's product (a `PRODUCT_ROW` tuple) to the coil's."""
    q = question
    thickness, width, part, demand, part_demand, grade, *facts = row
    demand_facts, part_demand_facts = facts[: len(FACTS)], facts[len(FACTS) :]
    near = bool(
        q.thickness
        and q.width
        and thickness is not None
        and width is not None
        and abs(thickness - q.thickness) <= q.thickness * SIMILAR_SIZE
        and abs(width - q.width) <= q.width * SIMILAR_SIZE
    )
    if q.part is not None and part == q.part.pk:
        return Closeness.PART, near
    if q.demand is not None and q.demand.pk in (demand, part_demand):
        return Closeness.DEMAND, near
    theirs = [
        grade or demand_facts[0] or part_demand_facts[0],
        demand_facts[1] or part_demand_facts[1],
        demand_facts[2] or part_demand_facts[2],
    ]
    ours = [getattr(q, name) for name in FACTS]
    compared = [(t, o.pk) for t, o in zip(theirs, ours, strict=True) if t is not None and o is not None]
    if any(t != o for t, o in compared):
        return Closeness.OTHER, near
    return (Closeness.PRODUCT if compared else Closeness.UNKNOWN), near


def judge(objections, question, alerts=None, limit=MATCHES_SHOWN):
    """The answer to `question` from `objections` (scoped to the user) and `alerts` (likewise).

    A constant number of queries whatever the number of objections. Without the coil's
    product every objection counts the same: one aggregate and the latest matches, as the
    check always did. With it, the customer's objections to the defect are read a few
    columns each, how close each one's product is to the coil is worked out from them,
    and the closest are read in full. Then their photos, the dictionary entries they name
    and the alerts.
    """
    q = question
    same = objections.filter(customer=q.customer, defect_type=q.defect_type)
    products = bool(q.knows_product or (q.thickness and q.width))
    if products:
        tallies, closest = _by_closeness(same, q, limit)
        found = _matches(same.filter(pk__in=[pk for pk, _tier, _near in closest]), products=True).in_bulk()
        matches = [(found[pk], tier, near) for pk, tier, near in closest]
    else:
        tallies = _all_alike(same, q)
        latest = same.filter(severity__lte=q.severity).order_by("-received_date", "-id")[:limit]
        blocking = tallies.get(Closeness.UNKNOWN, Tally()).count
        matches = (
            [(o, Closeness.UNKNOWN, False) for o in _matches(latest, products=False)] if blocking else []
        )
    answer = Judgement(q, tallies)
    answer.matches = _with_entries([o for o, _tier, _near in matches], products)
    for o, tier, near in matches:
        o.match = Match.of(o, q, tier, near)
    if alerts is not None:
        answer.alerts = _alerts(alerts, q.customer)
    return answer


def _alerts(alerts, customer):
    """The customer's active alerts, newest first, with their defect and source objection."""
    source = alerts.model._meta.get_field("objection").related_model
    sources = source._base_manager.select_related("customer").only(*ALERT_SOURCE_FIELDS)
    return list(
        alerts.filter(customer=customer, active=True)
        .only(*ALERT_FIELDS)
        .prefetch_related("defect_type", Prefetch("objection", queryset=sources))
        .order_by("-created_at", "-id")
    )


def _all_alike(same, q):
    """{UNKNOWN: Tally} of all the objections, when nothing tells the coil's product apart."""
    milder = Q(severity__lte=q.severity)
    tally = Tally(
        **same.aggregate(
            count=Count("id", filter=milder),
            last=Max("received_date", filter=milder),
            harsher=Count("id", filter=~milder),
            harsher_last=Max("received_date", filter=~milder),
        )
    )
    return {Closeness.UNKNOWN: tally} if tally.count or tally.harsher else {}


def _by_closeness(same, q, limit):
    """({Closeness: Tally}, [(pk, Closeness, similar size)] of the closest objections at the
    question's severity or milder), from the objections' product columns."""
    tallies, milder = {}, []
    for pk, severity, received, *product in same.order_by().values_list(*ROW, *PRODUCT_ROW):
        tier, near = closeness(product, q)
        tally = tallies.setdefault(tier, Tally())
        if severity <= q.severity:
            tally.count += 1
            tally.last = max(tally.last or received, received)
            milder.append((tier, not near, -received.toordinal(), -pk, near))
        else:
            tally.harsher += 1
            tally.harsher_last = max(tally.harsher_last or received, received)
    closest = sorted(milder)[:limit]
    return tallies, [(-minus_pk, tier, near) for tier, _far, _day, minus_pk, near in closest]


def _matches(objections, products):
    """The matching objections as the answer shows them, with their photos; with `products`,
    their demands and their parts' demands too (what tells how close they are to the coil)."""
    # The photos in the order of their own columns: the model's order, by objection, would join
    # the objections again to sort by theirs.
    photo_model = objections.model.photos.rel.related_model
    photos = Prefetch("photos", queryset=photo_model.objects.order_by("objection_id", "id"))
    if products:
        objections = objections.select_related("demand", "part__demand").only(
            *MATCH_FIELDS, *MATCH_PRODUCT_FIELDS
        )
    else:
        # Only their own grade is shown: joined, one table for ten rows, rather than read after.
        objections = objections.select_related("part", "production_grade").only(*MATCH_FIELDS)
    return objections.prefetch_related(photos)


def _with_entries(matches, products):
    """`matches` with the dictionary entries they name in place, read in one query: the
    objection's production grade and its demands' grade, surface quality and end use (with
    `products`; without, `_matches` joined the grade)."""
    if not matches or not products:
        return matches
    demands = [d for o in matches for d in (o.demand, o.part and o.part.demand) if d is not None]
    owners = [(o, ("production_grade",)) for o in matches] + [(d, FACTS) for d in demands]
    wanted = {getattr(obj, f"{name}_id") for obj, names in owners for name in names} - {None}
    if not wanted:
        return matches
    entry_model = type(matches[0])._meta.get_field("production_grade").related_model
    entries = entry_model._default_manager.in_bulk(wanted)
    for obj, names in owners:
        for name in names:
            if getattr(obj, f"{name}_id") is not None:
                setattr(obj, name, entries[getattr(obj, f"{name}_id")])
    return matches


@dataclass
class Tally:
    count: int = 0
    last: date | None = None
    harsher: int = 0
    harsher_last: date | None = None


def _latest(dates):
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def _grade(o):
    for owner in (o, o.demand, o.part and o.part.demand):
        if owner is not None and owner.production_grade_id:
            return owner.production_grade
    return None


def _demand_fact(o, name):
    for demand in (o.demand, o.part and o.part.demand):
        if demand is not None and getattr(demand, f"{name}_id"):
            return getattr(demand, name)
    return None


@dataclass
class Match:
    """A past objection as the answer shows it: how close its product is, and why."""

    objection: object
    closeness: Closeness
    defect: object = None
    near: bool = False
    same: list = field(default_factory=list)  # [(label, value)] facts that agree
    differ: list = field(default_factory=list)  # [(label, theirs, ours)] facts that differ

    @classmethod
    def of(cls, o, question, closeness, near=False):
        q = question
        match = cls(o, closeness, q.defect_type, near)
        for label, read, ours in (
            (_("牌号"), _grade, q.production_grade),
            (_("表面质量"), partial(_demand_fact, name="surface_quality"), q.surface_quality),
            (_("用途"), partial(_demand_fact, name="end_use"), q.end_use),
        ):
            # What the coil does not say is not compared, nor read from the objection's demands.
            theirs = None if ours is None else read(o)
            if theirs is None:
                continue
            if theirs.pk == ours.pk:
                match.same.append((label, theirs))
            else:
                match.differ.append((label, theirs, ours))
        return match

    @property
    def blocks(self):
        return self.closeness in BLOCKING

    @property
    def reason(self):
        """Why this objection counts or not: "同一零件 侧围外板", "其他产品：表面质量 FB（本卷 FC）"."""
        o = self.objection
        if self.closeness == Closeness.PART:
            return _("同一零件 %(part)s") % {"part": o.part.name}
        if self.closeness == Closeness.DEMAND:
            return _("同一需求 %(demand)s") % {"demand": (o.demand or o.part.demand).name}
        if self.closeness == Closeness.PRODUCT:
            facts = [f"{label} {value}" for label, value in self.same]
            if self.near:
                facts.append(str(_("规格相近")))
            return _("同类产品：%(facts)s") % {"facts": "、".join(str(f) for f in facts)}
        if self.closeness == Closeness.OTHER:
            facts = [
                _("%(label)s %(theirs)s（本卷 %(ours)s）") % {"label": label, "theirs": theirs, "ours": ours}
                for label, theirs, ours in self.differ
            ]
            return _("其他产品：%(facts)s") % {"facts": "、".join(str(f) for f in facts)}
        return _("异议未记录产品，按同类产品对待")

    @property
    def line(self):
        """The reason with the objection: "同一零件 侧围外板，划伤 一般，ZY-2025-0123"."""
        o = self.objection
        return _("%(reason)s，%(defect)s %(severity)s，%(number)s") % {
            "reason": self.reason,
            "defect": self.defect,
            "severity": o.get_severity_display(),
            "number": o.number,
        }


@dataclass
class Judgement:
    """The answer of the judgement check (判定辅助)."""

    question: Question
    tallies: dict = field(default_factory=dict)  # Closeness → Tally
    matches: list = field(default_factory=list)  # Objection, closest first, each with its `match`
    alerts: list = field(default_factory=list)  # the customer's active alerts from similar customers

    # The question, as the page and the API name it.
    @property
    def customer(self):
        return self.question.customer

    @property
    def defect_type(self):
        return self.question.defect_type

    @property
    def severity(self):
        return int(self.question.severity)

    @property
    def severity_label(self):
        return Severity(self.severity).label

    # The counts.
    def _sum(self, tiers, attr):
        return sum(getattr(self.tallies[t], attr) for t in tiers if t in self.tallies)

    @property
    def count(self):
        """Objections that block 合格: at this severity or milder, on this kind of product."""
        return self._sum(BLOCKING, "count")

    @property
    def last_received(self):
        return _latest(self.tallies[t].last for t in BLOCKING if t in self.tallies)

    @property
    def harsher_count(self):
        return self._sum(BLOCKING, "harsher")

    @property
    def harsher_last(self):
        return _latest(self.tallies[t].harsher_last for t in BLOCKING if t in self.tallies)

    @property
    def other_count(self):
        """Objections at this severity or milder on the customer's other products: named, not blocking."""
        return self._sum([Closeness.OTHER], "count")

    @property
    def defect_alerts(self):
        """The alerts about this defect (the others are shown, but do not call for care here)."""
        return [a for a in self.alerts if a.defect_type_id == self.defect_type.pk]

    # The answer.
    @property
    def may_judge_qualified(self):
        return self.count == 0

    @property
    def verdict(self):
        """not_acceptable (不得判定为合格), caution (可按标准判定，但须留意) or acceptable."""
        if self.count:
            return Verdict.NOT_ACCEPTABLE
        if self.other_count or self.defect_alerts:
            return Verdict.CAUTION
        return Verdict.ACCEPTABLE

    @property
    def verdict_label(self):
        return Verdict(self.verdict).label

    @property
    def blocking(self):
        return [o for o in self.matches if o.match.blocks]

    @property
    def others(self):
        return [o for o in self.matches if not o.match.blocks]

    @property
    def deciding(self):
        """The objections that decided the answer: those that block, else those of other products."""
        return self.blocking or self.others

    @property
    def basis(self):
        """The deciding objections in one line each, as the answer's grounds."""
        return [o.match.line for o in self.deciding]

    @property
    def message(self):
        """The answer in words, for the inspector on the line."""
        params = {
            "customer": self.customer.name,
            "defect": str(self.defect_type),  # its English name in the English UI
            "severity": self.severity_label,
            "n": self.count,
            "last": self.last_received,
            "m": self.harsher_count,
            "harsher_last": self.harsher_last,
            "k": self.other_count,
        }
        # Chinese has one form; the English catalogue has a singular and a plural.
        if self.count:
            return (
                ngettext(
                    "“%(customer)s”曾 %(n)s 次对程度为“%(severity)s”或更轻的“%(defect)s”提出质量异议或抱怨，"
                    "最近一次受理于 %(last)s。",
                    "“%(customer)s”曾 %(n)s 次对程度为“%(severity)s”或更轻的“%(defect)s”提出质量异议或抱怨，"
                    "最近一次受理于 %(last)s。",
                    self.count,
                )
                % params
            )
        if self.other_count:
            return (
                ngettext(
                    "“%(customer)s”没有对本卷这类产品程度为“%(severity)s”或更轻的“%(defect)s”提出过异议；"
                    "它对其他产品的 %(k)s 次此类异议与本卷产品不同，不据此判定（见下）。",
                    "“%(customer)s”没有对本卷这类产品程度为“%(severity)s”或更轻的“%(defect)s”提出过异议；"
                    "它对其他产品的 %(k)s 次此类异议与本卷产品不同，不据此判定（见下）。",
                    self.other_count,
                )
                % params
            )
        if self.harsher_count:
            return (
                ngettext(
                    "“%(customer)s”没有对程度为“%(severity)s”或更轻的“%(defect)s”提出过异议，"
                    "但曾 %(m)s 次对更严重的“%(defect)s”提出异议（最近一次受理于 %(harsher_last)s）。",
                    "“%(customer)s”没有对程度为“%(severity)s”或更轻的“%(defect)s”提出过异议，"
                    "但曾 %(m)s 次对更严重的“%(defect)s”提出异议（最近一次受理于 %(harsher_last)s）。",
                    self.harsher_count,
                )
                % params
            )
        return _("“%(customer)s”从未对“%(defect)s”提出过质量异议或抱怨。") % params

    @property
    def conclusion(self):
        if self.count:
            return _(
                "不得判定为合格：应改判为现货或协议品；并立即采取措施——停止生产该客户后续同类产品"
                "（取消后续生产计划），或调整全线工艺控制（如降低张力）消除缺陷、查找并消除缺陷根源。"
            )
        if self.other_count:
            return _(
                "可按标准判定：该客户的此类异议来自其他产品，与本卷不同；该客户对此类缺陷敏感，请从严控制。"
            )
        if self.defect_alerts:
            return _("可按标准判定；同类客户曾对此类缺陷提出异议（见预警），请从严控制。")
        if self.harsher_count:
            return _("可按标准判定；该客户对此类缺陷敏感，请控制缺陷不再加重。")
        return _("可按标准判定。")

    def summary(self):
        """The answer as recorded with a decision: message, conclusion and grounds, as shown."""
        lines = [str(self.message), str(self.conclusion)]
        lines += [str(line) for line in self.basis]
        lines += [str(_("同类客户预警：%(message)s")) % {"message": a.message} for a in self.defect_alerts]
        return "\n".join(lines)
