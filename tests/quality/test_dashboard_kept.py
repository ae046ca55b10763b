"""The home page's objection figures of the whole archive are kept until a table they read is
written (`archive_site.kept`, the work statistics' topic); a scoped user's are counted afresh.
Transactional: a write is seen as done once committed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from archive_site.models import DictEntry
from quality.models import DeadlineRule, Objection
from quality.statistics import dashboard, work
from tests.factories import make_objection
from tests.quality.test_objection_stats_kept import tables_read, watched

D = datetime.date
TODAY = D(2026, 6, 15)
OPEN_COUNT = 'AS "last"'  # the months' counts, which only the objection figures ask


def computed(keep=True):
    """(the figures, how many times the open objections were counted)."""
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
        result = dashboard.objection_figures(Objection.objects.all(), TODAY, keep=keep)
    return result, sum(OPEN_COUNT in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_whole_archives_figures_are_kept_until_a_table_they_read_is_written(alices_customer):
    DeadlineRule.objects.all().delete()
    rule = DeadlineRule.objects.create(
        severity=2, response_days=10, containment_days=10, cause_days=12, closure_days=20
    )
    objection = make_objection(alices_customer, severity=2, received_date=D(2026, 6, 8))
    first, passes = computed()
    assert passes == 1 and first["figures"]["overdue"].value == 0
    again, passes = computed()
    assert passes == 0 and again == first == computed(keep=False)[0]

    def another():
        make_objection(alices_customer, severity=2, received_date=D(2026, 6, 14))

    def tighten():  # the first objection's response falls due before today
        DeadlineRule.objects.filter(pk=rule.pk).update(response_days=1)

    def rename():  # the top defect's label
        DictEntry.objects.filter(pk=objection.defect_type_id).update(name="表面划伤")

    def close():
        Objection.objects.filter(pk=objection.pk).update(status="closed", closed_date=D(2026, 6, 12))

    before = first
    for write in (another, tighten, rename, close):
        write()
        after, passes = computed()
        assert passes == 1, write.__name__
        assert after == computed(keep=False)[0] != before, write.__name__
        before = after


@pytest.mark.django_db(transaction=True)
def test_only_the_figures_of_who_sees_every_customer_are_kept(client, quality, alice, alices_customer):
    make_objection(alices_customer, severity=2, received_date=D(2026, 6, 8))
    with CaptureQueriesContext(connection) as queries:
        dashboard.objection_figures(Objection.objects.all(), TODAY)
    assert tables_read(queries) <= set(work.KEPT_TABLES) == watched(work.KEPT_TOPIC)

    def home_counts(user):
        client.force_login(user)
        passes = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("home")).status_code == 200
            passes.append(sum(OPEN_COUNT in q["sql"] for q in queries.captured_queries))
        return passes

    assert home_counts(quality) == [1, 0]  # the second request reads them kept
    assert home_counts(alice) == [1, 1]  # her customers' figures: counted each time
