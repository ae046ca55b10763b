"""The header's search box: the term in every module the user may read, grouped, counted
(capped), with the first hits and a link to the module's list filtered by the term."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site import registry, search, views
from customers.models import CustomerDocument
from tests.factories import make_customer, make_demand, make_objection, make_part, make_plan, make_user

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


def groups(response):
    assert response.status_code == 200
    return {g["source"].key: g for g in response.context["groups"]}


@pytest.fixture
def records(alices_customer, bobs_customer):
    """The term 镀锌 in every module, for alice's customer and (once more) for bob's."""
    for customer in (alices_customer, bobs_customer):
        make_demand(customer, name="镀锌外板", special_requirements="无")
        make_plan(customer, name="镀锌汽车板 DX54D")
        make_objection(customer, description="表面划伤", preventive="镀锌线加装毛毡")
        make_part(customer, name="镀锌后门内板")
        CustomerDocument.objects.create(
            customer=customer, title="镀锌板技术协议", file=ContentFile(b"%PDF-1.4", name="agreement.pdf")
        )
    make_objection(bobs_customer, description="镀锌层脱落")
    make_customer(name="镀锌钢板贸易有限公司", code="ZN001", sales_owner=bobs_customer.sales_owner)


def test_finds_the_term_in_every_module_with_links_to_the_filtered_lists(login, admin_user, records):
    found = groups(login(admin_user).get(SEARCH, {"q": "镀锌"}))
    assert list(found) == ["customers", "demands", "plans", "objections", "parts", "documents"]
    assert {key: g["count"] for key, g in found.items()} == {
        "customers": 1,
        "demands": 2,
        "plans": 2,
        "objections": 3,
        "parts": 2,
        "documents": 2,
    }
    assert found["objections"]["link"] == reverse("quality:objection-list") + "?q=%E9%95%80%E9%94%8C"
    assert found["documents"]["link"] == ""
    # Each list it links to shows as many rows as the search counted.
    for group in found.values():
        if group["link"]:
            listed = login(admin_user).get(group["link"])
            assert listed.context["page_obj"].paginator.count == group["count"], group["source"].key


def test_a_salesman_never_sees_another_salesmans_hits_nor_their_count(login, alice, records):
    response = login(alice).get(SEARCH, {"q": "镀锌"})
    found = groups(response)
    assert {key: g["count"] for key, g in found.items()} == {
        "customers": 0,
        "demands": 1,
        "plans": 1,
        "objections": 1,
        "parts": 1,
        "documents": 1,
    }
    page = response.content.decode()
    assert "北汽福田" not in page and "镀锌层脱落" not in page and "镀锌钢板贸易" not in page


def module_reads(queries, source, user):
    """The captured queries that read the table of `source`'s module."""
    table = source.search(user, "镀锌").model._meta.db_table
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_a_salesmans_modules_are_scoped_by_his_customers_ids_not_per_row(login, alice, records):
    """Each module's count and hits are given the salesman's customers as ids, read first, as
    its list is (`listed_for`): with the customers and their shares as a subquery, PostgreSQL
    could not tell how many rows they select and read every objection of the archive; with
    them as an OR, it read every customer. The ids are read once for the six modules (at 10×,
    8–30 ms each time for a salesman with 5 600 customers)."""
    with CaptureQueriesContext(connection) as queries:
        groups(login(alice).get(SEARCH, {"q": "镀锌"}))
    ids_reads = [q["sql"] for q in queries if "UNION" in q["sql"] and "customers_customershare" in q["sql"]]
    assert len(ids_reads) == 1
    for source in registry.search_sources:
        reads = [sql for sql in module_reads(queries, source, alice) if sql not in ids_reads]
        assert reads, source.key
        assert all("= ANY(" in sql for sql in reads), source.key
        assert not [sql for sql in reads if "customers_customershare" in sql], source.key


def test_a_module_where_nothing_matches_is_only_counted(login, admin_user, alices_customer):
    make_objection(alices_customer, description="镀锌层脱落")
    with CaptureQueriesContext(connection) as queries:
        found = groups(login(admin_user).get(SEARCH, {"q": "镀锌"}))
    assert {key: g["count"] for key, g in found.items() if g["count"]} == {"objections": 1}
    for source in registry.search_sources:
        reads = module_reads(queries, source, admin_user)
        assert len(reads) == (3 if source.key == "objections" else 1), source.key


def test_every_module_counts_a_rare_term_through_a_gram_index(admin_user, alice, records):
    """For a user who sees everything, each module narrows a rare term by its gram index: a
    million parts read one by one took 120–490 ms to count a term none of them holds. A
    salesman's search offers PostgreSQL the same index (his 140 000 objections read one by one
    for a rare term took 1.4 s); with his one customer here, checking her row is cheaper."""
    for source in registry.search_sources:
        found = source.search(admin_user, "锌层脱落")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = found.order_by().values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        gram_indexes = [
            index.name
            for index in found.model._meta.indexes
            if index.expressions and isinstance(index.expressions[0], search.GramCodes)
        ]
        assert any(f"Bitmap Index Scan on {name}" in plan for name in gram_indexes), (source.key, plan)
        assert "archive_gram_codes" in str(source.search(alice, "锌层脱落").query), source.key


def test_english_text_and_case(login, admin_user, alices_customer):
    make_objection(alices_customer, description="Zinc coating peeled off", solution="Check the ZINC bath")
    found = groups(login(admin_user).get(SEARCH, {"q": "zinc"}))
    assert found["objections"]["count"] == 1
    assert "Zinc coating peeled off" in found["objections"]["hits"][0][0]


def test_counts_stop_at_the_cap(login, admin_user, alices_customer, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_HITS", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for _ in range(5):
        make_objection(alices_customer, description="辊印")
    response = login(admin_user).get(SEARCH, {"q": "辊印"})
    objections = groups(response)["objections"]
    assert (objections["count"], objections["more"], len(objections["hits"])) == (3, True, 2)
    assert "超过 3 条" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_runs_a_constant_number_of_queries(
    login, admin_user, alices_customer, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_objection(alices_customer, description="镀锌层脱落")
        make_part(alices_customer, name="镀锌后门内板")
    client = login(admin_user)
    # session, user, savepoint + release, permissions; per module the gram statistics and
    # a count, and where something matches (objections, parts) the first hits' ids and rows
    with django_assert_num_queries(5 + 6 * 2 + 2 * 2):
        assert client.get(SEARCH, {"q": "镀锌"}).status_code == 200


def test_a_user_without_modules_finds_nothing(login, db):
    response = login(make_user("plain")).get(SEARCH, {"q": "镀锌"})
    assert response.context["groups"] == []
    assert "您没有可查找的模块" in response.content.decode()


def test_the_header_has_the_search_box(login, viewer):
    page = login(viewer).get(reverse("home")).content.decode()
    assert f'action="{SEARCH}"' in page


def test_the_page_in_english(login, admin_user, records):
    client = login(admin_user)
    client.cookies["django_language"] = "en"
    page = client.get(SEARCH, {"q": "镀锌"}, headers={"accept-language": "en"}).content.decode()
    assert "See all in the list" in page
