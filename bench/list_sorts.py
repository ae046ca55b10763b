"""The customer list sorted by annual demand, with its index and without it (the baseline).

    BENCH_SCALE=10 python -m bench.list_sorts       # DATABASE_URL from the environment

Sorted by annual demand (`?o=-annual_demand`, the biggest customers first), the list read and
sorted every customer for each page until the index (annual_demand DESC, id DESC:
`customers_customer_demand_size`) served the sort; its ties are broken by the key
(`pagination.StableOrderingFilter`). Each request is made with the index and, in a
transaction rolled back afterwards, without it, the two in turn (`common.alternated`), as the
administrator and as the generator's first salesman.
"""

from bench.common import (
    ALTERNATED_HEADER,
    ROUNDS,
    alternated,
    alternated_line,
    ensure_archive,
    load,
    rolled_back,
    setup_django,
)

INDEX = "customers_customer_demand_size"
CASES = ({"o": "-annual_demand"}, {"o": "-annual_demand", "page": 3}, {"o": "annual_demand", "page": 2})


def without_the_index():
    """The requests inside run without the index: dropped in a transaction rolled back after."""
    return rolled_back(f'DROP INDEX "{INDEX}"')


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from bench.common import bench_users
    from customers.models import Customer

    admin, sales = bench_users()
    url = reverse("customers:customer-list")
    print(f"{Customer.objects.count():,} customers; {ROUNDS} rounds; {load()}")
    print(f"\nBefore: without the index\n{'page':52} {ALTERNATED_HEADER}")
    for who, user in (("admin", admin), ("sales", sales)):
        client = Client()
        client.force_login(user)
        for params in CASES:
            page = f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())} ({who})"
            measured = alternated(client, url, params, without_the_index)
            print(alternated_line(page, *measured, width=52), flush=True)


if __name__ == "__main__":
    main()
