"""The objection list: filters, Chinese substring search, scope, export, constant queries."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import entry, make_customer, make_objection

pytestmark = pytest.mark.django_db

LIST = reverse("quality:objection-list")
EXPORT = reverse("quality:objection-export")


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [o.number for o in response.context["page_obj"]]


@pytest.fixture
def objections(alices_customer, bobs_customer):
    """Four objections differing in every filtered field."""
    d = datetime.date
    return {
        "scratch": make_objection(
            alices_customer,
            "SCRATCH",
            1,
            received_date=d(2026, 1, 5),
            description="表面划伤，长约 20 mm",
            production_grade=entry("production_grade", "DC04"),
            responsible_line=entry("production_line", "CAL"),
            coil_numbers=["A100", "A101"],
        ),
        "roll_mark": make_objection(
            alices_customer,
            "ROLL_MARK",
            3,
            received_date=d(2026, 2, 10),
            description="周期性压印",
            cause="平整辊辊印",
            responsible_line=entry("production_line", "PLTCM"),
            status="investigating",
        ),
        "bob_scratch": make_objection(
            bobs_customer, "SCRATCH", 2, received_date=d(2026, 3, 1), description="划伤", kind="complaint"
        ),
        "rust": make_objection(bobs_customer, "RUST", 4, received_date=d(2026, 4, 1), description="锈蚀"),
    }


def test_newest_first(login, quality, objections):
    assert listed(login(quality)) == [
        objections[k].number for k in ("rust", "bob_scratch", "roll_mark", "scratch")
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"customer": "C0005"}, ["roll_mark", "scratch"]),
        ({"customer": "福田"}, ["rust", "bob_scratch"]),
        ({"severity": "3"}, ["roll_mark"]),
        ({"status": "investigating"}, ["roll_mark"]),
        ({"kind": "complaint"}, ["bob_scratch"]),
        ({"received_after": "2026-02-01", "received_before": "2026-03-31"}, ["bob_scratch", "roll_mark"]),
        ({"coil": "a101"}, ["scratch"]),
        ({"q": "划伤"}, ["bob_scratch", "scratch"]),  # two characters, in the description
        ({"q": "辊印"}, ["roll_mark"]),  # two characters, in the cause
        ({"q": "锈"}, ["rust"]),  # one character
        ({"q": "伤长"}, []),  # not a substring
    ],
)
def test_filters(login, quality, objections, params, expected):
    assert listed(login(quality), **params) == [objections[k].number for k in expected]


def test_filters_by_dictionary_entries(login, quality, objections):
    client = login(quality)
    scratch = entry("defect_type", "SCRATCH").pk
    assert listed(client, defect_type=scratch) == [
        objections["bob_scratch"].number,
        objections["scratch"].number,
    ]
    assert listed(client, production_grade=entry("production_grade", "DC04").pk) == [
        objections["scratch"].number
    ]
    assert listed(client, responsible_line=entry("production_line", "PLTCM").pk) == [
        objections["roll_mark"].number
    ]


def test_sorts_by_severity(login, quality, objections):
    assert listed(login(quality), o="-severity")[0] == objections["rust"].number


def test_sales_user_lists_only_objections_of_her_customers(login, alice, objections):
    assert listed(login(alice)) == [objections["roll_mark"].number, objections["scratch"].number]
    assert listed(login(alice), q="锈蚀") == []


def test_export_holds_exactly_the_filtered_rows(login, quality, objections):
    response = login(quality).get(EXPORT, {"q": "划伤", "o": "received_date"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("异议编号", "类别", "客户代码", "客户名称")
    assert [r[0] for r in rows[1:]] == [objections["scratch"].number, objections["bob_scratch"].number]
    assert rows[1][4] == datetime.datetime(2026, 1, 5)  # a date, not text


def test_export_escapes_formulas(login, quality, alices_customer):
    make_objection(alices_customer, description='=HYPERLINK("http://evil")')
    response = login(quality).get(EXPORT)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=14)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_viewer_reads_the_list_but_cannot_export(login, viewer, objections):
    assert login(viewer).get(LIST).status_code == 200
    assert login(viewer).get(EXPORT).status_code == 403


def test_customer_without_objection_permission_is_refused(login, make_plain_user):
    assert login(make_plain_user).get(LIST).status_code == 403


@pytest.fixture
def make_plain_user(db):
    from tests.factories import make_user

    return make_user("plain")


@pytest.mark.parametrize("rows", [3, 60])
def test_list_runs_a_constant_number_of_queries(login, quality, django_assert_num_queries, rows):
    customer = make_customer()
    for _ in range(rows):
        make_objection(customer)
    client = login(quality)
    # session, user, savepoint + release, permissions, count, filter choices x2 (the
    # dictionary selects' entries together, the handlers), the page's ids, the page of
    # objections (photo counts in a subquery), their dictionary entries, then their steps' due
    # dates: the deadline rules and their status log
    with django_assert_num_queries(13):
        response = client.get(LIST)
    assert response.status_code == 200


def test_customer_picker_offers_only_visible_customers(login, alice, alices_customer, bobs_customer):
    response = login(alice).get(reverse("customers:customer-picker"), {"q": "有限公司"})
    assert [c["code"] for c in response.json()["results"]] == [alices_customer.code]
