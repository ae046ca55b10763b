"""The objection pages' deadline columns: each step's due date and day met loaded after the rows
(`load_deadlines`: the rule table once, the page's status log in one query) against the former
path kept as the baseline, seven subqueries per row in the rows' query (`deadline_annotations`).

    make bench BENCH=deadlines
    BENCH_ROUNDS=20 python -m bench.deadlines    # DATABASE_URL from the environment

The objection list (as it opens, searched for a common term and a rarer one, the overdue queue)
and BENCH_DETAIL_RECORDS objection pages, as the administrator and as the generator's first
salesman, the two paths in turn (`bench.common.alternated`); p50 and p95 of the server time.
"""

import os
import random
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_COLUMNS,
    alternated,
    alternated_row,
    bench_users,
    ensure_archive,
    load,
    setup_django,
    table,
)

RECORDS = int(os.environ.get("BENCH_DETAIL_RECORDS", 10))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 20))
RNG_SEED = 17


@contextmanager
def subqueries_per_row():
    """`with_deadlines()` as it was: the dates annotated in the rows' query."""
    from unittest import mock

    from quality.models import ObjectionTransition
    from quality.models.deadlines import deadline_annotations
    from quality.models.objections import ObjectionQuerySet

    def annotated(self):
        return self.annotate(**deadline_annotations(ObjectionTransition))

    with mock.patch.object(ObjectionQuerySet, "with_deadlines", annotated):
        yield


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from quality.models import Objection

    admin, sales = bench_users()
    rng = random.Random(RNG_SEED)
    listed = reverse("quality:objection-list")
    lists = (
        ("异议列表", {}),
        ("异议列表 ?q=划伤", {"q": "划伤"}),
        ("异议列表 ?q=辊印", {"q": "辊印"}),
        ("异议列表 ?queue=overdue", {"queue": "overdue"}),
    )
    print(f"{ROUNDS} rounds per list, 4 per objection page, the first not counted; {load()}")
    rows = []
    for who, user in (("admin", admin), ("sales", sales)):
        client = Client()
        client.force_login(user)
        for label, params in lists:
            times, db = alternated(client, listed, params, subqueries_per_row, rounds=ROUNDS + 1)
            rows.append(alternated_row(f"{label} ({who})", times, db))
        ids = list(Objection.objects.visible_to(user).values_list("pk", flat=True)[:20_000])
        times, db = {"before": [], "now": []}, {"before": [], "now": []}
        for pk in rng.sample(ids, min(RECORDS, len(ids))):
            url = reverse("quality:objection-detail", args=[pk])
            t, d = alternated(client, url, {}, subqueries_per_row, rounds=5)
            for mode in times:
                times[mode] += t[mode]
                db[mode] += d[mode]
        rows.append(alternated_row(f"异议 objection page ({who})", times, db))
    print("\nServer time (ms); before = the dates by subqueries per row in the rows' query")
    print(table(["page", *ALTERNATED_COLUMNS], rows))


if __name__ == "__main__":
    main()
