"""The home page with the whole archive's objection figures kept (`dashboard.objection_figures`
with `keep`, for those who see every customer) against the figures counted on every request, kept
as the baseline, on the generated archive.

    make bench BENCH=home_figures
    BENCH_SCALE=10 python -m bench.home_figures   # DATABASE_URL from the environment

As a quality engineer and as the administrator, BENCH_ROUNDS requests each way in turn
(`bench.common.alternated`). Nothing is written meanwhile, so the kept figures are read every
time: the page as it is between two writes to the objections, the deadline rules or the
dictionaries; after a write the first request counts them again, as the baseline does.
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


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    admin, _sales = bench_users()
    print(f"{ROUNDS} rounds each way (the first not counted); {load()}")
    rows = []
    for who, user in (("quality", bench_quality_user()), ("admin", admin)):
        client = Client()
        client.force_login(user)
        times, db = alternated(client, reverse("home"), {}, counted_every_time, ROUNDS + 1)
        rows.append(alternated_row(f"首页 home ({who})", times, db))
    print("\nServer time (ms); before = the figures counted on every request")
    print(table(["page", *ALTERNATED_COLUMNS], rows))


if __name__ == "__main__":
    main()
