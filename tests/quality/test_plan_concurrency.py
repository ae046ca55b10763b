"""Two approvers at once, on the real PostgreSQL: exactly one wins, the other is told why."""

import threading
import time

import pytest
from django.db import connection, transaction

from quality.models import PlanError, PlanRevision
from tests.factories import make_plan, make_user

PARAMS = [("CAL", "SOAK_T", 820, 800, 840, "℃")]


def _in_thread(work):
    try:
        return work()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_users_approving_the_same_draft_at_once_one_wins():
    from archive_site.accounts import roles
    from tests.factories import make_customer

    first, second = make_user("eng1", roles.ENGINEER, name="甲"), make_user("eng2", roles.ENGINEER, name="乙")
    revision = make_plan(make_customer(), parameters=PARAMS)
    holding = threading.Event()
    outcome = {}

    def slow_approver():
        # Approve, then keep the transaction (and the plan's row lock) open a while.
        with transaction.atomic():
            PlanRevision.objects.get(pk=revision.pk).approve(by=first)
            holding.set()
            time.sleep(0.5)
        outcome["first"] = "approved"

    def racing_approver():
        holding.wait(5)
        try:
            with transaction.atomic():
                PlanRevision.objects.get(pk=revision.pk).approve(by=second)
            outcome["second"] = "approved"
        except PlanError as e:
            outcome["second"] = str(e)

    threads = [threading.Thread(target=_in_thread, args=(w,)) for w in (slow_approver, racing_approver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)

    assert outcome["first"] == "approved"
    assert "已由 甲 于" in outcome["second"]
    revision.refresh_from_db()
    assert revision.status == "approved" and revision.approved_by == first
    assert PlanRevision.objects.filter(status="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_drafts_cannot_exist_even_when_created_at_once():
    from archive_site.accounts import roles
    from tests.factories import make_customer

    engineer = make_user("eng3", roles.ENGINEER)
    approved = make_plan(make_customer(), parameters=PARAMS, approved_by=engineer)
    barrier = threading.Barrier(2)
    results = []

    def revise():
        barrier.wait(5)
        try:
            with transaction.atomic():
                PlanRevision.objects.get(pk=approved.pk).new_draft(by=engineer)
            results.append("draft")
        except PlanError:
            results.append("refused")

    threads = [threading.Thread(target=_in_thread, args=(revise,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == ["draft", "refused"]
    assert PlanRevision.objects.filter(status="draft").count() == 1


@pytest.mark.django_db
def test_a_draft_edited_after_the_approver_opened_it_is_not_approved(client):
    """The approver approves what they read: a draft saved by someone else meanwhile is refused."""
    from django.urls import reverse

    from archive_site.accounts import roles
    from tests.factories import make_customer

    editor = make_user("eng4", roles.ENGINEER, name="丙")
    approver = make_user("eng5", roles.ENGINEER, name="丁")
    revision = make_plan(make_customer(), parameters=PARAMS)
    client.force_login(approver)
    page = client.get(revision.plan.get_absolute_url()).content.decode()
    assert f'name="version" value="{revision.version}"' in page
    shown = revision.version

    revision.requirements = "均热温度上限放宽"  # the editor saves the draft meanwhile
    revision.stamp(editor)
    revision.save()

    url = reverse("quality:revision-approve", args=[revision.pk])
    response = client.post(url, {"version": shown}, follow=True)
    assert "在您打开页面后已被 丙 修改，请查看最新内容后再批准" in response.content.decode()
    revision.refresh_from_db()
    assert revision.is_draft and revision.approved_by is None

    client.post(url, {"version": revision.version})
    revision.refresh_from_db()
    assert revision.status == "approved" and revision.approved_by == approver
