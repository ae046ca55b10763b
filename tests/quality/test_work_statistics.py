"""异议处理统计: on-time rates per step and lead times to closure, against figures worked out by hand."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archive_site.models import DictKind
from quality.models import DeadlineRule, Objection, ObjectionTransition, Step
from quality.models.deadlines import deadline_annotations
from quality.statistics import work
from tests.archive_site.test_english_pages import untranslated
from tests.factories import entry, make_objection

pytestmark = pytest.mark.django_db

PAGE = reverse("quality:work-stats")
EXPORT = reverse("quality:work-stats-export")
d = datetime.date
TODAY = d(2026, 3, 10)
RANGE = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def make(customer, severity, received, moves=(), closed=None, line=None, grade=None, by=None):
    """An objection received on `received`, moved through `moves` ((status, day), in order) and
    closed on `closed` (with a transition when `moves` is given, else as an imported record)."""
    o = make_objection(
        customer,
        severity=severity,
        received_date=received,
        responsible_line=entry(DictKind.PRODUCTION_LINE, line) if line else None,
        production_grade=entry(DictKind.PRODUCTION_GRADE, grade) if grade else None,
    )
    status = "registered"
    for to, day in moves:
        ObjectionTransition.objects.create(objection=o, from_status=status, to_status=to, by=by, at=at(day))
        status = to
    Objection.objects.filter(pk=o.pk).update(status="closed" if closed else status, closed_date=closed)
    return o


@pytest.fixture
def data(alices_customer, bobs_customer, quality):
    """Severity 2 is due in 1 / 2 / 7 / 20 days (response / containment / cause / closure);
    severity 1 has no rule. Steps and their outcome on 2026-03-10 (✓ on time, L late, M missed,
    – not counted):

        received  moves (investigating, measures)  closed  resp cont cause close  days line grade
    A   01-05     01-06, 01-10                    01-20   ✓    ✓    ✓     ✓      15   CAL  DC04
    B   01-20     01-23, 01-26                    02-19   L    L    ✓     L      30   CAL  DC01
    C   02-10     02-11                            –      ✓    ✓    M     M       –
    D   03-05     –                                –      M    M    –     –       –
    E   02-03     imported closed                 03-05   L    L    L     L      30   CGL  –
    F   02-01     severity 1, imported closed     02-05   –    –    –     –       4   CGL  DC04
    Bob 01-10     imported closed                 01-12   L    ✓    ✓     ✓       2   RCL  DC01
    """
    DeadlineRule.objects.all().delete()
    DeadlineRule.objects.create(
        severity=2, response_days=1, containment_days=2, cause_days=7, closure_days=20
    )
    a = alices_customer
    make(a, 2, d(2026, 1, 5), [("investigating", d(2026, 1, 6)), ("measures_taken", d(2026, 1, 10))],
         d(2026, 1, 20), "CAL", "DC04", quality)  # fmt: skip
    make(a, 2, d(2026, 1, 20), [("investigating", d(2026, 1, 23)), ("measures_taken", d(2026, 1, 26))],
         d(2026, 2, 19), "CAL", "DC01", quality)  # fmt: skip
    make(a, 2, d(2026, 2, 10), [("investigating", d(2026, 2, 11))], by=quality)
    make(a, 2, d(2026, 3, 5))
    make(a, 2, d(2026, 2, 3), closed=d(2026, 3, 5), line="CGL")
    make(a, 1, d(2026, 2, 1), closed=d(2026, 2, 5), line="CGL", grade="DC04")
    make(bobs_customer, 2, d(2026, 1, 10), closed=d(2026, 1, 12), line="RCL", grade="DC01")


def figures(user, today=TODAY):
    start, end = d(2026, 1, 1), d(2026, 3, 31)
    objections = Objection.objects.visible_to(user).filter(received_date__range=(start, end))
    return work.compute(objections, today, start=start, end=end)


def rates(stats):
    return {r.step: (r.counted, r.on_time, r.late, r.missed, r.rate) for r in stats["rates"]}


def lead(rows):
    return [(r.label, r.count, r.mean, r.median) for r in rows]


def test_on_time_rate_per_step(alice, data):
    assert rates(figures(alice)) == {
        Step.RESPONSE: (5, 2, 2, 1, 40.0),
        Step.CONTAINMENT: (5, 2, 2, 1, 40.0),
        Step.CAUSE: (4, 2, 1, 1, 50.0),
        Step.CLOSURE: (4, 1, 2, 1, 25.0),
    }


def test_a_step_not_met_counts_only_once_its_due_date_has_passed(alice, data):
    # On 2026-03-06 D's response (due 03-06) is not late yet; its containment (due 03-07) neither,
    # and C's closure (due 03-02) is.
    stats = figures(alice, today=d(2026, 3, 6))
    assert rates(stats)[Step.RESPONSE] == (4, 2, 2, 0, 50.0)
    assert rates(stats)[Step.CONTAINMENT] == (4, 2, 2, 0, 50.0)
    assert rates(stats)[Step.CLOSURE] == (4, 1, 2, 1, 25.0)


def test_the_status_log_grouped_by_objection_gives_the_rates_the_subqueries_give(
    alice, alices_customer, bobs_customer, quality, data
):
    """The rates count the dates of `step_dates` (the rules read once, the status log joined and
    grouped); `deadline_annotations` (a subquery per row and step, as a page of objections
    shows them) gives the same on every day, with a key account's own rule, a reopened objection
    (two transitions to the same status) and objections without transitions."""
    DeadlineRule.objects.create(
        severity=2, customer=bobs_customer, response_days=0, containment_days=3, cause_days=4, closure_days=9
    )
    reopened = make(bobs_customer, 2, d(2026, 2, 2), [("investigating", d(2026, 2, 3)),
                    ("measures_taken", d(2026, 2, 9)), ("investigating", d(2026, 2, 12)),
                    ("measures_taken", d(2026, 2, 14))], by=quality)  # fmt: skip
    assert reopened.transitions.count() == 4
    everyone = Objection.objects.all()
    for today in [d(2026, 1, 4), d(2026, 1, 21), d(2026, 2, 10), d(2026, 3, 6), TODAY, d(2026, 6, 1)]:
        grouped = [(r.counted, r.on_time, r.late, r.missed) for r in work.step_rates(everyone, today)]
        old = work.step_rates(everyone, today, deadline_annotations(ObjectionTransition))
        assert grouped == [(r.counted, r.on_time, r.late, r.missed) for r in old], today
    assert rates({"rates": work.step_rates(everyone, TODAY)})[Step.CAUSE] == (6, 3, 2, 1, 50.0)


def test_lead_time_by_month_line_and_grade(alice, data):
    stats = figures(alice)
    # Closed: A 15, B 30 (January); E 30, F 4 (February). Median of 4, 15, 30, 30 is 22.5.
    assert lead(stats["by_month"]) == [("2026-01", 2, 22.5, 22.5), ("2026-02", 2, 17.0, 17.0)]
    assert lead([stats["lead_total"]]) == [("合计", 4, 19.8, 22.5)]
    assert lead(stats["by_line"]) == [("连退", 2, 22.5, 22.5), ("镀锌", 2, 17.0, 17.0)]
    assert lead(stats["by_grade"]) == [
        ("DC04", 2, 9.5, 9.5),
        ("DC01", 1, 30.0, 30.0),
        ("未填写", 1, 30.0, 30.0),
    ]


def test_the_median_is_interpolated_and_differs_from_the_mean(alices_customer):
    for received, closed in [(d(2026, 1, 1), d(2026, 1, 2)), (d(2026, 1, 1), d(2026, 1, 3)),
                             (d(2026, 1, 1), d(2026, 1, 31))]:  # fmt: skip
        make(alices_customer, 1, received, closed=closed)
    stats = work.compute(Objection.objects.all(), TODAY)
    assert lead([stats["lead_total"]]) == [("合计", 3, 11.0, 2.0)]


def test_the_page_shows_the_users_figures_only(login, alice, quality, data):
    alices = login(alice).get(PAGE, RANGE)
    assert alices.status_code == 200
    stats = alices.context["stats"]
    # Bob's customer's objection is not alice's: neither its steps nor its two days. (The page
    # counts up to the real today, long after every due date of the data.)
    assert [r.counted for r in stats["rates"]] == [5, 5, 5, 5]
    assert stats["lead_total"].count == 4
    assert "RCL" not in {r.label for r in stats["by_line"]} and "重卷" not in alices.content.decode()

    everyone = login(quality).get(PAGE, RANGE).context["stats"]
    assert [r.counted for r in everyone["rates"]] == [6, 6, 6, 6]
    assert [r.on_time for r in everyone["rates"]] == [2, 3, 3, 2]
    assert lead(everyone["by_month"])[0] == ("2026-01", 3, 15.7, 15.0)
    assert ("重卷", 1, 2.0, 2.0) in lead(everyone["by_line"])


def test_the_page_defaults_to_the_last_twelve_months(login, quality, alices_customer):
    today = timezone.localdate()
    make(
        alices_customer, 1, today - datetime.timedelta(days=400), closed=today - datetime.timedelta(days=390)
    )
    make(alices_customer, 1, today - datetime.timedelta(days=30), closed=today - datetime.timedelta(days=20))
    response = login(quality).get(PAGE)
    stats = response.context["stats"]
    assert stats["start"] <= today - datetime.timedelta(days=330) and stats["end"] == today
    assert lead([stats["lead_total"]]) == [("合计", 1, 10.0, 10.0)]


def test_an_empty_range_says_there_is_nothing_to_count(login, quality, data):
    response = login(quality).get(PAGE, {"date_from": "2020-01-01", "date_to": "2020-12-31"})
    assert response.status_code == 200
    assert [r.counted for r in response.context["stats"]["rates"]] == [0, 0, 0, 0]
    text = response.content.decode()
    assert 'id="nothing"' in text and "没有可统计的数据" in text
    assert "<svg" not in text


def test_the_export_holds_the_pages_numbers(login, quality, data):
    client = login(quality)
    stats = client.get(PAGE, RANGE).context["stats"]
    response = client.get(EXPORT, RANGE)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheets = [[list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]
    rates_sheet, months, lines, grades = sheets
    assert rates_sheet[1:] == [
        [str(r.label), r.counted, r.on_time, r.late, r.missed, r.rate] for r in stats["rates"]
    ]
    assert months[1:] == [
        [r.label, r.count, r.mean, r.median] for r in [*stats["by_month"], stats["lead_total"]]
    ]
    assert lines[1:] == [[r.label, r.count, r.mean, r.median] for r in stats["by_line"]]
    assert grades[1:] == [[r.label, r.count, r.mean, r.median] for r in stats["by_grade"]]
    assert months[-1] == ["合计", 5, 16.2, 15.0]


def test_the_export_is_refused_without_the_export_permission(login, viewer, data):
    assert login(viewer).get(PAGE, RANGE).status_code == 200
    assert login(viewer).get(EXPORT, RANGE).status_code == 403


def test_queries_do_not_grow_with_the_archive(login, quality, alices_customer, django_assert_num_queries):
    DeadlineRule.objects.all().delete()
    DeadlineRule.objects.create(
        severity=2, response_days=1, containment_days=2, cause_days=7, closure_days=20
    )
    client = login(quality)
    client.get(PAGE, RANGE)  # warm caches (session, permissions, dictionaries)

    def add(n):
        for i in range(n):
            make(alices_customer, 2, d(2026, 1, 5) + datetime.timedelta(days=i % 60),
                 [("investigating", d(2026, 3, 6))], closed=d(2026, 3, 20),
                 line=["CAL", "CGL", "RCL"][i % 3], grade=["DC01", "DC04"][i % 2], by=quality)  # fmt: skip

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, RANGE).status_code == 200
        return len(queries)

    add(3)
    small = count()
    add(30)
    with django_assert_num_queries(small):
        client.get(PAGE, RANGE)


def test_the_objection_statistics_link_here_and_the_nav_marks_the_objections(login, quality):
    """Reached from the objection statistics (the header's navigation keeps to one line), the page
    is part of the objections module: its link in the navigation is the current one."""
    client = login(quality)
    assert f'href="{PAGE}' in client.get(reverse("quality:objection-stats")).content.decode()
    page = client.get(PAGE).content.decode()
    assert 'id="nav-objections" class="current"' in page


def test_the_english_page_has_no_untranslated_chinese(login, quality, data):
    client = login(quality)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for params in (RANGE, {"date_from": "2020-01-01", "date_to": "2020-01-31"}):
        html = client.get(PAGE, params).content.decode()
        assert "On-time rate" in html
        assert untranslated(html, set()) == set()
