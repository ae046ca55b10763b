"""Searching the objection list for a common term, and the header search, on the generated archive.

    make bench BENCH=search
    BENCH_SCALE=0.04 BENCH_REQUESTS=10 python -m bench.search   # DATABASE_URL from the environment

The archive is bench/common.py's (BENCH_SCALE=1: 20 000 customers, 500 000
objections), analysed first (`ANALYZE` of the searched tables: the decision
between the gram index and the walk along the list's order reads the gram
statistics, which autovacuum keeps in production). Each case is requested
BENCH_REQUESTS times (default 20, mostly page 1, sometimes pages 2–3) through
Django's test client, as the admin and as the generator's first salesman:

- the objection list ?q=划伤 (a quarter of all objections), ?q=辊印 (an
  eighth) and ?q=车门 (rare in objections, common in demands and parts; BENCH_TERMS,
  BENCH_WHO="admin sales" to measure fewer): ours — count capped at 1 000, the walk along the list's order for
  a common term, no gram computed per row — against today's path in the same
  run: the gram index for every term and an exact count (the old `gram_search`
  and paginator, kept below; both search the same four texts, through the
  same index);
- the header search for the same terms (six modules, capped counts and five
  hits each) against its path before in the same run (`header_before`: each
  module scoped by a subquery of the user's customers, and its hits read with
  their joins at once, even where nothing was counted), and its ratio to our
  list's p50 ("as fast as the lists"); and against demands, plans, parts and
  documents searched row by row, as before they had gram indexes
  (`without_new_gram_indexes`); and, for the salesman, against his customers'
  ids read by each module (`salesman_before`), and, list and header search, against
  his rows always walked without the gram index and counted in any order
  (`salesman_walked`: a scoped user's rule before);
- the demand list filtered by name (车门) and the customer list by region (山东),
  matched as every search matches (`search.SubstringFilter`), against Django's
  icontains in the same run (`icontains_filters`).
"""

import os
import random
import time

from bench.common import SCALE, bench_users, compared, ensure_archive, percentile, setup_django, table
from bench.pages import REQUESTS, SECONDS

# 划伤 and 辊印 are common in objections; 车门 is rare in them and common in demands and parts.
TERMS = tuple(os.environ.get("BENCH_TERMS", "划伤 辊印 车门").split())
WHO = tuple(os.environ.get("BENCH_WHO", "admin sales").split())  # whose searches are measured
# Lists filtered on one text column.
TEXT_PAGES = (
    ("需求列表 ?name=车门", "customers:demand-list", {"name": "车门"}),
    ("客户列表 ?region=山东", "customers:customer-list", {"region": "山东"}),
)
RNG_SEED = 11
SEARCHED_TABLES = (
    "customers_customer",
    "customers_demand",
    "customers_customerdocument",
    "quality_processplan",
    "quality_objection",
    "products_part",
)


def old_gram_search(queryset, term, fields):
    """Today's path: the gram index for every term, then Django's icontains. (The index keeps its
    keys as numbers now, which this path reads as the new one does: only the choice of path is
    compared.)"""
    from django.db.models import Q

    from archive_site.search import GramCodes, gram_code, normalize, query_grams

    term = normalize(term)
    if not term:
        return queryset
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": term})
    codes = [gram_code(gram) for gram in query_grams(term)]
    return queryset.alias(_grams=GramCodes(*fields)).filter(_grams__contains=codes).filter(match)


def todays_path():
    """The objection list as it searched and counted before: patched in for the baseline requests."""
    from contextlib import ExitStack
    from unittest import mock

    from archive_site.pagination import LateRowPaginator
    from quality.models.objections import SEARCH_FIELDS, ObjectionQuerySet

    class ExactCount(LateRowPaginator):
        def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, count_cap=None):
            super().__init__(object_list, per_page, orphans, allow_empty_first_page)

    def search(queryset, term, user=None):
        return old_gram_search(queryset, term, SEARCH_FIELDS)

    stack = ExitStack()
    stack.enter_context(mock.patch.object(ObjectionQuerySet, "search", search))
    stack.enter_context(mock.patch("quality.views.objections.LateRowPaginator", ExactCount))
    return stack


def substring_search(queryset, term, fields):
    """Rows where any of `fields` contains `term`, with no gram index: how demands, plans, parts and
    documents were searched before they had one."""
    from archive_site.search import substring_q

    term = (term or "").strip()
    return queryset.filter(substring_q(term, fields)) if term else queryset


def without_new_gram_indexes():
    """Demands, plans, parts and documents searched as they were, row by row without a gram index.
    Patched in for the baseline requests."""
    from contextlib import ExitStack
    from unittest import mock

    from customers.models import DEMAND_SEARCH_FIELDS, DOCUMENT_SEARCH_FIELDS, CustomerDocument, Demand
    from products.models import SEARCH_FIELDS as PART_SEARCH_FIELDS
    from products.models import Part
    from quality.models import ProcessPlan
    from quality.models.plans import SEARCH_FIELDS as PLAN_SEARCH_FIELDS

    stack = ExitStack()
    for model, fields in (
        (Demand, DEMAND_SEARCH_FIELDS),
        (ProcessPlan, PLAN_SEARCH_FIELDS),
        (Part, PART_SEARCH_FIELDS),
        (CustomerDocument, DOCUMENT_SEARCH_FIELDS),
    ):

        def search(self, term, user=None, fields=fields):
            return substring_search(self, term, fields)

        stack.enter_context(mock.patch.object(type(model.objects.all()), "search", search))
    return stack


def header_before():
    """The header search as it was: each module scoped by `visible_to` (the customers and their
    shares as a subquery), and its first hits read with their joins in one query, even when
    nothing was counted. Patched in for the baseline requests."""
    from contextlib import ExitStack
    from dataclasses import replace
    from unittest import mock

    from archive_site import registry, search
    from customers.models import CustomerDocument, Demand
    from products.models import Part
    from quality.models import Objection, ProcessPlan

    def scoped(model):
        return lambda user, term: model.objects.visible_to(user).search(term).select_related("customer")

    def objections(user, term):
        return Objection.objects.visible_to(user).search(term).select_related("customer")

    def documents(user, term):
        scoped_documents = CustomerDocument.objects.visible_to(user).select_related("customer")
        return substring_search(scoped_documents, term, ("title",)).order_by("-date", "-id")

    before = {
        "demands": scoped(Demand),
        "plans": scoped(ProcessPlan),
        "objections": objections,
        "parts": scoped(Part),
        "documents": documents,
    }
    sources = [replace(s, search=before.get(s.key, s.search)) for s in registry.search_sources]

    class ReadAtOnce:
        """The hits as they were read: with their joins in one query, even where none was counted."""

        def __init__(self, object_list, per_page):
            self.object_list, self.per_page = object_list, per_page
            self.count, self.capped = search.capped_count(object_list)

        def page(self, number):
            return list(self.object_list[: self.per_page])

    stack = ExitStack()
    stack.enter_context(without_new_gram_indexes())
    stack.enter_context(mock.patch.object(registry.search_sources, "items", sources))
    stack.enter_context(mock.patch("archive_site.views.LateRowPaginator", ReadAtOnce))
    return stack


def salesman_before():
    """A salesman searched as before: his customers' ids read again by each module of the header
    search. Patched in for the baseline requests (an administrator's search is the same either
    way)."""
    from contextlib import ExitStack
    from unittest import mock

    from customers import models

    def ids_read_each_time(user):
        return list(models._customers_of(user).values_list("pk", flat=True))

    stack = ExitStack()
    stack.enter_context(mock.patch.object(models, "_customer_ids_of", ids_read_each_time))
    return stack


def salesman_walked():
    """A salesman searched as before: his rows always checked directly by the substring filter,
    never through the gram index (a scoped user's rule then), and his capped counts taken in
    any order. Patched in for the baseline requests."""
    from contextlib import ExitStack
    from unittest import mock

    from archive_site.models import VisibleQuerySet
    from customers.models import ListedByCustomer

    def search(self, term, decide=True):
        return substring_search(self, term, self.search_fields)

    def counted_along(self, *fields):
        return self._chain()

    stack = ExitStack()
    stack.enter_context(mock.patch.object(ListedByCustomer, "search", search))
    stack.enter_context(mock.patch.object(VisibleQuerySet, "counted_along", counted_along))
    return stack


def icontains_filters():
    """The list filters on a text column as they were: Django's icontains, UPPER(column) LIKE
    UPPER(term). Patched in for the baseline requests."""
    from contextlib import ExitStack
    from unittest import mock

    import django_filters

    from customers.filters import CustomerFilter, DemandFilter

    stack = ExitStack()
    for filterset, name in ((DemandFilter, "name"), (CustomerFilter, "region")):
        before = django_filters.CharFilter(field_name=name, lookup_expr="icontains")
        stack.enter_context(mock.patch.dict(filterset.base_filters, {name: before}))
    return stack


class Run:
    """Requests made by `make_request()` -> (path, params): server ms, database ms (the sum of the
    queries' times), query counts and statuses."""

    def __init__(self, client, make_request, requests=None):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.times, self.db, self.queries, self.statuses = [], [], [], set()
        started = time.perf_counter()
        for i in range(requests or REQUESTS):
            path, params = make_request()
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path, params)
                response.content  # noqa: B018
                self.times.append((time.perf_counter() - t0) * 1000)
            self.db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            self.queries.append(len(ctx.captured_queries))
            self.statuses.add(response.status_code)
            if i >= 4 and time.perf_counter() - started > SECONDS:
                break

    def p(self, n, db=False):
        return percentile(self.db if db else self.times, n)

    def cells(self):
        q = self.queries
        return [
            f"{self.p(50):.1f}",
            f"{self.p(95):.1f}",
            f"{self.p(50, db=True):.1f}",
            f"{self.p(95, db=True):.1f}",
            f"{min(q)}–{max(q)}" if min(q) != max(q) else str(q[0]),
        ]


def main():
    setup_django()
    generated = ensure_archive()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from devtools.generator import sizes
    from quality.models import Objection

    with connection.cursor() as cursor:
        for name in SEARCHED_TABLES:
            cursor.execute(f"ANALYZE {name}")
    admin, sales = bench_users()
    rng = random.Random(RNG_SEED)
    objection_list, header = reverse("quality:objection-list"), reverse("search")
    rows, problems = [], []
    started = time.perf_counter()
    for who, user in (("admin", admin), ("sales", sales)):
        if who not in WHO:
            continue
        client = Client()
        client.force_login(user)
        visible = Objection.objects.visible_to(user)
        for term in TERMS:
            matches = visible.search(term).count()

            def listing(term=term):
                return objection_list, {"q": term, "page": rng.choice([1, 1, 1, 2, 3])}

            def everywhere(term=term):
                return header, {"q": term}

            Run(client, listing, 3)  # warm up
            ours = Run(client, listing)
            with todays_path():
                Run(client, listing, 3)
                today = Run(client, listing)
            Run(client, everywhere, 3)
            everything = Run(client, everywhere)
            with without_new_gram_indexes():
                Run(client, everywhere, 3)
                no_grams = Run(client, everywhere)
            with header_before():
                Run(client, everywhere, 3)
                header_then = Run(client, everywhere)
            for name, statuses in (
                (f"list {term} {who}", ours.statuses | today.statuses),
                (f"header {term} {who}", everything.statuses | header_then.statuses | no_grams.statuses),
            ):
                if statuses - {200}:
                    problems.append(f"{name}: HTTP {sorted(statuses)}")
            rows.append(
                [
                    f"异议列表 ?q={term} ({who}, {matches:,} matches)",
                    len(ours.times),
                    *ours.cells(),
                    *today.cells(),
                    f"{compared(today.p(50), ours.p(50))}; db {compared(today.p(50, 1), ours.p(50, 1))}",
                ]
            )
            rows.append(
                [
                    f"顶部查找 ?q={term} ({who})",
                    len(everything.times),
                    *everything.cells(),
                    *header_then.cells(),
                    f"{compared(header_then.p(50), everything.p(50))}; "
                    f"{everything.p(50) / ours.p(50):.2f} × our list",
                ]
            )
            rows.append(
                [
                    f"顶部查找 ?q={term} ({who}); baseline: demands, plans, parts, documents without grams",
                    len(everything.times),
                    *everything.cells(),
                    *no_grams.cells(),
                    f"{compared(no_grams.p(50), everything.p(50))}; "
                    f"db {compared(no_grams.p(50, 1), everything.p(50, 1))}",
                ]
            )
            if who == "sales":  # the path before: his rows walked for every term, counted in any order
                with salesman_walked():
                    Run(client, listing, 3)
                    list_walked = Run(client, listing)
                    Run(client, everywhere, 3)
                    header_walked = Run(client, everywhere)
                if statuses := (list_walked.statuses | header_walked.statuses) - {200}:
                    problems.append(f"{term} walked: HTTP {sorted(statuses)}")
                for label, run, walked in (
                    (f"异议列表 ?q={term} ({who})", ours, list_walked),
                    (f"顶部查找 ?q={term} ({who})", everything, header_walked),
                ):
                    rows.append(
                        [
                            f"{label}; baseline: his rows walked, no gram index, counted in any order",
                            len(run.times),
                            *run.cells(),
                            *walked.cells(),
                            f"{compared(walked.p(50), run.p(50))}; "
                            f"db {compared(walked.p(50, 1), run.p(50, 1))}",
                        ]
                    )
                # A list reads his ids once either way: only the header search differs.
                with salesman_before():
                    Run(client, everywhere, 3)
                    ids_each_time = Run(client, everywhere)
                if ids_each_time.statuses - {200}:
                    problems.append(f"header {term} ids each time: HTTP {sorted(ids_each_time.statuses)}")
                rows.append(
                    [
                        f"顶部查找 ?q={term} ({who}); baseline: his ids read by each module",
                        len(everything.times),
                        *everything.cells(),
                        *ids_each_time.cells(),
                        f"{compared(ids_each_time.p(50), everything.p(50))}; "
                        f"db {compared(ids_each_time.p(50, 1), everything.p(50, 1))}",
                    ]
                )
            print(f"  measured {term} as {who}", flush=True)
    client = Client()
    client.force_login(admin)
    for label, url, params in TEXT_PAGES:

        def filtered(url=url, params=params):
            return reverse(url), dict(params, page=rng.choice([1, 1, 1, 2, 3]))

        Run(client, filtered, 3)
        ours = Run(client, filtered)
        with icontains_filters():
            Run(client, filtered, 3)
            before = Run(client, filtered)
        if (ours.statuses | before.statuses) - {200}:
            problems.append(f"{label}: HTTP {sorted(ours.statuses | before.statuses)}")
        rows.append(
            [
                f"{label} (admin)",
                len(ours.times),
                *ours.cells(),
                *before.cells(),
                f"{compared(before.p(50), ours.p(50))}; db {compared(before.p(50, 1), ours.p(50, 1))}",
            ]
        )
        print(f"  measured {label}", flush=True)
    counts = sizes(SCALE)
    print()
    print(
        f"Search on the generated archive (scale {SCALE}: {counts['customers']:,} customers, "
        f"{counts['objections']:,} objections); server time through the test client; baseline = "
        "today's path in the same run (the list: gram index for every term, exact count; the header "
        "search: scoped by a subquery, hits read at once with their joins, even where nothing was counted; "
        "a text filter: Django's "
        "icontains); db = the queries' time"
    )
    headers = ["page", "n", "p50 ms", "p95 ms", "db p50", "db p95", "queries"]
    headers += ["today p50", "today p95", "today db p50", "today db p95", "today queries", "ours (p50)"]
    print(table(headers, rows))
    if generated:
        print(f"\nArchive generation: {generated:.0f} s")
    print(f"Measuring: {time.perf_counter() - started:.0f} s")
    if problems:
        print("\nNot 200:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
