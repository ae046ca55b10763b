"""An archive without deadline rules (none seeded yet, or every rule deleted on the rules page):
nothing is due, and every page that reads due dates still opens.

The days of a step come from the rule table as one expression (`deadlines.rule_days`); with no
rule it was an untyped NULL, and `received_date + NULL` is ambiguous to PostgreSQL (date +
integer, date + interval, …): the home page of whoever handles objections and the objection list
sorted by the next due date failed with a server error."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse

from quality.models import DeadlineRule, Objection
from quality.models.deadlines import step_dates
from tests.factories import make_customer, make_objection
from tests.test_permission_matrix import ROLES, TABLE, World, answer, client_for
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

# Pages that read the due dates in ways the matrix's plain URLs do not.
DUE_DATE_PAGES = [
    ("quality:objection-list", {"o": "next_due"}),
    ("quality:objection-list", {"o": "-next_due"}),
    ("quality:objection-list", {"queue": "overdue"}),
    ("quality:objection-list", {"queue": "week"}),
    ("quality:objection-list", {"due_after": "2025-03-01", "due_before": "2025-03-31"}),
]


@pytest.mark.django_db
def test_without_rules_nothing_is_due():
    DeadlineRule.objects.all().delete()
    make_objection(make_customer(), received_date=datetime.date(2025, 1, 6))
    today = datetime.date(2026, 12, 5)
    assert Objection.objects.with_next_due([]).get().next_due is None
    dates = Objection.objects.annotate(**step_dates([])).values(*step_dates([])).get()
    assert set(dates.values()) == {None}
    assert not Objection.objects.overdue(today).exists()
    assert not Objection.objects.due_this_week(today).exists()


@pytest.mark.django_db
def test_every_page_opens_without_rules(world: World):
    DeadlineRule.objects.all().delete()
    # An open objection, so that the lists have a page to sort and the queues a row to weigh.
    make_objection(make_customer(), received_date=datetime.date(2025, 3, 3))
    failed = []
    for role in ("admin", "quality"):
        client = client_for(world.users[role])
        opened = [row for row in TABLE if row.get[ROLES.index(role)] == 200]
        urls = [(row.name, lambda row=row: row.url(world, row.kwargs(world))) for row in opened]
        urls += [(name, lambda n=name, q=q: f"{reverse(n)}?{urlencode(q)}") for name, q in DUE_DATE_PAGES]
        for name, url in urls:
            with transaction.atomic():
                address = url()
                status = answer(client.get(address))
                transaction.set_rollback(True)
            if status != 200:
                failed.append(f"  {role} {address} ({name}): {status}")
    assert not failed, "Pages that fail without deadline rules:\n" + "\n".join(failed)
