"""The completeness score of a customer's archive: from rules anyone can read, the same on the
customer page and in the report; what is missing, with where to fill it; the report's filters,
export and queries."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archive_site.models import DictKind
from customers import completeness
from customers.models import Customer, CustomerDocument
from products.models import PartPhoto
from tests.factories import entry, make_contact, make_customer, make_demand, make_part
from tests.test_permission_matrix import png_bytes

pytestmark = pytest.mark.django_db

REPORT = reverse("customers:completeness-report")


def score(customer):
    return completeness.with_score(Customer.objects.filter(pk=customer.pk)).get().completeness


def add_document(customer, kind):
    doc = CustomerDocument(customer=customer, kind=kind, title=kind)
    doc.file.save(f"{kind}.png", ContentFile(png_bytes()), save=True)


def test_rule_weights_of_a_customer_add_up_to_100_for_automotive_customers():
    assert sum(r.weight for r in completeness.RULES) == 100
    assert sum(r.weight for r in completeness.RULES if not r.automotive_only) == 80


def test_the_score_of_a_known_customer_matches_its_rules(alice):
    appliance = entry(DictKind.CUSTOMER_CATEGORY, "APPLIANCE")
    customer = make_customer(
        category=appliance, credit_code="91370200163562681G", address="青岛市", sales_owner=alice
    )
    # Met: credit code 15, address 10 — of the 80 that apply to an appliance customer.
    assert score(customer) == 31  # 25 / 80 = 31.25 %, whole percent
    make_contact(customer, name="刘工", mobile="13812345678")  # +15
    make_demand(customer, elements=[("C", None, "0.003")], properties=[("Rm", 270, 350, "MPa")])  # +20
    assert score(customer) == 75  # 60 / 80
    add_document(customer, "contract")  # +10
    customer.verify(by=alice)  # +10
    assert score(customer) == 100
    # The automotive rules weigh only for automotive customers: 80 of 100 then.
    Customer.objects.filter(pk=customer.pk).update(category=entry(DictKind.CUSTOMER_CATEGORY, "AUTO"))
    assert score(customer) == 80
    add_document(customer, "drawing")
    photo_less = make_part(customer)
    assert score(customer) == 90  # a part without a photo does not count
    from archive_site.photos import process_upload, save_photos
    from tests.test_permission_matrix import jpeg_upload

    save_photos(PartPhoto, [process_upload(jpeg_upload())], part=photo_less)
    assert score(customer) == 100


def test_a_demand_without_composition_or_properties_does_not_count(alice, alices_customer):
    make_demand(alices_customer, elements=[("C", None, "0.003")])
    items = {i.rule.key: i for i in completeness.assess(alices_customer, alice).items}
    assert not items["demand"].met
    assert items["demand"].fix.url == reverse(
        "customers:demand-edit", args=[alices_customer.demands.get().pk]
    )


def test_the_customer_page_says_what_is_missing_with_links_to_fill_it(login, alice, alices_customer):
    page = login(alice).get(alices_customer.get_absolute_url())
    assessment = page.context["completeness"]
    assert assessment.score == 0
    fixes = {i.rule.key: i.fix and i.fix.url for i in assessment.missing}
    edit = reverse("customers:customer-edit", args=[alices_customer.pk])
    assert fixes["credit_code"] == edit + "#id_credit_code"
    assert fixes["contact_phone"] == edit + "#contacts-section"
    assert (
        fixes["contract"]
        == reverse("customers:document-create", args=[alices_customer.pk]) + "?kind=contract"
    )
    assert fixes["part_photos"] is None  # parts are the engineers': no link she may not follow
    html = page.content.decode()
    assert f'href="{edit}#id_credit_code"' in html and "填写统一社会信用代码" in html


def test_an_engineer_is_sent_to_add_a_part(login, engineer, alices_customer):
    assessment = login(engineer).get(alices_customer.get_absolute_url()).context["completeness"]
    (parts,) = [i for i in assessment.missing if i.rule.key == "part_photos"]
    assert parts.fix.url == reverse("products:part-create") + f"?customer={alices_customer.pk}"


def test_a_reader_sees_what_is_missing_without_links_he_may_not_follow(login, viewer, alices_customer):
    alices_customer.shared_with.add(viewer)
    assessment = login(viewer).get(alices_customer.get_absolute_url()).context["completeness"]
    assert assessment.missing and all(i.fix is None for i in assessment.missing)


def test_the_document_link_preselects_the_kind(login, alice, alices_customer):
    url = reverse("customers:document-create", args=[alices_customer.pk])
    form = login(alice).get(url, {"kind": "contract"}).context["form"]
    assert form["kind"].value() == "contract"


def test_the_rules_page_lists_every_rule_with_its_weight(login, viewer):
    html = login(viewer).get(reverse("customers:completeness-rules")).content.decode()
    for rule in completeness.RULES:
        assert f'data-rule="{rule.key}"' in html and str(rule.label) in html
    assert "365 天内确认过资料为最新" in html


@pytest.fixture
def book(alice, bob):
    """Three customers of known scores: 0 (bob's), 25 and 50 (alice's)."""
    other = entry(DictKind.CUSTOMER_CATEGORY, "OTHER")
    low = make_customer(code="C0001", category=other, sales_owner=bob)
    mid = make_customer(
        code="C0002", category=other, sales_owner=alice, credit_code="91370200163562681G", address="济南"
    )
    high = make_customer(
        code="C0003", category=other, sales_owner=alice, credit_code="911101087226012345", address="北京"
    )
    make_contact(high, name="王工", phone="010-88888888")
    high.verify(by=alice)
    return low, mid, high


def test_the_report_lists_the_least_complete_first_with_what_each_misses(login, quality, book):
    low, mid, high = book
    response = login(quality).get(REPORT)
    rows = [(c.code, c.completeness, [r.key for r in missing]) for c, missing in response.context["rows"]]
    assert rows == [
        ("C0001", 0, ["credit_code", "address", "contact_phone", "demand", "contract", "verified"]),
        ("C0002", 31, ["contact_phone", "demand", "contract", "verified"]),
        ("C0003", 62, ["demand", "contract"]),
    ]


def test_the_report_filters_by_sales_owner_category_score_and_overdue_verification(
    login, quality, alice, book
):
    client = login(quality)

    def codes(**params):
        return [c.code for c, _m in client.get(REPORT, params).context["rows"]]

    assert codes(sales_owner=alice.pk) == ["C0002", "C0003"]
    assert codes(category=entry(DictKind.CUSTOMER_CATEGORY, "AUTO").pk) == []
    assert codes(below=50) == ["C0001", "C0002"]
    assert codes(overdue="on") == ["C0001", "C0002"]
    assert codes(o="-completeness") == ["C0003", "C0002", "C0001"]


def test_a_sales_owner_sees_only_her_customers_in_the_report(login, alice, book):
    assert [c.code for c, _m in login(alice).get(REPORT).context["rows"]] == ["C0002", "C0003"]


def test_the_report_exports_what_it_shows(login, quality, alice, book):
    response = login(quality).get(reverse("customers:completeness-export"), {"sales_owner": alice.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == ["客户代码", "客户名称", "客户类别", "负责销售", "完整度(%)", "缺少"]
    assert [(r[0], r[4]) for r in rows[1:]] == [("C0002", 31), ("C0003", 62)]
    assert rows[2][5] == "含化学成分和力学性能要求的需求、合同文件"
    assert rows[1][8] == "是" and rows[2][8] == "否"  # overdue for verification


def test_the_report_runs_a_constant_number_of_queries(login, quality, book, django_assert_num_queries):
    client = login(quality)
    client.get(REPORT)
    with django_assert_num_queries(10):
        client.get(REPORT)
    for _n in range(20):
        make_customer(sales_owner=book[1].sales_owner, address="青岛")
    with django_assert_num_queries(10):
        response = client.get(REPORT)
    assert len(response.context["rows"]) == 23


def test_verification_is_overdue_after_the_configured_period(login, alice, alices_customer, settings):
    alices_customer.verify(by=alice)
    Customer.objects.filter(pk=alices_customer.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=40)
    )
    settings.CUSTOMER_VERIFY_DAYS = 60
    assert not Customer.objects.verification_overdue().exists()
    assert next(i for i in completeness.assess(alices_customer, alice).items if i.rule.key == "verified").met
    settings.CUSTOMER_VERIFY_DAYS = 30
    assert list(Customer.objects.verification_overdue()) == [alices_customer]
    html = login(alice).get(REPORT).content.decode()
    assert "逾期" in html


def test_confirming_records_who_and_when_without_making_edits_stale(login, alice, alices_customer):
    version = alices_customer.version
    response = login(alice).post(reverse("customers:customer-verify", args=[alices_customer.pk]))
    assert response.status_code == 302
    alices_customer.refresh_from_db()
    assert alices_customer.verified_by == alice
    assert timezone.now() - alices_customer.verified_at < datetime.timedelta(minutes=1)
    assert alices_customer.version == version
    latest = login(alice).get(alices_customer.get_absolute_url()).context["history"][0]
    assert (latest["user"], latest["action"]) == (alice, "修改")
    assert ("确认人", "", "王丽") in latest["changes"]


def test_maintenance_figures_per_sales_owner(login, quality, alice, bob, book):
    low, mid, high = book
    Customer.objects.filter(pk=low.pk).update(updated_at=timezone.now() - datetime.timedelta(days=60))
    figures = {f.owner: f for f in login(quality).get(reverse("customers:maintenance")).context["figures"]}
    alices, bobs = figures[alice], figures[bob]
    assert (alices.customers, alices.average, alices.overdue) == (2, 46.5, 1)  # (31 + 62) / 2
    assert alices.changed == 3  # her two customers and the contact, all changed today
    assert (bobs.customers, bobs.average, bobs.overdue, bobs.changed) == (1, 0, 1, 0)
