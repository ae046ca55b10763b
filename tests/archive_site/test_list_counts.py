"""No list counts every row it could show: each stops counting at the cap
(`LateRowPaginator`), so a list costs the same on an archive of any size. An exact
count of 5 million objections was most of the objection list's time (bench/scaling.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.archive_site.test_english_pages import PAGES
from tests.test_permission_matrix import World, client_for, no_args
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

# Django's `QuerySet.count()` over a table of the archive's records; the capped count reads
# `SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)` instead.
FULL_COUNT = re.compile(r'^SELECT COUNT\(\*\) AS "__count" FROM "(customers|quality|products|orders)_')


@pytest.mark.django_db
def test_no_list_page_counts_every_row(world: World):
    client = client_for(world.users["admin"])
    counted, lists = {}, []
    for row in PAGES:
        if row.kwargs is not no_args:
            continue
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(row.url(world, {}))
            b"".join(getattr(response, "streaming_content", []))
        if response.context and "page_obj" in response.context:
            lists.append(row.name)
        full = [q["sql"][:120] for q in ctx.captured_queries if FULL_COUNT.match(q["sql"])]
        if full and response.context and "page_obj" in response.context:
            counted[row.name] = full
    assert {"customers:customer-list", "quality:objection-list", "orders:delivery-list"} <= set(lists)
    assert counted == {}
