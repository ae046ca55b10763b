"""The work statistics' on-time rates on the generated archive, against the per-row subqueries.

    make bench BENCH=work_statistics
    BENCH_REPEAT=3 python -m bench.work_statistics   # DATABASE_URL from the environment

`quality.statistics.work.step_rates` counts, over the objections of a range, each step met on
time, late or missed. Its dates come from `step_dates` (the rule table read once, the status
log joined and grouped by objection); the baseline, in the same run over the same objections,
is `deadline_annotations` (the rule and the first transition to a status looked up by
correlated subqueries, seven per objection), which the statistics used before.

The generator writes no status log, so a realistic one is added for the run and rolled back
after it: the objections past 已登记 reached 调查中 the day after receipt, those past 调查中
reached 已采取措施 a few days later, and the closed ones were closed on their closing date
(about 1.4 million transitions at scale 1). Each case is timed BENCH_REPEAT times (default
3), p50, and both paths must give the same counts.
"""

import datetime
import os
import statistics
import time

from bench.common import compared, ensure_archive, ensure_deadline_rules, rolled_back, setup_django, table

REPEAT = int(os.environ.get("BENCH_REPEAT", 3))

STATUS_LOG = """
INSERT INTO quality_objectiontransition (objection_id, from_status, to_status, at, note, by_id)
SELECT o.id, t.from_status, t.to_status, t.day + time '10:00', '', %(by)s
FROM quality_objection o
CROSS JOIN LATERAL (VALUES
    ('registered', 'investigating', LEAST(o.received_date + 1, COALESCE(o.closed_date, o.received_date + 1)),
     o.status <> 'registered'),
    ('investigating', 'measures_taken',
     LEAST(o.received_date + (2 + o.id %% 9)::int,
           COALESCE(o.closed_date, o.received_date + (2 + o.id %% 9)::int)),
     o.status IN ('measures_taken', 'closed')),
    ('measures_taken', 'closed', o.closed_date, o.status = 'closed')
) AS t(from_status, to_status, day, happened)
WHERE t.happened
"""


def timed(fn, *args):
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = fn(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main():
    setup_django()
    generated = ensure_archive()
    ensure_deadline_rules()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from quality.models import Objection, ObjectionTransition
    from quality.models.deadlines import deadline_annotations
    from quality.statistics import work
    from quality.statistics.objections import default_range

    today = timezone.localdate()
    start, end = default_range(today)
    busiest = (
        Objection.objects.order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("customer", flat=True)
        .first()
    )
    cases = [
        ("last 12 months (the page's default)", Objection.objects.filter(received_date__range=(start, end))),
        (
            "2025",
            Objection.objects.filter(
                received_date__range=(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
            ),
        ),
        ("one customer (the most objections), all years", Objection.objects.filter(customer=busiest)),
    ]
    rows, problems = [], []
    with rolled_back():
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL session_replication_role = replica"
            )  # no history triggers: rolled back anyway
            started = time.perf_counter()
            cursor.execute(
                STATUS_LOG, {"by": get_user_model().objects.order_by("pk").values_list("pk", flat=True)[0]}
            )
            added = cursor.rowcount
            cursor.execute("ANALYZE quality_objectiontransition")
            cursor.execute("SET LOCAL session_replication_role = origin")
        print(
            f"status log: {added:,} transitions added for the run in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        for label, objections in cases:
            n = objections.count()
            new_ms, new = timed(work.step_rates, objections, today)
            old_ms, old = timed(work.step_rates, objections, today, deadline_annotations(ObjectionTransition))
            counts = [[(r.counted, r.on_time, r.late, r.missed) for r in rates] for rates in (new, old)]
            if counts[0] != counts[1]:
                problems.append(f"{label}: {counts[0]} ≠ {counts[1]}")
            rows.append([label, f"{n:,}", f"{new_ms:.0f}", f"{old_ms:.0f}", compared(old_ms, new_ms)])
            print(f"  measured {label}", flush=True)
    print()
    print(
        f"On-time rates per step (work statistics) on the generated archive with a status log; p50 of "
        f"{REPEAT} runs; baseline = the dates by per-row subqueries (deadline_annotations), same run"
    )
    print(table(["objections", "rows", "grouped ms", "subqueries ms", "grouped vs subqueries"], rows))
    print("\nSame counts on both paths: " + ("yes" if not problems else "NO\n  " + "\n  ".join(problems)))
    if generated:
        print(f"\nArchive generation: {generated:.0f} s")


if __name__ == "__main__":
    main()
