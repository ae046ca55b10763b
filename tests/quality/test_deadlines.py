"""Deadline rules and each objection's due dates and step states."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quality.models import DeadlineRule, Objection, ObjectionTransition, Step, StepState
from quality.models.deadlines import deadline_annotations, next_due_expression, step_dates
from tests.factories import make_customer, make_objection

pytestmark = pytest.mark.django_db

D = datetime.date
RECEIVED = D(2026, 3, 2)  # a Monday
DAYS = {"response_days": 1, "containment_days": 1, "cause_days": 5, "closure_days": 9}


@pytest.fixture
def rules(alices_customer):
    """Known rules: severity 2 for everyone, and a stricter one for alice's customer."""
    DeadlineRule.objects.all().delete()
    return {
        "default": DeadlineRule.objects.create(
            severity=2, response_days=1, containment_days=2, cause_days=7, closure_days=20
        ),
        "key_account": DeadlineRule.objects.create(
            severity=2,
            customer=alices_customer,
            response_days=0,
            containment_days=1,
            cause_days=3,
            closure_days=10,
        ),
    }


def with_deadlines(objection):
    return Objection.objects.with_deadlines().get(pk=objection.pk)


def states(objection, today):
    return {d.step: d.state for d in with_deadlines(objection).deadlines(today)}


def measured(o):
    o.cause, o.solution, o.preventive = "辊面粘附异物", "换辊", "换辊前检查辊面"
    o.save()
    return o


def test_due_dates_count_calendar_days_from_receipt(rules, bobs_customer):
    objection = with_deadlines(make_objection(bobs_customer, severity=2, received_date=RECEIVED))
    assert {d.step: d.due for d in objection.deadlines(RECEIVED)} == {
        Step.RESPONSE: D(2026, 3, 3),
        Step.CONTAINMENT: D(2026, 3, 4),
        Step.CAUSE: D(2026, 3, 9),
        Step.CLOSURE: D(2026, 3, 22),
    }
    assert objection.next_due == D(2026, 3, 3)


def test_a_key_accounts_own_rule_wins_over_the_default(rules, alices_customer):
    objection = with_deadlines(make_objection(alices_customer, severity=2, received_date=RECEIVED))
    assert [d.due for d in objection.deadlines(RECEIVED)] == [
        D(2026, 3, 2),
        D(2026, 3, 3),
        D(2026, 3, 5),
        D(2026, 3, 12),
    ]


def test_a_severity_without_a_rule_has_no_deadlines(rules, bobs_customer):
    objection = make_objection(bobs_customer, severity=4, received_date=RECEIVED)
    assert set(states(objection, RECEIVED).values()) == {StepState.NO_RULE}
    assert with_deadlines(objection).next_due is None


def test_steps_are_on_time_due_soon_then_overdue_as_the_days_pass(rules, bobs_customer):
    objection = make_objection(bobs_customer, severity=2, received_date=RECEIVED)
    assert states(objection, D(2026, 3, 1))[Step.CAUSE] == StepState.ON_TIME
    assert states(objection, D(2026, 3, 8))[Step.CAUSE] == StepState.DUE_SOON  # due tomorrow
    assert states(objection, D(2026, 3, 9))[Step.CAUSE] == StepState.DUE_SOON  # due today
    assert states(objection, D(2026, 3, 10))[Step.CAUSE] == StepState.OVERDUE


def test_investigating_meets_response_and_containment_on_the_day_it_began(rules, bobs_customer, quality):
    objection = make_objection(bobs_customer, severity=2, received_date=RECEIVED)
    objection.transition(Objection.Status.INVESTIGATING, by=quality)
    today = timezone.localdate()
    objection.transitions.update(at=timezone.make_aware(datetime.datetime(2026, 3, 4, 9)))
    reloaded = with_deadlines(objection)
    by_step = {d.step: d for d in reloaded.deadlines(today)}
    assert by_step[Step.RESPONSE].met_on == D(2026, 3, 4)
    assert by_step[Step.RESPONSE].state == StepState.MET_LATE  # due the 3rd
    assert by_step[Step.CONTAINMENT].state == StepState.MET  # due the 4th
    assert not by_step[Step.CAUSE].met
    assert reloaded.next_due == D(2026, 3, 9)  # the cause is next


def test_closing_meets_every_step_and_leaves_nothing_due(rules, bobs_customer, quality):
    objection = measured(make_objection(bobs_customer, severity=2, received_date=RECEIVED))
    for status in ("investigating", "measures_taken"):
        objection.transition(status, by=quality)
    objection.transitions.update(at=timezone.make_aware(datetime.datetime(2026, 3, 3, 9)))
    objection.close(by=quality, closed_date=D(2026, 3, 25))
    reloaded = with_deadlines(objection)
    assert {d.step: d.state for d in reloaded.deadlines(D(2026, 4, 1))} == {
        Step.RESPONSE: StepState.MET,
        Step.CONTAINMENT: StepState.MET,
        Step.CAUSE: StepState.MET,
        Step.CLOSURE: StepState.MET_LATE,  # due the 22nd, closed the 25th
    }
    assert reloaded.next_due is None


def test_a_reopened_objection_needs_its_cause_and_closure_again(rules, bobs_customer, quality):
    objection = measured(make_objection(bobs_customer, severity=2, received_date=RECEIVED))
    for status in ("investigating", "measures_taken", "closed", "investigating"):
        objection.transition(status, by=quality, note="客户再次反馈")  # reopening needs a reason
    result = states(objection, D(2026, 3, 30))
    assert result[Step.RESPONSE] != StepState.OVERDUE
    assert result[Step.CAUSE] == StepState.OVERDUE
    assert result[Step.CLOSURE] == StepState.OVERDUE


def test_overdue_and_due_this_week_select_by_the_next_step(rules, bobs_customer, quality):
    late = make_objection(bobs_customer, severity=2, received_date=D(2026, 2, 20))
    this_week = make_objection(bobs_customer, severity=2, received_date=D(2026, 3, 4))  # due the 5th
    next_week = make_objection(bobs_customer, severity=2, received_date=D(2026, 3, 8))  # due the 9th
    measured(late).transition("investigating", by=quality)  # cause due 27 Feb: still late
    today = D(2026, 3, 4)  # a Wednesday
    assert list(Objection.objects.overdue(today)) == [late]
    assert list(Objection.objects.due_this_week(today)) == [this_week]
    assert next_week in Objection.objects.due_between(D(2026, 3, 9), D(2026, 3, 9))


def test_steps_must_come_in_order(rules):
    rule = DeadlineRule(severity=1, response_days=5, containment_days=1, cause_days=3, closure_days=2)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert set(caught.value.message_dict) == {"cause_days", "closure_days"}
    assert "原因分析的期限不能早于首次答复和遏制措施" in caught.value.message_dict["cause_days"][0]


def test_one_default_rule_per_severity_and_one_per_customer(rules, alices_customer):
    with pytest.raises(ValidationError) as caught:
        DeadlineRule(severity=2, **DAYS).full_clean()
    assert "这个严重程度已有通用规则。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        DeadlineRule(severity=2, customer=alices_customer, **DAYS).full_clean()
    assert "这个客户的这个严重程度已有规则。" in str(caught.value)


def test_the_default_rules_cover_every_severity():
    from importlib import import_module

    # The seed a new database runs: the squashed migration's (0007's is the replaced history).
    migration = import_module("quality.migrations.0001_squashed_0022_plan_search")
    DeadlineRule.objects.all().delete()
    migration.seed_deadline_rules(apps, None)
    defaults = DeadlineRule.objects.filter(customer=None)
    assert sorted(defaults.values_list("severity", flat=True)) == [1, 2, 3, 4]
    for rule in defaults:
        rule.full_clean()  # in order
    # The graver, the sooner.
    closure = dict(defaults.values_list("severity", "closure_days"))
    assert closure[4] < closure[3] < closure[2] < closure[1]


def test_other_customers_key_account_rules_do_not_apply(rules, alices_customer):
    other = make_customer(code="C0999", name="另一家汽车厂")
    objection = with_deadlines(make_objection(other, severity=2, received_date=RECEIVED))
    assert objection.response_due == D(2026, 3, 3)  # the default's, not alice's customer's


DATES = [f"{step.value}_{name}" for step in Step for name in ("due", "met_on")]


def test_a_page_reads_the_dates_sql_gives(
    rules, alices_customer, bobs_customer, quality, django_assert_num_queries
):
    """`with_deadlines()` reads the rules and the status log after the rows, and gives the dates
    that SQL gives per row (`deadline_annotations`) and over many rows (`step_dates`): with a key
    account's own rule, a severity without a rule, every status, an objection reopened, one
    closed without a status log, and a status reached after midnight in the mill's time zone
    (before it in UTC)."""
    at = lambda day, hour=9: timezone.make_aware(datetime.datetime(2026, 3, day, hour))  # noqa: E731
    histories = {
        "registered": [],
        "investigating": [("investigating", at(3))],
        "late night": [("investigating", at(4, 1))],  # 3 March 17:00 UTC
        "measures_taken": [("investigating", at(3)), ("measures_taken", at(6))],
        "closed": [("investigating", at(3)), ("measures_taken", at(6)), ("closed", at(20))],
        "reopened": [
            ("investigating", at(5)),
            ("measures_taken", at(8)),
            ("closed", at(12)),
            ("investigating", at(15)),
            ("measures_taken", at(18)),
        ],
        "closed, no log": [],
    }
    status = {"late night": "investigating", "reopened": "measures_taken", "closed, no log": "closed"}
    objections = []
    for customer in (alices_customer, bobs_customer):
        for severity in (2, 3):  # no rule for 3
            for name, history in histories.items():
                o = make_objection(customer, severity=severity, received_date=RECEIVED)
                closed = D(2026, 3, 21) if "closed" in name else None
                Objection.objects.filter(pk=o.pk).update(status=status.get(name, name), closed_date=closed)
                ObjectionTransition.objects.bulk_create(
                    ObjectionTransition(objection=o, from_status="", to_status=to, by=quality, at=when)
                    for to, when in history
                )
                objections.append(o.pk)

    def dates(o):
        return {name: getattr(o, name) for name in (*DATES, "next_due")}

    with django_assert_num_queries(3):  # the rows, the rules, the status log
        loaded = {o.pk: dates(o) for o in Objection.objects.with_deadlines().filter(pk__in=objections)}
    per_row = Objection.objects.annotate(**deadline_annotations(ObjectionTransition))
    assert loaded == {o.pk: dates(o) for o in per_row.filter(pk__in=objections)}
    many = Objection.objects.annotate(**step_dates(list(DeadlineRule.objects.all())))
    assert {pk: {k: v for k, v in d.items() if k != "next_due"} for pk, d in loaded.items()} == {
        o.pk: {name: getattr(o, name) for name in DATES} for o in many.filter(pk__in=objections)
    }
    # What the cases were there to show, read from the loaded dates.
    by_bob = [loaded[pk] for pk in objections[len(objections) // 2 :]]
    assert by_bob[1]["response_met_on"] == D(2026, 3, 3)
    assert by_bob[2]["response_met_on"] == D(2026, 3, 4)  # the mill's day, not UTC's
    assert by_bob[5]["response_met_on"] == D(2026, 3, 5)  # first reached, not since reopening
    assert by_bob[5]["cause_met_on"] == D(2026, 3, 8) and by_bob[5]["next_due"] == D(2026, 3, 22)
    assert by_bob[6]["cause_met_on"] == by_bob[6]["closure_met_on"] == D(2026, 3, 21)
    assert by_bob[len(histories)]["response_due"] is None  # severity 3: no rule


def test_the_queues_select_and_order_what_the_due_dates_per_row_selected(
    rules, alices_customer, bobs_customer, quality, login
):
    """The work queues, the due-date filter and the sort by next due date use the rules read once
    (received-date ranges, a CASE); they used to compute each row's next due date by subqueries
    on the rule table. Both give the same rows in the same order — with a key account's own rule,
    a severity without a rule, every status — on each day of three weeks and on the list page."""
    today = timezone.localdate()
    for customer in (alices_customer, bobs_customer):
        for severity in (2, 3):  # no rule for 3: never due
            for status in ("registered", "investigating", "measures_taken", "closed"):
                for days_ago in (21, 9, 4, 1, 0):
                    o = make_objection(
                        customer, severity=severity, received_date=today - datetime.timedelta(days=days_ago)
                    )
                    closed = today if status == "closed" else None
                    Objection.objects.filter(pk=o.pk).update(status=status, closed_date=closed)
    per_row = Objection.objects.annotate(next_due=next_due_expression())  # the former path

    def former(start=None, end=None):
        rows = per_row.filter(next_due__isnull=False)
        rows = rows if start is None else rows.filter(next_due__gte=start)
        rows = rows if end is None else rows.filter(next_due__lte=end)
        return list(rows.values_list("number", flat=True))

    def now(rows):
        return list(rows.values_list("number", flat=True))

    day = datetime.timedelta(days=1)
    for n in range(-7, 14):
        on = today + n * day
        sunday = on + (6 - on.weekday()) * day
        assert now(Objection.objects.overdue(on)) == former(end=on - day), on
        assert now(Objection.objects.due_this_week(on)) == former(on, sunday), on
        assert now(Objection.objects.due_between(on, on + 3 * day)) == former(on, on + 3 * day), on
    assert 0 < len(former(end=today - day)) < len(former()) < 50  # one page; some due, not all

    client = login(quality)

    def listed(**params):
        response = client.get(reverse("quality:objection-list"), params)
        return [o.number for o in response.context["page_obj"]]

    sunday = today + (6 - today.weekday()) * day
    assert listed(queue="overdue") == former(end=today - day)
    assert listed(queue="week") == former(today, sunday)
    assert listed(due_after=today.isoformat()) == former(today)
    # By the next due date (ties in the former order's own arbitrary order): the same dates.
    by_due = client.get(reverse("quality:objection-list"), {"o": "-next_due", "open": "on"})
    dates = [o.next_due for o in by_due.context["page_obj"]]
    former_dates = list(per_row.open().order_by("-next_due").values_list("next_due", flat=True))
    assert dates == former_dates[:50] and dates[0] is None  # no rule: last in time, first descending
