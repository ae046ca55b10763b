"""The home page as a dashboard: the objection figures against numbers computed by hand, each
role's panels, the record scope, links that lead to lists of the same count, and a query count
that does not grow with the archive."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from quality.models import DeadlineRule, Objection, PlanRun, ProcessPlan
from quality.models.deadlines import due_dates, next_due_expression, overdue_condition
from quality.statistics import dashboard
from tests.factories import make_customer, make_demand, make_objection, make_plan, make_run

pytestmark = pytest.mark.django_db

HOME = reverse("home")
D = datetime.date
TODAY = D(2026, 6, 15)
PARAMS = [("CAL", "SOAK_T", 820, 800, 840, "℃")]


@pytest.fixture(autouse=True)
def chinese():
    """The figures are computed outside a request here: in the default language, whatever an
    earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def rules(db):
    """Severity 2 (the factories' default): response the same day, containment in 1 day, cause in 5,
    closure in 10."""
    DeadlineRule.objects.all().delete()
    return DeadlineRule.objects.create(
        severity=2, response_days=0, containment_days=1, cause_days=5, closure_days=10
    )


def objection(customer, received, status="registered", closed=None, defect="SCRATCH", **fields):
    o = make_objection(customer, defect=defect, received_date=received, **fields)
    if status != "registered":
        Objection.objects.filter(pk=o.pk).update(status=status, closed_date=closed)
    return o


def archive(alices_customer, bobs_customer, quality, today):
    """Eight objections around `today` (dates as offsets, so the same set serves any day).

    With today = 2026-06-15 and the rule above:
      alice's:  1. received 06-01, registered, due 06-01 → overdue
                2. received 06-15 (today), registered, due today → not overdue
                3. received 2025-06-10, closed 2025-06-20 (10 days)
                4. received 03-01, closed 03-21 (20 days), 辊印
                5. received 05-20, measures taken, handled by quality, closure due 05-30 → overdue, 辊印
      bob's:    6. received 06-05, investigating, handled by quality, cause due 06-10 → overdue
                7. received 2025-06-30, closed 2025-07-05 (5 days)
                8. received 2024-01-01, closed 2024-02-01 (outside the last 12 months)
    """

    def day(d):
        return today + (d - TODAY)

    a, b = alices_customer, bobs_customer
    objection(a, day(D(2026, 6, 1)))
    objection(a, day(D(2026, 6, 15)))
    objection(a, day(D(2025, 6, 10)), "closed", day(D(2025, 6, 20)))
    objection(a, day(D(2026, 3, 1)), "closed", day(D(2026, 3, 21)), defect="ROLL_MARK")
    objection(a, day(D(2026, 5, 20)), "measures_taken", defect="ROLL_MARK", handler=quality)
    objection(b, day(D(2026, 6, 5)), "investigating", handler=quality)
    objection(b, day(D(2025, 6, 30)), "closed", day(D(2025, 7, 5)))
    objection(b, day(D(2024, 1, 1)), "closed", day(D(2024, 2, 1)))


def test_the_overdue_condition_selects_what_the_due_dates_select(
    rules, alices_customer, bobs_customer, quality
):
    """The figures and the overdue queue count overdue objections by received-date thresholds;
    they agree with the next due date computed per row by subqueries, with a key account's own
    rule and a severity without one."""
    archive(alices_customer, bobs_customer, quality, TODAY)
    days = {"response_days": 1, "containment_days": 2, "cause_days": 20, "closure_days": 30}
    DeadlineRule.objects.create(severity=2, customer=bobs_customer, **days)
    objection(alices_customer, D(2026, 6, 10), severity=3)  # no rule for severity 3: never overdue
    objection(bobs_customer, D(2026, 6, 10), "measures_taken")
    for n in range(0, 60, 3):
        today = TODAY + datetime.timedelta(days=n)
        per_row = Objection.objects.annotate(next_due=next_due_expression())  # subqueries per row
        by_due = set(per_row.filter(next_due__lt=today).values_list("pk", flat=True))
        by_threshold = set(Objection.objects.filter(overdue_condition(today)).values_list("pk", flat=True))
        assert by_threshold == by_due, today
    assert Objection.objects.filter(overdue_condition(TODAY)).count() == 2  # 1 and 5; bob's cause due 06-25


def test_the_due_dates_from_the_rules_read_once_are_those_the_subqueries_give(
    rules, alices_customer, bobs_customer, quality
):
    """The handler's rows are ordered by the next due date computed from the rule table read once
    (a CASE per rule); the lists compute it with a subquery per row. Both give the same dates, with
    a key account's own rule, a severity without a rule and closed objections."""
    archive(alices_customer, bobs_customer, quality, TODAY)
    days = {"response_days": 1, "containment_days": 2, "cause_days": 20, "closure_days": 30}
    DeadlineRule.objects.create(severity=2, customer=bobs_customer, **days)
    objection(alices_customer, D(2026, 6, 10), severity=3)
    objection(bobs_customer, D(2026, 6, 10), "measures_taken")
    objection(bobs_customer, D(2026, 6, 11), "investigating")
    cased = next_due_expression(due_dates(list(DeadlineRule.objects.all())))
    both = Objection.objects.annotate(by_rules=cased, by_subquery=next_due_expression())
    pairs = list(both.values_list("by_rules", "by_subquery"))
    assert len(pairs) == 11 and all(a == b for a, b in pairs)
    assert {a for a, _ in pairs} >= {None, D(2026, 6, 1), D(2026, 7, 10), D(2026, 7, 1)}


def test_the_figures_follow_a_new_objection_a_status_change_and_a_deletion_at_once(
    rules, alices_customer, bobs_customer, quality
):
    """Nothing is kept between requests: every figure is counted afresh."""
    archive(alices_customer, bobs_customer, quality, TODAY)

    def figures():
        return values(dashboard.objection_figures(Objection.objects.all(), TODAY)["figures"])

    before = figures()
    new = objection(alices_customer, D(2026, 6, 2))  # overdue: response due 06-02
    after_new = figures()
    assert (after_new["open"], after_new["overdue"], after_new["this_month"]) == (5, 4, 4)
    Objection.objects.filter(pk=new.pk).update(status="closed", closed_date=D(2026, 6, 12))
    closed = figures()
    assert (closed["open"], closed["overdue"], closed["mean_days"]) == (4, 3, 11.2)  # (10+20+5+10)/4 = 11.25
    Objection.objects.filter(pk=new.pk).delete()
    assert figures() == before


def values(figures):
    return {key: f.value for key, f in figures.items()}


# The figures against hand-computed numbers ------------------------------------------------


def test_the_figures_match_the_numbers_counted_by_hand(rules, alices_customer, bobs_customer, quality):
    archive(alices_customer, bobs_customer, quality, TODAY)
    result = dashboard.objection_figures(Objection.objects.visible_to(quality), TODAY)
    assert values(result["figures"]) == {
        "open": 4,  # 1, 2, 5, 6
        "overdue": 3,  # 1, 5, 6 (2 is due today)
        "this_month": 3,  # 1, 2, 6: 1–15 June 2026
        "last_year": 2,  # 3, 7: June 2025
        "mean_days": 11.7,  # (10 + 20 + 5) / 3: closed from 2025-06-16 on
    }
    assert result["figures"]["mean_days"].rows == 3
    assert result["figures"]["this_month"].label == "2026年6月"
    assert result["figures"]["last_year"].label == "2025年6月"
    # Since 2026-03-18 (90 days with today): 划伤 1, 2, 6; 辊印 5 (4 is older).
    assert [(f.label, f.value) for f in result["top_defects"]] == [("划伤", 3), ("辊印", 1)]
    assert "<svg" in result["charts"]["months"] and "<svg" in result["charts"]["defects"]


def test_a_sales_user_sees_only_her_customers_figures(rules, alice, alices_customer, bobs_customer, quality):
    archive(alices_customer, bobs_customer, quality, TODAY)
    result = dashboard.objection_figures(Objection.objects.visible_to(alice), TODAY)
    assert values(result["figures"]) == {
        "open": 3,  # 1, 2, 5
        "overdue": 2,  # 1, 5
        "this_month": 2,  # 1, 2
        "last_year": 1,  # 3
        "mean_days": 15.0,  # (10 + 20) / 2
    }
    assert [(f.label, f.value) for f in result["top_defects"]] == [("划伤", 2), ("辊印", 1)]


def test_a_handlers_work_counts_open_overdue_and_awaiting_verification(
    rules, alices_customer, bobs_customer, quality
):
    archive(alices_customer, bobs_customer, quality, TODAY)
    work = dashboard.handler_work(Objection.objects.visible_to(quality), quality, TODAY)
    assert [f.value for f in work["figures"]] == [2, 2, 1]  # 5 and 6; both overdue; 5 awaits verification
    assert [o.received_date for o in work["rows"]] == [D(2026, 5, 20), D(2026, 6, 5)]  # next due first


def test_a_sales_users_new_objections_are_those_of_the_last_30_days(
    rules, alice, alices_customer, bobs_customer, quality
):
    archive(alices_customer, bobs_customer, quality, TODAY)
    new = dashboard.new_objections(Objection.objects.visible_to(alice), TODAY)
    assert new["figures"][0].value == 3  # 1, 2, 5: since 2026-05-17; bob's 6 is not hers
    assert {o.customer for o in new["rows"]} == {alices_customer}


def test_an_archive_without_closed_objections_has_no_mean_time(quality, alices_customer):
    objection(alices_customer, TODAY)
    figures = dashboard.objection_figures(Objection.objects.all(), TODAY)["figures"]
    assert figures["mean_days"].value is None


def test_plans_awaiting_approval_and_out_of_limits(engineer, alices_customer, bobs_customer, alice):
    approved = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    make_run(approved, "C1", SOAK_T=845)  # out of limits, but produced long ago
    make_run(approved, "C2", SOAK_T=830)
    recent_out = make_plan(bobs_customer, parameters=PARAMS, approved_by=engineer)
    make_run(recent_out, "C3", SOAK_T=790)  # below the lower limit
    PlanRun.objects.filter(coil_number="C3").update(produced_on=TODAY - datetime.timedelta(days=29))
    PlanRun.objects.filter(coil_number="C2").update(produced_on=TODAY)
    draft = make_plan(alices_customer, parameters=PARAMS)  # a draft, no runs
    work = dashboard.plan_work(engineer, TODAY)
    assert [f.value for f in work["figures"]] == [1, 1]
    assert [r.pk for r in work["drafts"]] == [draft.pk]
    assert [p.pk for p in work["out_of_limits"]] == [recent_out.plan_id]
    # In alice's scope: her draft, and no plan of hers went out of limits in the last 30 days.
    assert [f.value for f in dashboard.plan_work(alice, TODAY)["figures"]] == [1, 0]
    long_ago = TODAY - datetime.timedelta(days=500)  # before C1's 2025-03-01
    assert ProcessPlan.objects.out_of_limits_since(long_ago).count() == 2


# The page by role ----------------------------------------------------------------------------


PANELS = ["home-figures", "home-handler-work", "home-plan-work", "home-new-objections", "home-new-demands"]


@pytest.mark.parametrize(
    "who, shown",
    [
        ("quality", {"home-figures", "home-handler-work"}),
        ("engineer", {"home-figures", "home-plan-work"}),
        ("alice", {"home-figures", "home-new-objections", "home-new-demands"}),
        ("viewer", {"home-figures"}),
        ("admin_user", {"home-figures", "home-handler-work", "home-plan-work"}),
    ],
)
def test_each_role_sees_its_own_panels(request, login, who, shown):
    page = login(request.getfixturevalue(who)).get(HOME).content.decode()
    assert {p for p in PANELS if f'id="{p}"' in page} == shown
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline scripts (CSP)


def test_the_search_box_and_judgement_check_stay_on_the_home_page(login, quality):
    page = login(quality).get(HOME).content.decode()
    assert 'action="/customers/"' in page or reverse("customers:customer-list") in page
    assert 'id="home-judgement"' in page


def test_the_home_page_shows_the_figures_in_english(login, quality, alices_customer, rules):
    objection(alices_customer, timezone.localdate())
    client = login(quality)
    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    page = client.get(HOME).content.decode()
    assert "Open objections" in page and "Mean days to closure" in page


# Links lead to lists of the same count -------------------------------------------------------


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_every_figure_links_to_a_list_of_the_same_count(
    rules, login, quality, alice, alices_customer, bobs_customer
):
    today = timezone.localdate()
    archive(alices_customer, bobs_customer, quality, today)
    for user in (quality, alice):
        client = login(user)
        context = client.get(HOME).context
        figures = {}
        for ctx in context:
            shown = ctx.get("figures") or []
            if isinstance(shown, dict):
                shown = shown.values()
            for f in [*shown, *ctx.get("top_defects", [])]:
                figures[f.url] = f
        # quality: 5 figures, 2 defects, 3 of her work; alice: 5 figures, 2 defects, her new objections
        assert len(figures) == (10 if user == quality else 8)
        for f in figures.values():
            assert listed(client, f.url) == f.listed, (user.username, f.label, f.url)


def test_the_mean_time_links_to_the_objections_it_averages(
    rules, login, quality, alices_customer, bobs_customer
):
    today = timezone.localdate()
    archive(alices_customer, bobs_customer, quality, today)
    figures = dashboard.objection_figures(Objection.objects.all(), today)["figures"]
    assert listed(login(quality), figures["mean_days"].url) == 3


def test_the_plan_figures_link_to_plan_lists_of_the_same_count(login, engineer, alices_customer):
    today = timezone.localdate()
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    make_run(revision, "C1", SOAK_T=900)
    PlanRun.objects.update(produced_on=today)
    make_plan(alices_customer, parameters=PARAMS)
    client = login(engineer)
    work = [c for c in client.get(HOME).context if "drafts" in c][0]
    for f in work["figures"]:
        assert f.value == 1
        assert listed(client, f.url) == 1


def test_the_new_demands_link_to_the_demand_list_of_the_same_count(
    login, alice, alices_customer, bobs_customer
):
    make_demand(alices_customer)
    make_demand(alices_customer, name="冰箱侧板用 DC03")
    make_demand(bobs_customer)
    client = login(alice)
    panel = [c for c in client.get(HOME).context if "count" in c and "url" in c][0]
    assert panel["count"] == 2
    assert listed(client, panel["url"]) == 2
    assert urlsplit(panel["url"]).query.startswith("created_after=")


# The query count does not grow with the archive ------------------------------------------------


def home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx.captured_queries)


def grow(alices_customer, bobs_customer, quality, engineer, times):
    today = timezone.localdate()
    for i in range(times):
        for customer in (alices_customer, bobs_customer):
            o = objection(customer, today - datetime.timedelta(days=i), handler=quality)
            if i % 2:
                Objection.objects.filter(pk=o.pk).update(status="closed", closed_date=today)
            make_demand(customer, name=f"需求 {i}")
            revision = make_plan(customer, parameters=PARAMS, approved_by=engineer if i % 2 else None)
            if i % 2:
                make_run(revision, f"K{customer.pk}-{i}", SOAK_T=700 + i)
    PlanRun.objects.update(produced_on=today)


@pytest.mark.parametrize("who", ["quality", "engineer", "alice", "admin_user"])
def test_the_home_pages_query_count_does_not_grow_with_the_archive(
    request, rules, login, who, quality, engineer, alices_customer, bobs_customer
):
    client = login(request.getfixturevalue(who))
    grow(alices_customer, bobs_customer, quality, engineer, 2)
    # The whole archive's figures are kept (inserted the first time, updated after each write):
    # count a request that updates them, as the one after growing does.
    home_queries(client)
    small = home_queries(client)
    grow(make_customer(sales_owner=alices_customer.sales_owner), bobs_customer, quality, engineer, 12)
    assert home_queries(client) == small
