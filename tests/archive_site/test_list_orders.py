"""Every list finds its first page along an index in its own order, never by sorting every row it
could show: a sort grows with the archive (the plan list sorted 100 000 plans for 50 of them, 9 ms,
and would sort a million). An index-less order shows in the plan PostgreSQL makes for the list's
query when it is told to avoid sorts: it still has to sort."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive_site.models import AccessLog, ApiToken
from notifications.models import Kind, Notification
from tests.archive_site.test_english_pages import PAGES
from tests.factories import make_decision, make_demand, make_objection, make_order, make_part, make_plan
from tests.test_permission_matrix import World, client_for, no_args
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

# A list's rows: a query over one of the archive's tables, in an order, a page of it.
APPS = "archive_site|customers|quality|products|orders|notifications|imports"
PAGE_QUERY = re.compile(rf'^SELECT .*? FROM "({APPS})_\w+" .*ORDER BY .* LIMIT \d+$', re.S)


def sorts(sql):
    """The sort nodes of the plan PostgreSQL makes for `sql` with sorts and table scans priced out."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET enable_seqscan")
    # An incremental sort orders the few rows an index leaves tied; a sort takes them all.
    return [line.strip() for line in plan if re.match(r"^\s*(->\s+)?Sort\s+\(", line)]


def one_of_each(world):
    """A record for every list to show: a list with no rows reads no page."""
    customer, admin = world.customer, world.users["admin"]
    make_plan(customer, demand=make_demand(customer))
    objection = make_objection(customer)
    make_part(customer)
    make_order(customer, deliveries=[("C1", datetime.date(2025, 1, 3), 10)])
    make_decision(customer, admin)
    Notification.objects.create(recipient=admin, kind=Kind.CLOSED, objection=objection, customer=customer)
    ApiToken.issue(admin, "连退过程计算机", by=admin)
    AccessLog.objects.create(user=admin, action=AccessLog.Action.choices[0][0], customer_id=customer.pk)


@pytest.mark.django_db
def test_every_list_reads_its_page_along_an_index(world: World):
    one_of_each(world)
    client = client_for(world.users["admin"])
    sorted_pages, lists, read = {}, [], set()
    for row in PAGES:
        if row.kwargs is not no_args:
            continue
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(row.url(world, {}))
            b"".join(getattr(response, "streaming_content", []))
        if not (response.context and "page_obj" in response.context):
            continue
        lists.append(row.name)
        for query in ctx.captured_queries:
            if PAGE_QUERY.match(query["sql"]):
                read.add(row.name)
                if found := sorts(query["sql"]):
                    sorted_pages.setdefault(row.name, []).append((query["sql"][:160], found))
    assert {"customers:customer-list", "quality:plan-list", "orders:delivery-list"} <= set(lists)
    assert set(lists) - read <= {"imports:run-list"}, "lists whose page query went unseen"
    # The lists that still sort every row they show, named so that no other joins them unseen:
    # the API tokens, a handful issued by hand; and the completeness report, which orders the
    # customers by a score computed for each from its related records (customers.completeness),
    # 0.2 s at 20 000 customers and 2.6 s at 200 000. An index needs the score kept on the
    # customer by every write that changes it.
    assert set(sorted_pages) == {"token-list", "customers:completeness-report"}, sorted_pages


@pytest.mark.django_db
def test_a_sorted_page_is_seen():
    """What the test above catches, on a table of its own: ordered by a column no index leads."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE scratch_rows (id serial PRIMARY KEY, at date, code text)")
        cursor.execute("CREATE INDEX ON scratch_rows (code)")
    assert sorts("SELECT id FROM scratch_rows ORDER BY at DESC, id DESC LIMIT 50")
    assert not sorts("SELECT id FROM scratch_rows ORDER BY code LIMIT 50")
    assert not sorts("SELECT id FROM scratch_rows ORDER BY id DESC LIMIT 50")
