"""Search by the gram index or by walking the list's order: the same rows in the same order as a
plain icontains filter, whichever path a term takes; counts exact up to the cap."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site import search
from archive_site.pagination import LateRowPaginator
from customers.models import Customer
from quality.models import Objection, ObjectionPhoto
from quality.models.objections import SEARCH_FIELDS
from quality.views import objections as objection_views
from tests.factories import make_customer, make_objection

pytestmark = pytest.mark.django_db

LIST = reverse("quality:objection-list")

# (description, cause, solution, preventive): common and rare terms, Chinese and English,
# a term found only in the solution or the preventive measures, mixed case.
TEXTS = [
    ("带钢表面划伤，长约 30 mm", "导辊不转", "", ""),
    ("边部辊印，周期性出现", "工作辊粘附异物", "换辊", "定期检查辊面"),
    ("Scratch on the strip surface near the edge", "", "", ""),
    ("油污 oil stains after slitting", "", "Clean the OIL tray", ""),
    ("表面色差", "退火温度波动", "", "划伤预防：加装毛毡"),
    ("SCRATCH marks, 划伤严重", "", "", ""),
    ("划痕与辊印同时出现", "", "", ""),
]
TERMS = [
    "划",
    "划伤",
    "划伤严",
    "辊印",
    "痕与",
    "毛毡",
    "s",
    "sc",
    "scr",
    "Scratch",
    "oil",
    "30 mm",
    "伤，",
    "无此词",
]


def plain(queryset, term):
    """The reference: any of the four texts contains the term, Django's icontains."""
    match = Q()
    for field in SEARCH_FIELDS:
        match |= Q(**{f"{field}__icontains": term})
    return queryset.filter(match)


@pytest.fixture
def archive(alice, bob, alices_customer, bobs_customer):
    """84 objections of two salesmen's customers, many on the same day (the order's tie-break)."""
    third = make_customer(name="第三方冷轧客户", sales_owner=bob)
    customers = [alices_customer, bobs_customer, third]
    for i in range(84):
        description, cause, solution, preventive = TEXTS[i % len(TEXTS)]
        make_objection(
            customers[i % 3],
            description=description,
            cause=cause,
            solution=solution,
            preventive=preventive,
            received_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i // 4),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE quality_objection")


def pages(queryset, per_page=5):
    """Every row of every page of the paginated list, in order."""
    paginator = LateRowPaginator(queryset, per_page, count_cap=1000)
    rows = []
    for number in paginator.page_range:
        rows += [o.pk for o in paginator.page(number)]
    return rows


@pytest.mark.parametrize("path", ["analysed", "grams", "walk"])
@pytest.mark.parametrize("who", ["admin_user", "alice"])
def test_every_path_gives_the_rows_and_order_of_a_plain_icontains(request, archive, monkeypatch, path, who):
    user = request.getfixturevalue(who)
    if path == "grams":
        monkeypatch.setattr(search, "COMMON_SHARE", 2.0)  # no term is common
    elif path == "walk":
        monkeypatch.setattr(search, "COMMON_SHARE", 0.0)  # every term is common
    visible = Objection.objects.visible_to(user)
    for term in TERMS:
        expected = list(plain(visible, term).values_list("pk", flat=True))
        found = visible.search(term)
        assert pages(found) == expected, term
        assert LateRowPaginator(found, 5, count_cap=1000).count == len(expected), term
    assert plain(visible, "划伤").count() > 10  # the data set has common terms …
    assert plain(visible, "毛毡").count() < plain(visible, "划伤").count()  # … and rarer ones


def test_the_statistics_tell_a_common_gram_from_a_rare_one(archive):
    objections = Objection.objects.all()
    assert search.is_common(objections, "划伤", SEARCH_FIELDS)
    assert not search.is_common(objections, "无此词", SEARCH_FIELDS)


def test_without_statistics_the_gram_index_is_used(db, alices_customer):
    make_objection(alices_customer, description="划伤")
    with connection.cursor() as cursor:  # as before the first ANALYZE (rolled back with the test)
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'quality_objection_search'::regclass")
    assert not search.is_common(Objection.objects.all(), "划伤", SEARCH_FIELDS)


def test_a_salesman_is_searched_as_everyone_is(archive, alice, admin_user):
    """A rare term through the gram index, a common one by walking the rows, whoever asks."""

    def sql(user, term):
        return str(Objection.objects.listed_for(user).search(term).query)

    for user in (alice, admin_user):
        assert "archive_gram_codes" in sql(user, "无此词"), user
        assert "archive_gram_codes" not in sql(user, "划伤"), user


def count_sql(queryset):
    with CaptureQueriesContext(connection) as queries:
        LateRowPaginator(queryset, 5).count  # noqa: B018
    (query,) = queries.captured_queries
    return query["sql"]


def test_a_salesmans_count_walks_his_customers_index(archive, alice, admin_user):
    """His capped count in the order of his customers' ids, which their index gives; everyone
    else's in any order (PostgreSQL read all 5 million objections in parallel for his thousand
    matches of a common term)."""
    ordered = 'ORDER BY "quality_objection"."customer_id"'
    assert ordered in count_sql(Objection.objects.listed_for(alice).search("划伤"))
    assert ordered in count_sql(Objection.objects.listed_for(alice))
    assert "ORDER BY" not in count_sql(Objection.objects.listed_for(admin_user).search("划伤"))
    assert "ORDER BY 1" in count_sql(Customer.objects.listed_for(alice))  # its pk, the first column
    # A scope a join away has no index of the table's own to walk.
    assert "ORDER BY" not in count_sql(ObjectionPhoto.objects.listed_for(alice))
    # DISTINCT rows may only be ordered by what they select: counted in any order.
    distinct = Objection.objects.listed_for(alice).distinct()
    assert "ORDER BY" not in count_sql(distinct)
    assert LateRowPaginator(distinct, 5).count == Objection.objects.visible_to(alice).count()


def test_a_salesmans_customers_are_one_literal_in_the_sql(alice, alices_customer):
    """Not psycopg2's ARRAY[1, 2, …] of one constant per id, which PostgreSQL parsed and folded
    anew for each query: about 8 ms a query for 5 600 customers."""
    sql = count_sql(Objection.objects.listed_for(alice))
    assert f"ANY('{{{alices_customer.pk}}}'::bigint[])" in sql
    assert "ARRAY[" not in sql


def test_a_term_without_letters_needs_no_upper_casing(archive):
    assert "UPPER" not in str(Objection.objects.search("划伤").query)
    assert "UPPER" in str(Objection.objects.search("Scratch").query)


@pytest.mark.parametrize("who", ["admin_user", "alice"])
@pytest.mark.parametrize("term", ["划伤", "毛毡", "Scratch", "s"])
def test_the_list_shows_the_first_page_of_a_plain_icontains(request, login, archive, who, term):
    user = request.getfixturevalue(who)
    response = login(user).get(LIST, {"q": term})
    expected = list(plain(Objection.objects.visible_to(user), term).values_list("number", flat=True))
    assert [o.number for o in response.context["page_obj"]] == expected[:50]
    assert response.context["page_obj"].paginator.count == len(expected)


# The capped count -------------------------------------------------------------------------


def test_counts_stop_at_the_cap_and_later_pages_stay_reachable(archive):
    queryset = Objection.objects.all()  # 84 rows, newest first
    everything = list(queryset.values_list("pk", flat=True))
    paginator = LateRowPaginator(queryset, 5, count_cap=12)
    first = paginator.get_page(1)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (12, True, 3)
    assert [o.pk for o in first] == everything[:5]
    third = paginator.page(3)
    assert third.has_next() and third.next_page_number() == 4
    # Asked for page 4, the count reaches that far.
    later = LateRowPaginator(queryset, 5, count_cap=12)
    fourth = later.get_page(4)
    assert [o.pk for o in fourth] == everything[15:20]
    assert later.capped and fourth.has_next()
    # Past the end: the last page, counted exactly.
    past = LateRowPaginator(queryset, 5, count_cap=12)
    last = past.get_page(30)
    assert (past.count, past.capped, last.number) == (84, False, 17)
    assert [o.pk for o in last] == everything[80:]
    assert not last.has_next()


def test_the_list_says_more_than_the_cap(login, admin_user, archive, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 20)
    monkeypatch.setattr(objection_views, "PAGE_SIZE", 5)
    response = login(admin_user).get(LIST, {"q": "划"})  # 48 matches
    assert response.context["page_obj"].paginator.capped
    assert len(response.context["page_obj"]) == 5
    assert "超过 20 条结果" in response.content.decode()
    assert "末页" not in response.content.decode()  # the last page is not known


def test_the_list_without_a_search_counts_up_to_the_cap_too(login, admin_user, archive, monkeypatch):
    # On an archive of millions the unsearched list's exact count was most of its time.
    client = login(admin_user)
    assert client.get(LIST).context["page_obj"].paginator.count == 84  # exact below the cap
    monkeypatch.setattr(search, "COUNT_CAP", 20)
    monkeypatch.setattr(objection_views, "PAGE_SIZE", 5)
    response = client.get(LIST)
    paginator = response.context["page_obj"].paginator
    assert (paginator.count, paginator.capped) == (20, True)
    assert "超过 20 条结果" in response.content.decode()
    assert "末页" not in response.content.decode()
    assert "下一页" in response.content.decode()


@pytest.mark.parametrize("term", ["划伤", "毛毡"])
def test_a_searched_list_runs_a_constant_number_of_queries(
    login, admin_user, archive, django_assert_num_queries, term
):
    client = login(admin_user)
    assert client.get(LIST, {"q": term}).context["page_obj"].paginator.count > 10
    # as without a search (see test_objection_list), plus the gram statistics
    with django_assert_num_queries(14):
        assert client.get(LIST, {"q": term}).status_code == 200


# Which path a term takes ---------------------------------------------------------------------


def test_a_code_is_rare_though_each_of_its_digit_pairs_is_common(db, alices_customer):
    """Demand codes of random digits: every pair of digits is in several percent of them, but a
    whole code in one. Taken for common, a code was searched by reading every row (a demand
    code 282 ms, the header search 2 s at 5 million objections); estimated along its pairs
    (`term_share`), it is found through the gram index."""
    from customers.models import DEMAND_SEARCH_FIELDS, Demand
    from tests.factories import make_demand

    first = make_demand(alices_customer, code="XQ000000")
    rng = random.Random(7)
    codes = {f"XQ{rng.randrange(10**6):06d}" for _ in range(400)} - {first.code}
    Demand.objects.bulk_create(
        Demand(
            customer=alices_customer,
            code=code,
            name=first.name,
            thickness=first.thickness,
            width=first.width,
            production_grade=first.production_grade,
        )
        for code in codes
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_demand")
    demands = Demand.objects.all()
    shares = search.gram_shares(search.gram_index_name(Demand, DEMAND_SEARCH_FIELDS))
    code = sorted(codes)[len(codes) // 2]
    # The case in question: each pair of the code is common …
    assert all(shares.get(gram, 0) >= search.COMMON_SHARE for gram in search.query_grams(code)), code
    # … the code is not, and the common prefix still is.
    assert not search.is_common(demands, code, DEMAND_SEARCH_FIELDS)
    assert "archive_gram_codes" in str(demands.search(code).query)
    assert search.is_common(demands, "XQ", DEMAND_SEARCH_FIELDS)
    assert list(demands.search(code).values_list("code", flat=True)) == [code]


def test_a_term_its_pairs_take_for_common_is_checked_on_a_sample(db, alices_customer):
    """Part numbers of a prefix and a serial (5100-00007): 51, 10 and 00 are each in most of
    them, and the pairs estimate 5100 in several percent, held by a few parts in 600. Taken for
    common, the parts list counted by reading every part (342 ms at a million parts); the
    estimate near the line is checked on a sample of the rows, and the gram index finds them."""
    from products.models import Part
    from tests.factories import make_part

    first = make_part(alices_customer, number="5000-00001")
    rng = random.Random(7)
    numbers = {f"{rng.randrange(5000, 5300)}-{rng.randrange(1, 40):05d}" for _ in range(600)} - {first.number}
    copied = {f.attname: getattr(first, f.attname) for f in Part._meta.concrete_fields if not f.primary_key}
    Part.objects.bulk_create(Part(**(copied | {"number": number})) for number in numbers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE products_part")
    parts = Part.objects.all()
    fields = parts.search_fields
    shares = search.gram_shares(search.gram_index_name(Part, fields))
    held = [n for n in numbers | {first.number} if "5100" in n]
    # The case in question: estimated common, held by fewer than one part in a hundred …
    assert search.COMMON_SHARE <= search.term_share("5100", shares) < search.CONFIRMED_SHARE
    assert 0 < len(held) < search.COMMON_SHARE * parts.count()
    # … which the sample (all 600 rows of a table this small) tells.
    assert search.sampled_share(Part, search.substring_q("5100", fields)) == len(held) / parts.count()
    assert not search.is_common(parts, "5100", fields)
    assert "archive_gram_codes" in str(parts.search("5100").query)
    assert sorted(parts.search("5100").values_list("number", flat=True)) == sorted(held)
    # A common term is still walked.
    assert search.is_common(parts, "-000", fields)


def test_a_terms_share_follows_its_pairs():
    shares = {"划": 0.3, "伤": 0.3, "划伤": 0.25, "严": 0.1, "重": 0.1, "伤严": 0.05, "严重": 0.1}
    shares |= {"6": 0.5, "66": 0.2}
    assert search.term_share("划伤", shares) == 0.25
    assert search.term_share("划", shares) == 0.3
    # 划伤严重 is as common as 伤严 among the rows with 伤, and as 严重 among those with 严.
    assert search.term_share("划伤严重", shares) == pytest.approx(0.25 * (0.05 / 0.3) * (0.1 / 0.1))
    assert search.term_share("666", shares) == pytest.approx(0.2 * 0.2 / 0.5)
    assert search.term_share("无此", shares) == 0  # a pair the statistics do not list is rare


@pytest.mark.parametrize("indexed_ids_max", [100, 0])
def test_a_scope_compared_on_the_joined_customers_key_gives_the_same_rows(
    login, monkeypatch, alice, alices_customer, bobs_customer, indexed_ids_max
):
    """A list ordered by the customer's code compares the user's customer ids with the joined
    customers' key: in their index for a few ids, as `key + 0` (a filter) for more than
    `lookups.INDEXED_IDS_MAX`. Either way the list holds the user's rows and no others."""
    from archive_site import lookups
    from products.models import Part
    from tests.factories import make_part

    monkeypatch.setattr(lookups, "INDEXED_IDS_MAX", indexed_ids_max)
    own = {make_part(alices_customer, number=f"A-{i}", name=f"门外板 {i}").number for i in range(3)}
    make_part(bobs_customer, number="B-1", name="门外板 9")
    parts = Part.objects.listed_for(alice).select_related("customer").order_by("customer__code", "number")
    sql = str(parts.query)
    assert ('"customers_customer"."id" + 0) = ANY' in sql) == (indexed_ids_max == 0)
    assert {p.number for p in parts} == own
    for query, expected in (({}, own), ({"q": "门外板"}, own), ({"q": "A-1"}, {"A-1"})):
        response = login(alice).get(reverse("products:part-list"), query)
        assert {p.number for p in response.context["page_obj"]} == expected, query


@pytest.fixture
def carmakers(alice):
    """31 customers of Alice's, 30 of them carmakers (汽车 in their names), with an objection each."""
    customers = [make_customer(name=f"第{i}汽车制造有限公司", sales_owner=alice) for i in range(30)]
    customers.append(make_customer(name="独一无二冷轧厂", sales_owner=alice))
    for customer in customers:
        make_objection(customer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    return customers


def test_a_word_common_in_customers_names_filters_a_list_on_the_names_alone(carmakers, alice, admin_user):
    """The customers' gram index would only have PostgreSQL compute each joined customer's grams."""
    for user in (alice, admin_user):
        assert "archive_gram_codes" not in str(Objection.objects.listed_for(user).of_customer("汽车").query)
        assert "archive_gram_codes" in str(Objection.objects.listed_for(user).of_customer("无此词").query)


def test_fields_through_a_relation_are_judged_on_the_related_table(carmakers):
    """How common a word is in the customers' names, not in the objections' own texts."""
    from customers.models import SEARCH_FIELDS as CUSTOMER_FIELDS

    fields = [f"customer__{field}" for field in CUSTOMER_FIELDS]
    assert search.indexed_fields(Objection, fields) == (Customer, CUSTOMER_FIELDS)
    assert search.is_common(Objection.objects.all(), "汽车", fields)
    assert not search.is_common(Objection.objects.all(), "无此词", fields)
    # Fields of two tables have no one gram index to ask: not known to be common.
    assert not search.is_common(Objection.objects.all(), "汽车", ["description", "customer__name"])


@pytest.mark.parametrize("common_share", [0.0, 2.0], ids=["every word common", "no word common"])
def test_the_customer_filter_finds_the_rows_of_a_plain_icontains_either_way(
    monkeypatch, carmakers, alice, admin_user, common_share
):
    monkeypatch.setattr(search, "COMMON_SHARE", common_share)
    for user in (alice, admin_user):
        listed = Objection.objects.listed_for(user)
        for term in ("汽车", "独一无二", "第1", "无此词"):
            match = Q()
            for field in ("name", "short_name", "code", "credit_code"):
                match |= Q(**{f"customer__{field}__icontains": term})
            expected = set(listed.filter(match).values_list("pk", flat=True))
            found = listed.of_customer(term)
            assert ("archive_gram_codes" in str(found.query)) == (common_share > 1), term
            assert set(found.values_list("pk", flat=True)) == expected, (user, term)
    assert len(expected) == 0 and Objection.objects.count() == 31
