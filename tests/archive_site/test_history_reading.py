"""Reading the history: `events_for` gives every event pghistory's own reading gives, as it gives it.

`events_for` reads the events of a record and of the rows that refer to it in a query of its
own, and compares each event with its row's previous one in Python; django-pghistory's
`MiddlewareEvents.objects.references()` does both in SQL. The demo archive (every module, with
photos, runs, orders and a merged story) is read both ways for records of every model an
event refers to, after each tracked model has had a row changed and some rows deleted, by a
named user.
"""

import pghistory
import pghistory.core
import pghistory.utils
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from archive_site.history import events_for
from customers.models import Contact, Customer, DemandElement
from quality.models import ObjectionPhoto, ProcessPlan

pytestmark = pytest.mark.django_db

COMPARED = (
    "pgh_slug",
    "pgh_model",
    "pgh_id",
    "pgh_created_at",
    "pgh_label",
    "pgh_obj_model",
    "pgh_obj_id",
    "pgh_data",
    "pgh_diff",
    "pgh_context_id",
    "user",
)
PER_MODEL = 3  # records read both ways for each model an event refers to


def pghistorys(*objs):
    """The events as pghistory's aggregate reads them, by slug."""
    return {e.pgh_slug: e for e in MiddlewareEvents.objects.references(*objs).select_related("user")}


def fields(event):
    return {name: getattr(event, name) for name in COMPARED}


@pytest.fixture
def archive(db):
    """The demo archive, then a change to a row of every tracked model and a few deletions, made
    by a named user as a request makes them."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    editor = get_user_model().objects.get(username="quality")
    with pghistory.context(user=editor.pk, url="/test/"):
        for event_model in pghistory.core.event_models():
            model = event_model.pgh_tracked_model
            names = {f.name for f in model._meta.concrete_fields}
            row = model.objects.order_by("-pk").first()
            if row is not None and "version" in names:
                changes = {"version": F("version") + 1}
                if "updated_at" in names:
                    changes["updated_at"] = timezone.now()
                model.objects.filter(pk=row.pk).update(**changes)
        Contact.objects.filter(pk=Contact.objects.order_by("pk").values("pk")[:1]).delete()
        DemandElement.objects.filter(pk=DemandElement.objects.order_by("pk").values("pk")[:1]).delete()
        ObjectionPhoto.objects.filter(pk=ObjectionPhoto.objects.order_by("pk").values("pk")[:1]).delete()
    return editor


def referred_records():
    """Records of every model some event refers to (as its own record's or by a foreign key),
    those the newest events of each event table name: the changes and deletions above among them."""
    found = {}
    for event_model in pghistory.core.event_models():
        for field in event_model._meta.fields:
            target = pghistory.utils.related_model(field)
            if target is None or target._meta.app_label == "pghistory":  # the context
                continue
            newest = event_model.objects.exclude(**{field.attname: None}).order_by("-pgh_id")
            for pk in newest.values_list(field.attname, flat=True)[:PER_MODEL]:
                found.setdefault((target._meta.label, pk), target(pk=pk))
    return list(found.values())


def test_every_records_history_reads_as_pghistory_reads_it(archive):
    compared = changed = deleted = by_editor = 0
    records = referred_records()
    assert len({type(r) for r in records}) >= 20
    for obj in records:
        expected = pghistorys(obj)
        got = events_for(obj)
        assert len(got) == len(expected), (obj, obj.pk)
        for event in got:
            assert fields(event) == fields(expected[event.pgh_slug]), (obj, obj.pk, event.pgh_slug)
        keys = [(e.pgh_created_at, e.pgh_id) for e in got]
        assert keys == sorted(keys, reverse=True), "newest first"
        compared += len(got)
        changed += sum(e.pgh_label == "update" and e.pgh_diff is not None for e in got)
        deleted += sum(e.pgh_label == "delete" for e in got)
        by_editor += sum(e.user == archive for e in got)
    # The comparison covered what a history shows: inserts, changes, deletions and their people.
    assert compared > 300 and changed > 20 and deleted >= 3 and by_editor > 20


def test_the_newest_events_are_the_first_of_all(archive):
    customer = Customer.objects.get(code="C0001")
    every = events_for(*customer.history_objects())
    newest = events_for(*customer.history_objects(), limit=7)
    assert len(every) > 7
    assert [(e.pgh_created_at, e.pgh_id) for e in newest] == [(e.pgh_created_at, e.pgh_id) for e in every[:7]]


def test_records_of_different_models_read_together(archive):
    """A plan's page reads the plan's events and its revisions' in one query."""
    plan = ProcessPlan.objects.get(code="GK-2025-018")
    revisions = list(plan.revisions.all())
    expected = pghistorys(plan) | pghistorys(*revisions)
    got = events_for(plan, *revisions)
    assert sorted(e.pgh_slug for e in got) == sorted(expected)
    assert all(fields(e) == fields(expected[e.pgh_slug]) for e in got)


def test_no_record_no_events(db):
    assert events_for() == []
