"""The home page with the whole archive's objection figures kept (`dashboard.objection_figures`
with `keep`, for those who see every customer) against the figures counted on every request, kept
as the baseline, on the generated archive.

    make bench BENCH=home_figures
    BENCH_SCALE=10 python -m bench.home_figures   # DATABASE_URL from the environment

As a quality engineer and as the administrator, BENCH_ROUNDS requests each way in turn
(`bench.common.alternated`). Nothing is written meanwhile, so the kept figures are read every
time: the page as it is between two writes to the objections, the deadline rules or the
dictionaries; after a write the first request counts them again, as the baseline does.

As the generator's first salesman, whose figures are counted on every request: the month
figures counted a query each (`dashboard.received_in`) against both months in one query, as
before (`months_in_one_query`). Best at BENCH_SCALE=10, where his customers are 5 600.
"""

import os
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_COLUMNS,
    alternated,
    alternated_row,
    bench_quality_user,
    bench_users,
    ensure_archive,
    load,
    setup_django,
    table,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 20))


@contextmanager
def counted_every_time():
    """The figures counted on every request, as before."""
    from unittest import mock

    from quality.statistics import dashboard

    original = dashboard.objection_figures

    def counted(objections, today, keep=False):
        return original(objections, today)

    with mock.patch.object(dashboard, "objection_figures", counted):
        yield


@contextmanager
def months_in_one_query():
    """This month's and the same month last year's objections counted in one query, as before."""
    from functools import reduce
    from operator import or_
    from unittest import mock

    from django.db.models import Count, Q

    from quality.statistics import dashboard

    def received_in(objections, **ranges):
        within = {name: Q(received_date__gte=a, received_date__lte=b) for name, (a, b) in ranges.items()}
        either = objections.filter(reduce(or_, within.values()))
        return either.aggregate(**{name: Count("pk", filter=q) for name, q in within.items()})

    with mock.patch.object(dashboard, "received_in", received_in):
        yield


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    admin, sales = bench_users()
    print(f"{ROUNDS} rounds each way (the first not counted); {load()}")
    rows = []
    for who, user in (("quality", bench_quality_user()), ("admin", admin)):
        client = Client()
        client.force_login(user)
        times, db = alternated(client, reverse("home"), {}, counted_every_time, ROUNDS + 1)
        rows.append(alternated_row(f"首页 home ({who})", times, db))
    print("\nServer time (ms); before = the figures counted on every request")
    print(table(["page", *ALTERNATED_COLUMNS], rows))
    client = Client()
    client.force_login(sales)
    times, db = alternated(client, reverse("home"), {}, months_in_one_query, ROUNDS + 1)
    print("\nServer time (ms); before = a salesman's two month figures counted in one query")
    print(table(["page", *ALTERNATED_COLUMNS], [alternated_row("首页 home (sales)", times, db)]))


if __name__ == "__main__":
    main()
