"""Decisions recorded from the judgement answer: their rules, list, export, statistics and sections."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from quality.models import Decision
from tests import sections
from tests.factories import make_customer, make_decision, make_objection, make_user

pytestmark = pytest.mark.django_db

CREATE = reverse("quality:decision-create")
LIST = reverse("quality:decision-list")
STATS = reverse("quality:decision-stats")


def ask(customer, defect="SCRATCH", severity=2, **facts):
    return {"customer": customer.code, "defect": defect, "severity": severity, **facts}


def create_url(customer, **kwargs):
    from urllib.parse import urlencode

    return f"{CREATE}?{urlencode(ask(customer, **kwargs))}"


def decide(client, customer, data, **question):
    form = {"coil_numbers": "", "tonnage": "0", "disposition": "agreement", "measure": "none", "version": ""}
    form.update(data)
    return client.post(create_url(customer, **question), form)


def test_a_decision_keeps_the_question_the_answer_and_its_objections(login, quality, alices_customer):
    o = make_objection(alices_customer, "SCRATCH", 1, received_date=datetime.date(2026, 3, 2))
    client = login(quality)
    page = client.get(create_url(alices_customer))
    assert page.status_code == 200
    assert "不得判定为合格" in page.content.decode()
    response = decide(
        client,
        alices_customer,
        {
            "coil_numbers": "h25031801, h25031802",
            "tonnage": "48.6",
            "disposition": "agreement",
            "note": "边部划伤",
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    assert decision.coil_numbers == ["H25031801", "H25031802"] and decision.tonnage == Decimal("48.6")
    assert decision.disposition == "agreement" and decision.verdict == "not_acceptable"
    assert decision.customer == alices_customer and decision.defect_type.code == "SCRATCH"
    assert decision.severity == 2 and decision.created_by == quality
    assert list(decision.objections.all()) == [o]
    assert "曾 1 次对程度为“一般”或更轻的“划伤”提出质量异议" in decision.answer
    detail = client.get(decision.get_absolute_url()).content.decode()
    assert "H25031801 H25031802" in detail and o.number in detail and "改判协议品" in detail


def test_the_form_suggests_a_downgrade_when_the_answer_blocks(login, quality, alices_customer):
    make_objection(alices_customer, "SCRATCH", 1)
    form = login(quality).get(create_url(alices_customer)).context["form"]
    assert form.initial["disposition"] == "agreement"


def test_adjusting_the_process_needs_the_adjustment(login, quality, alices_customer):
    response = decide(login(quality), alices_customer, {"coil_numbers": "C1", "measure": "adjust"})
    assert response.status_code == 200
    assert response.context["form"].errors["adjustment"] == [
        "选择“调整工艺”时，请写明如何调整（例如 平整张力降低 10%）。"
    ]
    assert not Decision.objects.exists()
    ok = decide(
        login(quality),
        alices_customer,
        {"coil_numbers": "C1", "measure": "adjust", "adjustment": "平整张力降低 10%"},
    )
    assert ok.status_code == 302 and Decision.objects.get().adjustment == "平整张力降低 10%"


def test_judging_qualified_against_the_answer_needs_a_reason(login, quality, alices_customer):
    make_objection(alices_customer, "SCRATCH", 1)
    client = login(quality)
    response = decide(client, alices_customer, {"coil_numbers": "C1", "disposition": "qualified"})
    assert "请在说明中写明理由" in response.context["form"].errors["note"][0]
    ok = decide(
        client, alices_customer, {"coil_numbers": "C1", "disposition": "qualified", "note": "客户书面同意"}
    )
    assert ok.status_code == 302


def test_a_decision_needs_coils(login, quality, alices_customer):
    response = decide(login(quality), alices_customer, {"coil_numbers": "  "})
    assert "coil_numbers" in response.context["form"].errors
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "fields, constraint",
    [
        ({"coil_numbers": []}, "quality_decision_has_coils"),
        ({"measure": "adjust", "adjustment": ""}, "quality_decision_adjustment_described"),
        (
            {"disposition": "qualified", "verdict": "not_acceptable", "note": ""},
            "quality_decision_override_explained",
        ),
        ({"tonnage": Decimal("-1")}, "quality_decision_tonnage_not_negative"),
    ],
)
def test_the_database_holds_the_rules_too(alices_customer, fields, constraint):
    from archive_site.models import DictEntry

    values = {
        "customer": alices_customer,
        "defect_type": DictEntry.objects.get(kind="defect_type", code="SCRATCH"),
        "severity": 2,
        "verdict": "acceptable",
        "answer": "…",
        "coil_numbers": ["C1"],
        "disposition": "stock",
    }
    values.update(fields)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Decision.objects.create(**values)


def test_only_quality_staff_record_decisions(login, viewer, alice, engineer, alices_customer):
    alices_customer.shared_with.add(viewer)
    for user in (viewer, alice, engineer):
        assert login(user).get(create_url(alices_customer)).status_code == 403
        assert decide(login(user), alices_customer, {"coil_numbers": "C1"}).status_code == 403
    assert not Decision.objects.exists()


def test_an_unfinished_question_goes_back_to_the_judgement_page(login, quality, alices_customer):
    response = login(quality).get(f"{CREATE}?customer={alices_customer.code}&defect=NOPE&severity=2")
    assert response.status_code == 302 and response.url.startswith(reverse("quality:judgement"))


def test_the_list_shows_each_user_the_decisions_in_scope(
    login, quality, alice, bob, alices_customer, bobs_customer
):
    mine = make_decision(alices_customer, quality, coils=["A1"])
    make_decision(bobs_customer, quality, coils=["B1"])
    page = login(alice).get(LIST)
    assert list(page.context["page_obj"]) == [mine]
    assert login(bob).get(mine.get_absolute_url()).status_code == 404
    assert login(quality).get(LIST).context["page_obj"].paginator.count == 2


def test_the_list_filters_by_coil_disposition_and_customer(login, quality, alices_customer, bobs_customer):
    a = make_decision(alices_customer, quality, coils=["A1", "A2"], disposition="agreement")
    make_decision(alices_customer, quality, coils=["A3"], disposition="qualified", verdict="acceptable")
    make_decision(bobs_customer, quality, coils=["B1"])
    client = login(quality)
    assert list(client.get(LIST, {"coil": "a2"}).context["page_obj"]) == [a]
    assert list(client.get(LIST, {"disposition": "agreement"}).context["page_obj"]) == [a]
    assert client.get(LIST, {"customer": "海尔"}).context["page_obj"].paginator.count == 2


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_runs_a_constant_number_of_queries(
    login, quality, alices_customer, django_assert_num_queries, rows
):
    for i in range(rows):
        make_decision(alices_customer, quality, coils=[f"C{i}"])
    client = login(quality)
    client.get(LIST)
    # session, user, savepoint + release, permissions, the count, the page's ids and then
    # its rows (LateRowPaginator) and their dictionary entries, the filter's defect types
    with django_assert_num_queries(10):
        assert len(client.get(LIST).context["page_obj"]) == rows


def test_the_export_is_the_lists_rows(login, quality, alices_customer, bobs_customer):
    o = make_objection(alices_customer)
    d = make_decision(alices_customer, quality, coils=["A1", "A2"], tonnage="12.5", adjustment="")
    d.objections.set([o])
    make_decision(bobs_customer, quality, coils=["B1"])
    response = login(quality).get(reverse("quality:decision-export"), {"customer": alices_customer.code})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    header = rows[0]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["卷号"] == "A1 A2" and row["吨数(t)"] == 12.5 and row["判定"] == "改判现货"
    assert row["依据的异议"] == o.number and row["客户代码"] == alices_customer.code


def test_viewers_cannot_export(login, viewer):
    assert login(viewer).get(reverse("quality:decision-export")).status_code == 403


def test_statistics_add_up_coils_and_tons_downgraded(login, quality, alices_customer, bobs_customer):
    make_decision(alices_customer, quality, coils=["A1", "A2"], tonnage="20", disposition="agreement")
    make_decision(
        alices_customer, quality, coils=["A3"], tonnage="9.5", disposition="stock", verdict="caution"
    )
    make_decision(
        alices_customer, quality, coils=["A4"], tonnage="10", disposition="qualified", verdict="acceptable"
    )
    make_decision(bobs_customer, quality, coils=["B1"], tonnage="5", defect="RUST")
    stats = login(quality).get(STATS).context["stats"]
    assert (stats.total.coils, stats.total.tons, stats.total.prevented) == (4, Decimal("34.5"), 2)
    by_customer = {r.key: (r.coils, r.tons) for r in stats.customers}
    assert by_customer == {alices_customer.code: (3, Decimal("29.5")), bobs_customer.code: (1, Decimal("5"))}
    by_defect = {r.key: r.coils for r in stats.defects}
    assert by_defect == {"SCRATCH": 3, "RUST": 1}
    (month,) = stats.months
    assert month.coils == 4 and stats.all_decisions == 4


def test_statistics_of_one_customer_and_their_export(login, quality, alices_customer, bobs_customer):
    make_decision(alices_customer, quality, coils=["A1", "A2"], tonnage="20")
    make_decision(bobs_customer, quality, coils=["B1"], tonnage="5")
    client = login(quality)
    stats = client.get(STATS, {"customer": alices_customer.code}).context["stats"]
    assert stats.total.coils == 2
    export = client.get(reverse("quality:decision-stats-export"), {"customer": alices_customer.code})
    book = load_workbook(BytesIO(b"".join(export.streaming_content)))
    assert book.sheetnames == ["按月", "按客户", "按缺陷"]
    assert list(book["按客户"].values)[1][:4] == (alices_customer.code, alices_customer.name, 1, 2)


def test_the_customer_page_shows_its_decisions(quality, alices_customer):
    make_decision(alices_customer, quality, coils=["A1", "A2"], tonnage="20", disposition="agreement")
    html = sections.render_section("customer", "quality/_customer_decisions.html", quality, alices_customer)
    assert "改判 1 次，共 2 卷、20 吨。" in html and "改判协议品" in html


def test_the_objection_page_shows_the_decisions_it_grounded(login, quality, alices_customer):
    o = make_objection(alices_customer)
    d = make_decision(alices_customer, quality, coils=["A9"])
    d.objections.set([o])
    html = login(quality).get(o.get_absolute_url()).content.decode()
    assert 'id="objection-decisions"' in html and "A9" in html


def test_the_customer_section_is_hidden_without_the_permission(alices_customer):
    html = sections.render_section(
        "customer", "quality/_customer_decisions.html", make_user("plain"), alices_customer
    )
    assert "判定记录" not in html


def test_another_customers_decisions_are_not_counted(login, alice, quality, alices_customer):
    other = make_customer()
    make_decision(other, quality, coils=["X1"])
    assert login(alice).get(STATS).context["stats"].total.coils == 0
