"""Searching by code or number, with the term's share estimated along its pairs against each pair's
own share (the rule before), alternated request by request.

    BENCH_SCALE=10 python -m bench.search_codes       # DATABASE_URL from the environment
    BENCH_TABLES=prefixes python -m bench.search_codes   # the second table only

People look records up by code: a demand code (XQ361151), a customer code (C01393), a part
number (8505-00011), whole or in part. Every pair of digits is common, so the rule before
(`each_pair_common`: a term is common when each of its pairs is in at least COMMON_SHARE of the
rows) took nearly every code for a common term and searched it by reading the rows in the
list's order until the page and the capped count were found, which for a code held by one
row means reading them all. Now (`search.term_share`) a code is estimated as rare and found
through the gram index. Common words (划伤, 车门, 门外板, 侧围外板) are measured too: they must
still take the walk, as fast as before. Codes drawn from the archive (seeded), as the
administrator and as the generator's first salesman (his own customers' codes).

A second table measures the prefixes of structured codes, which the pairs still overestimate
(part numbers 5001-…: 1.7 % estimated, 0.14 % held), against the estimate taken as it is
(`estimate_unchecked`): now an estimate between COMMON_SHARE and CONFIRMED_SHARE is checked
on a sample of the rows (`search.sampled_share`).
"""

import os
import random

from bench.common import (
    ALTERNATED_HEADER,
    ROUNDS,
    alternated,
    alternated_line,
    ensure_archive,
    load,
    setup_django,
)

TABLES = os.environ.get("BENCH_TABLES", "codes prefixes").split()
WORDS = (
    ("quality:objection-list", "划伤"),
    ("customers:demand-list", "车门"),
    ("products:part-list", "门外板"),
    ("products:part-list", "侧围外板"),
    ("search", "划伤"),
    ("search", "车门"),
)


def each_pair_common():
    """The rule before: common when every pair of the term is in COMMON_SHARE of the rows."""
    from unittest import mock

    from archive_site import search

    def is_common(queryset, term, fields):
        index = search.gram_index_name(queryset.model, fields)
        if index is None:
            return False
        shares = search.gram_shares(index, queryset.db)
        return bool(shares) and all(shares.get(g, 0) >= search.COMMON_SHARE for g in search.query_grams(term))

    return mock.patch.object(search, "is_common", is_common)


def estimate_unchecked():
    """The rule before the sample: a term's estimated share taken as it is."""
    from unittest import mock

    from archive_site import search

    return mock.patch.object(search, "CONFIRMED_SHARE", search.COMMON_SHARE)


def some(model, column, user, rng, n=3):
    """`column` of up to `n` records of `model` that `user` may see, drawn with `rng`."""
    visible = model.objects.listed_for(user).order_by()
    top = visible.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(1000)]
    return list(visible.filter(pk__in=ids).values_list(column, flat=True)[:n])


def prefixes(user, rng):
    """[(URL name, term)]: the first characters of codes `user` may see, and GK-2020 (the plans'
    code prefix of a year, truly common)."""
    from customers.models import Customer, Demand
    from products.models import Part

    part, customer, demand = (
        some(m, c, user, rng) for m, c in ((Part, "number"), (Customer, "code"), (Demand, "code"))
    )
    return [
        ("products:part-list", "5001"),
        ("products:part-list", part[0][:4]),
        ("products:part-list", part[1][:6]),
        ("customers:customer-list", customer[0][:4]),
        ("customers:demand-list", demand[0][:5]),
        ("quality:plan-list", "GK-2020"),
        ("search", "5001"),
    ]


def codes(user, rng):
    """[(URL name, term)]: codes of records `user` may see, whole and in part."""
    from customers.models import Customer, Demand
    from products.models import Part

    demand, customer, part = (
        some(m, c, user, rng) for m, c in ((Demand, "code"), (Customer, "code"), (Part, "number"))
    )
    return [
        ("customers:demand-list", demand[0][-5:]),
        ("customers:demand-list", demand[1]),
        ("customers:customer-list", customer[0][-5:]),
        ("customers:customer-list", customer[1]),
        ("products:part-list", part[0][:4]),
        ("products:part-list", part[1]),
        ("search", demand[2][-6:]),
        ("search", customer[2][-5:]),
        ("search", part[2]),
    ]


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from bench.common import bench_users
    from quality.models import Objection

    admin, sales = bench_users()
    rng = random.Random(5)
    print(f"{Objection.objects.count():,} objections; {ROUNDS} rounds; {load()}")
    if "codes" in TABLES:
        print(f"\nBefore: a term common when each of its pairs is\n{'page':48} {ALTERNATED_HEADER}")
        for who, user in (("admin", admin), ("sales", sales)):
            client = Client()
            client.force_login(user)
            for name, term in codes(user, rng) + list(WORDS):
                url = reverse(name)
                measured = alternated(client, url, {"q": term}, each_pair_common)
                print(alternated_line(f"{url} ?q={term} ({who})", *measured, width=48), flush=True)
    if "prefixes" in TABLES:
        print("\nBefore: a term's estimated share taken as it is (no sample)")
        print(f"{'page':48} {ALTERNATED_HEADER}")
        for who, user in (("admin", admin), ("sales", sales)):
            client = Client()
            client.force_login(user)
            for name, term in prefixes(user, rng):
                url = reverse(name)
                measured = alternated(client, url, {"q": term}, estimate_unchecked)
                print(alternated_line(f"{url} ?q={term} ({who})", *measured, width=48), flush=True)
    print(f"at the end: {load()}")


if __name__ == "__main__":
    main()
