"""The work statistics of the whole archive are kept until a table they read is written
(`archive_site.kept`; the mechanism, the scoped users and a write in progress are tested with the
objection statistics in test_objection_stats_kept.py). Transactional: a write is seen as done
once committed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quality.models import DeadlineRule, Objection, ObjectionTransition
from quality.statistics import objections as objection_statistics
from quality.statistics import work
from tests.factories import make_objection
from tests.quality.test_objection_stats_kept import tables_read, watched

d = datetime.date
TODAY = d(2026, 3, 10)
RANGE = {"start": d(2026, 1, 1), "end": d(2026, 3, 31)}
STEP_RATES = "COUNT(*) FILTER"


def objections():
    return objection_statistics.narrow(Objection.objects.all(), **RANGE)


def figures(stats):
    return (
        [(r.step, r.counted, r.on_time, r.late, r.missed) for r in stats["rates"]],
        stats["lead_total"],
        stats["by_month"],
        stats["by_line"],
        stats["by_grade"],
    )


def computed(keep=True):
    """(figures, how many times the step rates were counted)."""
    with CaptureQueriesContext(connection) as queries:
        stats = work.compute(objections(), TODAY, keep=keep, **RANGE)
    return figures(stats), sum(STEP_RATES in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_work_statistics_are_kept_until_a_table_they_read_is_written(alices_customer, quality):
    DeadlineRule.objects.all().delete()
    rule = DeadlineRule.objects.create(
        severity=2, response_days=1, containment_days=2, cause_days=7, closure_days=20
    )
    objection = make_objection(alices_customer, severity=2, received_date=d(2026, 1, 5))
    first, passes = computed()
    assert passes == 1
    again, passes = computed()
    assert passes == 0 and again == first == computed(keep=False)[0]

    def investigate():  # the response met the next day
        at = timezone.make_aware(datetime.datetime(2026, 1, 6, 10))
        ObjectionTransition.objects.create(
            objection=objection, from_status="registered", to_status="investigating", by=quality, at=at
        )
        Objection.objects.filter(pk=objection.pk).update(status="investigating")

    def tighten():
        DeadlineRule.objects.filter(pk=rule.pk).update(response_days=0)

    def close():
        Objection.objects.filter(pk=objection.pk).update(status="closed", closed_date=d(2026, 2, 1))

    before = first
    for write in (investigate, tighten, close):
        write()
        after, passes = computed()
        assert passes == 1, write.__name__
        assert after == computed(keep=False)[0] != before, write.__name__
        before = after


def test_every_table_the_kept_work_statistics_read_is_watched(db, alices_customer):
    make_objection(alices_customer, severity=2, received_date=d(2026, 1, 5))
    with CaptureQueriesContext(connection) as queries:
        work.compute(objections(), TODAY, **RANGE)
    read = tables_read(queries)
    assert "quality_objection" in read and "quality_objectiontransition" in read
    assert read <= set(work.KEPT_TABLES)
    assert watched(work.KEPT_TOPIC) == set(work.KEPT_TABLES)
