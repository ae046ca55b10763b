"""Every list's customer filter (`?customer=`, part of a customer's name or its code): the rows
found on the customer they join (`ListedByCustomer.of_customer`) against the filter before, kept
as the baseline (`customer IN (the matching customers)`), on the generated archive.

    make bench BENCH=customer_filter
    BENCH_SCALE=10 BENCH_ROUNDS=6 python -m bench.customer_filter   # DATABASE_URL from the environment

For each list (objections, demands, plans, parts, orders, deliveries), as the administrator and
as the generator's first salesman, BENCH_TERMS (a region in customers' names, a rarer name, a word
in 30 % of them, a customer's code) in turn both ways (`bench.common.alternated`); p50 of the
server time and of the database's. Against two baselines in turn: `matched_as_before`, and
`grams_for_every_word` (the gram condition kept for a common word, which had PostgreSQL compute
each joined customer's grams); BENCH_BASELINE=grams (or =matched) runs one.
"""

import os
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_COLUMNS,
    alternated_row,
    bench_users,
    ensure_archive,
    load,
    setup_django,
    table,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 6))
LISTS = (
    ("异议 objections", "quality:objection-list"),
    ("需求 demands", "customers:demand-list"),
    ("方案 plans", "quality:plan-list"),
    ("零件 parts", "products:part-list"),
    ("订单 orders", "orders:order-list"),
    ("发货 deliveries", "orders:delivery-list"),
)


@contextmanager
def matched_as_before():
    """The customer filter as every list wrote it before: `customer IN (matching customers)`."""
    from unittest import mock

    from customers.models import Customer, ListedByCustomer

    def before(self, term):
        term = (term or "").strip()
        matching = Customer.objects.filter(code=term).values("pk")
        if not Customer.objects.filter(code=term).exists():
            matching = Customer.objects.search(term).values("pk")
        return self.filter(**{f"{self.customer_field}__in": matching})

    with mock.patch.object(ListedByCustomer, "of_customer", before):
        yield


@contextmanager
def grams_for_every_word():
    """The customer filter before a word common in customers' names was matched on the names
    alone: the gram condition kept for every word."""
    from unittest import mock

    from archive_site.search import gram_search
    from customers.models import SEARCH_FIELDS, Customer, ListedByCustomer

    def before(self, term):
        term = (term or "").strip()
        if not term:
            return self
        path = self.customer_field
        if Customer.objects.filter(code=term).exists():
            return self.filter(**{f"{path}__code": term})
        return gram_search(self, term, [f"{path}__{field}" for field in SEARCH_FIELDS], decide=False)

    with mock.patch.object(ListedByCustomer, "of_customer", before):
        yield


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from bench.common import alternated
    from customers.models import Customer

    admin, sales = bench_users()
    code = Customer.objects.visible_to(sales).order_by("pk").values_list("code", flat=True).first()
    terms = os.environ.get("BENCH_TERMS", f"广东佛山 钢铁 汽车 {code}").split()
    print(f"{ROUNDS} rounds each way (the first not counted); terms {terms}; {load()}")
    baselines = (
        ("customer IN (the matching customers)", matched_as_before),
        ("the gram condition kept for a word common in customers' names", grams_for_every_word),
    )
    for baseline, before in baselines:
        if os.environ.get("BENCH_BASELINE") and os.environ["BENCH_BASELINE"] not in before.__name__:
            continue
        rows = []
        for who, user in (("admin", admin), ("sales", sales)):
            client = Client()
            client.force_login(user)
            for label, name in LISTS:
                for term in terms:
                    times, db = alternated(client, reverse(name), {"customer": term}, before, ROUNDS + 1)
                    rows.append(alternated_row(f"{label} ?customer={term} ({who})", times, db))
        print(f"\nServer time (ms); before = {baseline}")
        print(table(["list", *ALTERNATED_COLUMNS], rows), flush=True)


if __name__ == "__main__":
    main()
