"""Objections as daily work: handlers and reassignment, registration by customer service,
the due dates on the pages, the work queues, and the deadline rules' page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archive_site.accounts import roles
from quality.models import DeadlineRule, Objection, ObjectionAssignment
from tests.factories import entry, make_objection, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("quality:objection-list")
CREATE = reverse("quality:objection-create")
RULES = reverse("quality:deadline-rule-list")
NEW_RULE = reverse("quality:deadline-rule-create")


def detail(o):
    return reverse("quality:objection-detail", args=[o.pk])


def assign(o):
    return reverse("quality:objection-assign", args=[o.pk])


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [o.number for o in response.context["page_obj"]]


@pytest.fixture
def rules(db):
    """Severity 2 (the factories' default): response today, containment in 1 day, cause in 5,
    closure in 10."""
    DeadlineRule.objects.all().delete()
    return DeadlineRule.objects.create(
        severity=2, response_days=0, containment_days=1, cause_days=5, closure_days=10
    )


@pytest.fixture
def colleague(db):
    return make_user("quality2", roles.QUALITY, name="刘质")


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


# Handlers and reassignment ---------------------------------------------------------------


def test_the_handler_list_offers_only_staff_who_handle_objections(login, quality, alice, engineer, viewer):
    inactive = make_user("gone", roles.QUALITY)
    inactive.is_active = False
    inactive.save()
    response = login(quality).get(CREATE)
    offered = {str(u) for u in response.context["form"].fields["handler"].queryset}
    assert str(quality) in offered
    assert not offered & {str(alice), str(engineer), str(viewer), str(inactive)}


def test_an_objection_cannot_be_given_to_someone_who_does_not_handle_objections(bobs_customer, engineer):
    objection = make_objection(bobs_customer)
    objection.handler = engineer
    with pytest.raises(Exception) as caught:
        objection.full_clean()
    assert "只能指派给负责处理质量异议的在职人员。" in str(caught.value)


def test_registering_with_a_handler_records_the_first_assignment(login, quality, alices_customer):
    data = {
        "kind": "objection",
        "customer": alices_customer.code,
        "received_date": timezone.localdate().isoformat(),
        "handler": quality.pk,
        "defect_type": entry("defect_type", "SCRATCH").pk,
        "severity": 2,
        "tonnage": "1",
        "claim_amount": "0",
        "description": "表面划伤",
    }
    login(quality).post(CREATE, data)
    record = ObjectionAssignment.objects.get()
    assert (record.previous, record.handler, record.by) == (None, quality, quality)


def test_reassigning_needs_a_note_and_records_it(login, quality, colleague, bobs_customer):
    objection = make_objection(bobs_customer, handler=quality)
    client = login(quality)
    client.post(assign(objection), {"handler": colleague.pk, "note": "", "version": objection.version})
    objection.refresh_from_db()
    assert objection.handler == quality  # refused: no note
    response = client.post(
        assign(objection), {"handler": colleague.pk, "note": "刘质负责该客户", "version": objection.version}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.handler == colleague
    record = objection.assignments.get()
    assert (record.previous, record.handler, record.by) == (quality, colleague, quality)
    assert record.note == "刘质负责该客户"
    page = client.get(detail(objection)).content.decode()
    assert "刘质负责该客户" in page and "张质 → 刘质" in page


def test_a_reassignment_from_a_stale_page_is_refused(login, quality, colleague, bobs_customer):
    objection = make_objection(bobs_customer)
    stale = objection.version
    objection.description = "他人刚改过"
    objection.stamp(quality)
    objection.save()
    data = {"handler": colleague.pk, "version": stale}
    response = login(quality).post(assign(objection), data, follow=True)
    objection.refresh_from_db()
    assert objection.handler is None
    assert "他人已修改了这条异议" in response.content.decode()


def test_the_edit_form_does_not_change_the_handler_without_a_note(login, quality, colleague, bobs_customer):
    objection = make_objection(bobs_customer, handler=quality)
    form = login(quality).get(reverse("quality:objection-edit", args=[objection.pk])).context["form"]
    assert "handler" not in form.fields


# Customer service registers; quality staff take it from there -------------------------------


def test_sales_registers_an_objection_for_its_own_customer(login, alice, quality, alices_customer):
    data = {
        "kind": "complaint",
        "customer": alices_customer.code,
        "received_date": timezone.localdate().isoformat(),
        "handler": quality.pk,
        "defect_type": entry("defect_type", "SCRATCH").pk,
        "severity": 2,
        "tonnage": "0",
        "claim_amount": "0",
        "description": "客户电话反映边部毛刺",
    }
    response = login(alice).post(CREATE, data)
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.created_by == alice and objection.handler == quality
    # Quality staff take it from there; sales does not edit it.
    assert login(alice).get(reverse("quality:objection-edit", args=[objection.pk])).status_code == 403
    assert objection.number in listed(login(quality), queue="mine")


def test_sales_cannot_register_for_another_users_customer(login, alice, bobs_customer):
    data = {"customer": bobs_customer.code, "description": "x", "severity": 2}
    response = login(alice).post(CREATE, data)
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Objection.objects.exists()


# Due dates on the pages --------------------------------------------------------------------


def test_the_objection_page_shows_each_steps_due_date_and_state(login, quality, bobs_customer, rules):
    objection = make_objection(bobs_customer, received_date=days_ago(2))
    response = login(quality).get(detail(objection))
    deadlines = {d.step: d for d in response.context["deadlines"]}
    assert deadlines["response"].due == days_ago(2) and deadlines["response"].state == "overdue"
    assert deadlines["cause"].due == days_ago(-3) and deadlines["cause"].state == "on_time"
    page = response.content.decode()
    assert "首次答复" in page and "已逾期" in page and "8D 关闭" in page


def test_the_list_shows_the_next_due_step(login, quality, bobs_customer, rules):
    make_objection(bobs_customer, received_date=days_ago(3))
    page = login(quality).get(LIST).content.decode()
    assert "due-overdue" in page and days_ago(3).isoformat() in page


def test_work_queues(login, quality, colleague, bobs_customer, rules):
    mine = make_objection(bobs_customer, handler=quality, received_date=timezone.localdate())
    theirs = make_objection(bobs_customer, handler=colleague, received_date=days_ago(1))
    closed = make_objection(bobs_customer, handler=quality, received_date=days_ago(30))
    Objection.objects.filter(pk=closed.pk).update(
        status="closed", closed_date=days_ago(1), cause="c", solution="s", preventive="p"
    )
    client = login(quality)
    assert listed(client, queue="mine") == [mine.number]  # open ones only
    assert listed(client, queue="overdue") == [theirs.number]  # its response was due yesterday
    assert listed(client, queue="week") == [mine.number]  # response due today
    assert listed(client, handler=colleague.pk) == [theirs.number]
    assert listed(client, due_after=timezone.localdate().isoformat()) == [mine.number]
    assert listed(client, due_before=days_ago(1).isoformat(), status="registered") == [theirs.number]


def test_the_list_runs_no_query_per_row(
    login, quality, colleague, bobs_customer, rules, django_assert_num_queries
):
    client = login(quality)

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"queue": "overdue"}).status_code == 200
        return len(captured)

    for n in range(3):
        make_objection(bobs_customer, handler=quality, received_date=days_ago(5 + n))
    few = queries_for_page()
    for n in range(12):
        make_objection(bobs_customer, handler=colleague, received_date=days_ago(10 + n))
    with django_assert_num_queries(few):
        assert client.get(LIST, {"queue": "overdue"}).status_code == 200


def test_the_objection_page_queries_do_not_grow_with_assignments(
    login, quality, colleague, bobs_customer, rules, django_assert_num_queries
):
    objection = make_objection(bobs_customer)
    client = login(quality)
    objection.assign(quality, by=quality)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(detail(objection))
    for handler in (colleague, quality, colleague):
        objection.refresh_from_db()
        objection.assign(handler, by=quality, note="轮换")
    with django_assert_num_queries(len(captured)):
        client.get(detail(objection))


# The deadline rules' page ------------------------------------------------------------------


def rule_data(**changes):
    data = {"severity": 3, "customer": "", "response_days": 1, "containment_days": 1, "cause_days": 4}
    return {"closure_days": 12, **data, **changes}


def test_admin_adds_a_key_accounts_rule_and_it_applies(login, admin_user, bobs_customer, rules):
    response = login(admin_user).post(NEW_RULE, rule_data(severity=2, customer=bobs_customer.code))
    assert response.status_code == 302
    rule = DeadlineRule.objects.get(customer=bobs_customer)
    assert (rule.severity, rule.cause_days, rule.created_by) == (2, 4, admin_user)
    new = make_objection(bobs_customer, received_date=days_ago(0))
    objection = Objection.objects.with_deadlines().get(pk=new.pk)
    assert objection.cause_due == days_ago(-4)
    page = login(admin_user).get(RULES).content.decode()
    assert bobs_customer.name in page and "所有客户" in page


def test_the_rule_form_gives_the_models_message(login, admin_user, rules):
    response = login(admin_user).post(NEW_RULE, rule_data(cause_days=0))
    assert response.status_code == 200
    assert "原因分析的期限不能早于首次答复和遏制措施" in str(response.context["form"].errors["cause_days"])
    response = login(admin_user).post(NEW_RULE, rule_data(severity=2))
    # Named as the rule it clashes with.
    assert "已被“所有客户 · 一般”使用" in str(response.context["form"].errors)
    assert DeadlineRule.objects.count() == 1


def test_a_stale_rule_edit_is_refused(login, admin_user, rules):
    url = reverse("quality:deadline-rule-edit", args=[rules.pk])
    stale = rules.version
    rules.cause_days = 6
    rules.stamp(admin_user)
    rules.save()
    response = login(admin_user).post(url, rule_data(severity=2, version=stale))
    assert response.status_code == 200
    assert "他人已保存了这条记录" in response.content.decode()
    rules.refresh_from_db()
    assert rules.cause_days == 6


def test_admin_edits_and_deletes_a_rule(login, admin_user, rules):
    url = reverse("quality:deadline-rule-edit", args=[rules.pk])
    response = login(admin_user).post(url, rule_data(severity=2, closure_days=15, version=rules.version))
    assert response.status_code == 302
    rules.refresh_from_db()
    assert rules.closure_days == 15
    login(admin_user).post(reverse("quality:deadline-rule-delete", args=[rules.pk]))
    assert not DeadlineRule.objects.exists()


def test_quality_staff_read_the_rules_but_do_not_change_them(login, quality, rules):
    page = login(quality).get(RULES).content.decode()
    assert "异议期限规则" in page and reverse("quality:deadline-rule-edit", args=[rules.pk]) not in page
