"""The statistics page's figures from one pass over the objections and the deliveries (GROUPING
SETS) equal those from one aggregate query per table, on an archive that was edited: objections
changed, settled, closed and deleted, some imported, two customers merged — for everyone, for a
sales user (only her customers), for one customer, a kind and a range of dates."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import F

from archive_site.models import DictKind
from customers.merge import merge_customers
from quality.models import Objection
from quality.statistics import objections as statistics
from quality.statistics import rates
from tests.factories import entry, make_customer, make_demand, make_objection, make_order
from tests.imports.helpers import messages, run, xlsx
from tests.imports.test_objections import HEADERS

pytestmark = pytest.mark.django_db

day = datetime.date
DEFECTS = ["SCRATCH", "ROLL_MARK", "RUST", "OIL_STAIN"]


@pytest.fixture
def archive(alice, alices_customer, bobs_customer, quality, admin_user):
    """30 customers (alice keeps 8 of them), 300 objections over three years with grades, demands
    of three end uses, claims and settlements, deliveries; then edits, deletes, an import and a
    merge. Ties in the number of objections cross the top-20 line on purpose."""
    rng = random.Random(7)
    grades = [entry(DictKind.PRODUCTION_GRADE, code) for code in ("DC01", "DC04", "DC05")]
    uses = [entry(DictKind.END_USE, code) for code in ("AUTO_EXT", "APPLIANCE", "AUTO_INT")]
    customers = [alices_customer, bobs_customer] + [
        make_customer(code=f"S{i:04d}", sales_owner=alice if i < 6 else None) for i in range(28)
    ]
    demands = {c.pk: [make_demand(c, end_use=rng.choice(uses + [None])) for _ in range(2)] for c in customers}
    for c in customers:
        make_order(
            c,
            demand=rng.choice(demands[c.pk]),
            production_grade=rng.choice(grades),
            deliveries=[
                (f"K{c.pk}-{i}", day(2024, 1, 1) + datetime.timedelta(days=rng.randrange(900)), 100 + i)
                for i in range(4)
            ],
        )
    made = []
    for i in range(300):
        customer = customers[i % 30 if i < 240 else rng.randrange(30)]
        claim = rng.choice([Decimal(0), Decimal(rng.randrange(100, 9000))])
        made.append(
            make_objection(
                customer,
                rng.choice(DEFECTS),
                rng.randint(1, 4),
                received_date=day(2024, 1, 1) + datetime.timedelta(days=rng.randrange(1000)),
                tonnage=rng.choice([Decimal(0), Decimal(rng.randrange(1, 50))]),
                claim_amount=claim,
                kind=rng.choice(list(Objection.Kind)),
                demand=rng.choice(demands[customer.pk] + [None]),
                production_grade=rng.choice(grades + [None]),
            )
        )
    for o in made[:40]:  # edited: another defect, severity, date; settled below the claim
        o.severity = 5 - o.severity
        o.defect_type = entry(DictKind.DEFECT_TYPE, rng.choice(DEFECTS))
        o.received_date += datetime.timedelta(days=40)
        if o.claim_amount:
            o.settled_amount = o.claim_amount / 2
        o.save()
    Objection.objects.filter(pk__in=[o.pk for o in made[40:60]]).update(
        status=Objection.Status.CLOSED, closed_date=F("received_date")
    )
    Objection.objects.filter(pk__in=[o.pk for o in made[60:80]]).update(tonnage=Decimal("7.5"))
    Objection.objects.filter(pk__in=[o.pk for o in made[80:95]]).delete()
    rows = [
        ["", c.code, f"2025-{m:02d}-15", "划伤", "一般", "导入的异议", 3, 1000]
        for m in range(1, 13)
        for c in customers[2:5]
    ]
    assert messages(run(quality, xlsx({"质量异议": [HEADERS, *rows]}), "异议.xlsx", "objections")) == []
    merge_customers(customers[2], customers[3], by=admin_user)
    return customers


def figures(stats):
    """Everything the page and its export show, as plain values."""
    r = stats["rates"]

    def rate_rows(rows):
        return [(r.key, r.label, r.objections, r.claimed, r.delivered, r.rate) for r in rows]

    return {
        "rows": [
            (r.code, r.name, r.by_severity, r.count, r.tonnage, r.claims, r.last, r.customers)
            for r in stats["rows"]
        ],
        "totals": (stats["total"], stats["total_by_severity"], stats["total_tonnage"], stats["total_claims"]),
        "pareto": [
            stats[k] and [(p[0].code, *p[1:]) for p in stats[k]]
            for k in ("pareto_count", "pareto_tonnage", "pareto_claims")
        ],
        "months": stats["months"],
        "claims": (stats["claims"].years, stats["claims"].rows),
        "rate_total": rate_rows([r["total"]]),
        "rate_customers": r["customers"] and [(c.code, *rate_rows([c])[0]) for c in r["customers"]],
        "rate_grades": rate_rows(r["grades"]),
        "rate_end_uses": rate_rows(r["end_uses"]),
        "rate_months": rate_rows(r["months"]),
    }


def both(user, **params):
    """(one pass, one query per table) for `user` and the page's filters."""
    out = []
    for tally, delivered in (
        (statistics.tally, rates.delivered),
        (statistics.tally_per_table, rates.delivered_per_table),
    ):
        stats = statistics.compute(Objection.objects.visible_to(user), tally=tally, **params)
        out.append(figures(rates.add_rates(stats, user, delivered=delivered)))
    return out


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": day(2025, 1, 1), "end": day(2025, 12, 31)},
        {"start": day(2024, 6, 1), "end": day(2026, 5, 31), "kind": Objection.Kind.COMPLAINT},
        {"start": day(2030, 1, 1), "end": day(2030, 12, 31)},  # nothing in the range
    ],
)
def test_one_pass_equals_one_query_per_table(archive, quality, alice, params):
    for user in (quality, alice):
        one_pass, per_table = both(user, **params)
        assert one_pass == per_table
        assert one_pass["totals"][0] == (
            len([1 for _ in statistics.narrow(Objection.objects.visible_to(user), **params)])
        )


def test_one_customer_and_the_merged_one(archive, quality):
    kept = archive[2]
    one_pass, per_table = both(quality, customer=kept, start=day(2024, 1, 1), end=day(2026, 12, 31))
    assert one_pass == per_table
    assert one_pass["rate_customers"] is None
    # The merged customer's 12 imported objections and its own now count for the one kept.
    assert one_pass["totals"][0] == Objection.objects.filter(customer=kept).count() > 24


def test_the_sales_user_sees_only_her_customers(archive, alice):
    one_pass, _per_table = both(alice)
    hers = {c.code for c in archive if c.sales_owner_id == alice.pk}
    assert {row[0] for row in one_pass["rate_customers"]} <= hers
    assert {row[0] for row in one_pass["claims"][1]} <= hers
    assert one_pass["totals"][0] == Objection.objects.filter(customer__sales_owner=alice).count()
