"""The customer list sorted by annual demand, with its index and without it (the baseline).

    BENCH_SCALE=10 python -m bench.list_sorts       # DATABASE_URL from the environment

Sorted by annual demand (`?o=-annual_demand`, the biggest customers first), the list read and
sorted every customer for each page until the index (annual_demand DESC, id DESC:
`customers_customer_demand_size`) served the sort; its ties are broken by the key
(`pagination.StableOrderingFilter`). Each request is made with the index and, in a
transaction rolled back afterwards, without it, the two in turn, as the administrator and as
the generator's first salesman; the first round is not counted.
"""

import os
import statistics
import time

from bench.common import ensure_archive, setup_django

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 10))
INDEX = "customers_customer_demand_size"
CASES = ({"o": "-annual_demand"}, {"o": "-annual_demand", "page": 3}, {"o": "annual_demand", "page": 2})


def main():
    setup_django()
    ensure_archive()
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from bench.common import bench_users
    from customers.models import Customer

    admin, sales = bench_users()
    url = reverse("customers:customer-list")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{Customer.objects.count():,} customers; {ROUNDS} rounds; load average {load}")
    print(f"{'page':52} {'without p50':>12} {'with p50':>9} {'ratio':>7}")
    for who, user in (("admin", admin), ("sales", sales)):
        client = Client()
        client.force_login(user)
        for params in CASES:
            times = {"without": [], "with": []}
            for i in range(ROUNDS):
                for mode in ("without", "with") if i % 2 else ("with", "without"):
                    with transaction.atomic():
                        if mode == "without":
                            with connection.cursor() as cursor:
                                cursor.execute(f'DROP INDEX "{INDEX}"')
                        started = time.perf_counter()
                        response = client.get(url, params)
                        ms = (time.perf_counter() - started) * 1000
                        transaction.set_rollback(True)
                    assert response.status_code == 200, (params, response.status_code)
                    if i:
                        times[mode].append(ms)
            without, with_index = statistics.median(times["without"]), statistics.median(times["with"])
            page = f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())} ({who})"
            print(f"{page:52} {without:12.1f} {with_index:9.1f} {without / with_index:6.2f}×")


if __name__ == "__main__":
    main()
