"""The disposition of an objection and what was claimed and settled: one rule on the model for
the form and the import, the cost statistics counting the settled amount, the export carrying it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from quality.models import Objection
from tests.factories import make_objection
from tests.imports.helpers import run, xlsx
from tests.quality.test_rules import edit_form, form_errors, imported

pytestmark = pytest.mark.django_db

ABOVE_CLAIM = "结算金额高于索赔金额时，请在结算说明中写明原因。"
HEADERS = ["异议编号", "客户代码", "受理日期", "缺陷类型", "缺陷描述"]
HEADERS += ["索赔金额(元)", "处置方式", "结算金额(元)", "结算说明"]


def row(o, settled, note="", disposition="降级"):
    return [o.number, o.customer.code, f"{o.received_date:%Y-%m-%d}", o.defect_type.code, o.description,
            "1000", disposition, settled, note]  # fmt: skip


def test_settling_above_the_claim_needs_a_note_in_the_form_and_the_import(quality, alices_customer):
    o = make_objection(alices_customer, claim_amount=Decimal(1000))

    by_form = form_errors(edit_form(o, quality, disposition="downgrade", settled_amount="1200"))
    by_import = imported(quality, "objections", "质量异议", HEADERS, row(o, "1200"))

    assert by_form == {"settled_amount": [ABOVE_CLAIM]}
    assert by_import == {"结算金额(元)": [ABOVE_CLAIM]}
    assert Objection.objects.get(pk=o.pk).settled_amount is None


def test_a_negative_settlement_is_refused_alike(quality, alices_customer):
    o = make_objection(alices_customer, claim_amount=Decimal(1000))
    by_form = form_errors(edit_form(o, quality, settled_amount="-1"))
    by_import = imported(quality, "objections", "质量异议", HEADERS, row(o, "-1"))
    assert by_form == {"settled_amount": ["结算金额不能为负数。"]}
    assert by_import == {"结算金额(元)": by_form["settled_amount"]}


def test_a_settlement_above_the_claim_with_its_reason_is_kept(login, quality, alices_customer):
    o = make_objection(alices_customer, claim_amount=Decimal(1000))
    form = edit_form(
        o, quality, disposition="return", settled_amount="1200", settlement_note="客户追加了运费，经商务确认"
    )
    assert form.is_valid(), form.errors
    form.save()
    o.refresh_from_db()
    assert (o.disposition, o.settled_amount) == ("return", Decimal(1200))
    page = login(quality).get(o.get_absolute_url()).content.decode()
    assert "退货" in page and "1200" in page and "客户追加了运费" in page


def test_the_import_sets_disposition_and_settlement(quality, alices_customer):
    o = make_objection(alices_customer, claim_amount=Decimal(1000))
    content = xlsx({"质量异议": [HEADERS, row(o, "800", disposition="让步接收")]})
    result = run(quality, content, "s.xlsx", "objections")
    assert result.ok, result.errors
    o.refresh_from_db()
    assert (o.disposition, o.settled_amount, o.claim_amount) == ("concession", Decimal(800), Decimal(1000))


def test_the_database_holds_the_rule_too(alices_customer):
    o = make_objection(alices_customer, claim_amount=Decimal(1000))
    above, negative = {"settled_amount": 1200}, {"settled_amount": -5, "settlement_note": "x"}
    for values in (above, negative):
        with pytest.raises(IntegrityError), transaction.atomic():
            Objection.objects.filter(pk=o.pk).update(**values)
    Objection.objects.filter(pk=o.pk).update(settled_amount=Decimal(1200), settlement_note="法院判决")


def test_cost_statistics_count_the_settled_amount_where_set(login, quality, alices_customer):
    day = datetime.date(2026, 3, 1)
    make_objection(alices_customer, "SCRATCH", received_date=day, claim_amount=1000, settled_amount=400)
    make_objection(alices_customer, "SCRATCH", received_date=day, claim_amount=500)
    make_objection(alices_customer, "RUST", received_date=day, claim_amount=300, settled_amount=0)
    client = login(quality)
    query = {"customer": alices_customer.code}
    stats = client.get(reverse("quality:objection-stats"), query).context["stats"]
    assert stats["total_claims"] == Decimal(900)
    assert {r.code: r.claims for r in stats["rows"]} == {"SCRATCH": Decimal(900), "RUST": Decimal(0)}
    assert [m[3] for m in stats["months"]] == [Decimal(900)]
    assert stats["claims"].rows[0][3] == Decimal(900)
    export = client.get(reverse("quality:objection-stats-export"), query)
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert any(900 in row for sheet in book for row in sheet.iter_rows(values_only=True))


def test_the_list_export_carries_disposition_and_settlement(login, quality, alices_customer):
    settled = {"disposition": "scrap", "settled_amount": 1100, "settlement_note": "含检测费"}
    make_objection(alices_customer, claim_amount=1000, **settled)
    response = login(quality).get(reverse("quality:objection-export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["处置方式"], record["结算金额(元)"], record["结算说明"]) == ("报废", 1100, "含检测费")
