"""What came out of the line (paper 3.3): runs record measured properties, surface grade and
judgement result; the plan page shows them against the demand's limits with Cpk, and how
each parameter goes with each property; several coils are entered at once in one grid."""

import datetime
import math
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from archive_site.models import DictKind
from quality.models import PlanRun, RunProperty, RunValue
from quality.statistics.plans import correlation
from tests.factories import entry, make_demand, make_objection, make_plan, make_run

pytestmark = pytest.mark.django_db

PARAMS = [
    ("PLTCM", "RED", 75, 70, 80, "%"),
    ("CAL", "SOAK_T", 820, 800, 840, "℃"),
    ("CAL", "SPM_EL", 1.2, 0.8, 1.6, "%"),
]
PROPERTIES = [("Rm", 270, 350, "MPa"), ("r90", 1.6, None, "")]


@pytest.fixture
def revision(alices_customer, engineer):
    demand = make_demand(alices_customer, properties=PROPERTIES)
    return make_plan(alices_customer, demand, PARAMS, approved_by=engineer)


def measured(run, **values):
    for code, value in values.items():
        RunProperty.objects.create(
            run=run, property=entry(DictKind.MECHANICAL_PROPERTY, code), value=Decimal(str(value))
        )


def stat(html, row_attr, stat_name):
    """The text of the statistics cell `stat_name` in the row marked `row_attr`."""
    import re

    row = re.search(rf"<tr[^>]*{row_attr}[^>]*>(.*?)</tr>", html, re.S).group(1)
    cell = re.search(rf'data-stat="{stat_name}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_cpk_of_a_measured_property_equals_the_hand_computed_one(login, engineer, revision):
    values = [300, 310, 320, 305, 315]
    for i, rm in enumerate(values):
        measured(make_run(revision, f"K{i}", day=i + 1, SOAK_T=820), Rm=rm)
    # By hand: mean 310; deviations −10, 0, 10, −5, 5; Σd² = 250; sd = √(250 / 4) = 7.9057;
    # Cpk = min(350 − 310, 310 − 270) / (3 × 7.9057) = 40 / 23.717 = 1.6865.
    mean = 310
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    by_hand = min(350 - mean, mean - 270) / (3 * sd)
    assert round(by_hand, 4) == 1.6865
    limits = revision.property_limits()
    stats = revision.property_statistics(limits)[entry(DictKind.MECHANICAL_PROPERTY, "Rm").pk]
    assert stats.count == 5 and float(stats.mean) == 310
    assert stats.cpk(limits[stats_key(limits, "Rm")].min_value, Decimal(350)) == pytest.approx(by_hand)
    html = login(engineer).get(revision.get_absolute_url()).content.decode()
    assert stat(html, 'data-property="Rm"', "cpk") == "1.69"
    assert stat(html, 'data-property="Rm"', "sd") == "7.906"
    assert stat(html, 'data-property="Rm"', "reliable") == "n=5 · 样本不足"


def stats_key(limits, code):
    return next(pid for pid, row in limits.items() if row.property.code == code)


def test_a_one_sided_limit_gives_a_one_sided_cpk_and_out_of_limit_values_are_counted(
    login, engineer, revision
):
    for i, r90 in enumerate([1.5, 1.9, 2.1, 2.0]):
        measured(make_run(revision, f"R{i}", day=i + 1, SOAK_T=820), r90=r90)
    # mean 1.875, sd = √(Σd² / 3) with d = −0.375, 0.025, 0.225, 0.125 → Σd² = 0.2075, sd = 0.26300;
    # Cpk = (1.875 − 1.6) / (3 × 0.26300) = 0.3485, one-sided (r90 has no upper limit).
    html = login(engineer).get(revision.get_absolute_url()).content.decode()
    assert stat(html, 'data-property="r90"', "cpk") == "0.35"
    assert stat(html, 'data-property="r90"', "out") == "1"


def test_parameter_cpk_is_marked_unreliable_below_25_runs(login, engineer, revision):
    for i in range(24):
        make_run(revision, f"P{i}", day=1 + i % 28, SOAK_T=815 + i % 10)
    client = login(engineer)
    html = client.get(revision.get_absolute_url()).content.decode()
    assert stat(html, 'data-parameter="SOAK_T"', "reliable") == "n=24 · 样本不足"
    make_run(revision, "P24", day=3, SOAK_T=821)
    html = client.get(revision.get_absolute_url()).content.decode()
    assert stat(html, 'data-parameter="SOAK_T"', "reliable") == "n=25"


def test_correlation_is_pearsons_r():
    r, (slope, intercept) = correlation([(1, 2), (2, 4), (3, 6), (4, 8)])
    assert r == pytest.approx(1.0) and slope == pytest.approx(2.0) and intercept == pytest.approx(0.0)
    r, _trend = correlation([(1, 3), (2, 1), (3, 2)])
    # x̄ = 2, ȳ = 2; Σdxdy = (−1)(1) + 0 + (1)(0) = −1; Σdx² = 2; Σdy² = 2 → r = −0.5
    assert r == pytest.approx(-0.5)
    assert correlation([(1, 1), (1, 2), (1, 3)]) == (None, None)  # no spread in x


def test_the_plan_page_relates_each_parameter_to_each_property(login, engineer, revision):
    for i, (soak, rm) in enumerate([(810, 290), (820, 300), (830, 310), (835, 315)]):
        make_run(revision, f"S{i}", line="PLTCM", day=i + 1, RED=75 + i)
        measured(make_run(revision, f"S{i}", day=i + 1, SOAK_T=soak), Rm=rm)
    html = login(engineer).get(revision.get_absolute_url()).content.decode()
    assert 'id="plan-relations"' in html
    cell = html.split('data-relation="SOAK_T-Rm">')[1].split("</td>")[0]
    assert cell.startswith("1.00") and "n=4" in cell
    # The reduction of the same coils (their PLTCM runs) is paired by coil number too.
    assert html.split('data-relation="RED-Rm">')[1].split("</td>")[0].startswith("0.9")
    assert html.count('class="scatter-chart"') >= 2


def test_outcomes_are_listed_with_the_objections_that_name_their_coils(
    login, engineer, alices_customer, revision
):
    run = make_run(revision, "H1", SOAK_T=820)
    PlanRun.objects.filter(pk=run.pk).update(
        result="agreement", surface_grade=entry(DictKind.SURFACE_QUALITY, "FC")
    )
    measured(run, Rm=360)
    o = make_objection(alices_customer, coil_numbers=["H1"])
    html = login(engineer).get(revision.get_absolute_url()).content.decode()
    row = html.split('id="plan-outcomes"')[1].split('data-coil="H1"')[1].split("</tr>")[0]
    assert "改判协议品" in row and "FC" in row and o.number in row and "360 ↑" in row


def test_good_coils_have_a_good_outcome_and_no_objection(alices_customer, revision):
    good = make_run(revision, "G1", SOAK_T=820)
    PlanRun.objects.filter(pk=good.pk).update(result="qualified")
    measured(make_run(revision, "G2", SOAK_T=821), Rm=300)
    measured(make_run(revision, "B1", SOAK_T=839), Rm=360)  # above the demand's 350
    bad = make_run(revision, "B2", SOAK_T=838)
    PlanRun.objects.filter(pk=bad.pk).update(result="stock")
    PlanRun.objects.filter(pk=make_run(revision, "B3", SOAK_T=837).pk).update(result="qualified")
    make_objection(alices_customer, coil_numbers=["B3"])
    make_run(revision, "U1", SOAK_T=830)  # nothing known of how it came out
    assert revision.good_coils() == {"G1", "G2"}


def test_adopt_can_take_only_the_coils_that_came_out_well(login, engineer, revision):
    for coil, soak, result in [("G1", 818, "qualified"), ("G2", 822, "qualified"), ("B1", 838, "stock")]:
        run = make_run(revision, coil, SOAK_T=soak)
        PlanRun.objects.filter(pk=run.pk).update(result=result)
    client = login(engineer)
    response = client.post(reverse("quality:revision-adopt", args=[revision.pk]), {"good_only": "1"})
    assert response.status_code == 302
    draft = revision.plan.revisions.get(status="draft")
    assert draft.parameters.get(parameter__code="SOAK_T").target == Decimal("820")  # (818 + 822) / 2
    assert "只计结果良好的 2 卷" in draft.change_note


# The run grid ----------------------------------------------------------------


def grid_data(revision, rows, confirm=False):
    """The grid's POST: `rows` are dicts of coil, date, and parameter / property codes → values."""
    params = {p.parameter.code: p.pk for p in revision.parameters.select_related("parameter")}
    props = {r.property.code: r.property_id for r in revision.property_limits().values()}
    data = {
        "coils-TOTAL_FORMS": str(len(rows)),
        "coils-INITIAL_FORMS": "0",
        "coils-MIN_NUM_FORMS": "1",
        "coils-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key in params:
                data[f"coils-{i}-p{params[key]}"] = value
            elif key in props:
                data[f"coils-{i}-m{props[key]}"] = value
            else:
                data[f"coils-{i}-{key}"] = value
    if confirm:
        data["confirm"] = "1"
    return data


def test_three_coils_on_every_line_are_one_save(login, engineer, revision):
    url = reverse("quality:run-grid", args=[revision.pk])
    client = login(engineer)
    assert client.get(url).status_code == 200
    rows = [
        {
            "coil_number": f"h2503180{i}",
            "produced_on": "2025-03-18",
            "RED": 75 + i,
            "SOAK_T": 820 + i,
            "Rm": 300 + i,
        }
        for i in range(3)
    ]
    rows[0]["result"] = "qualified"
    rows[1]["surface_grade"] = entry(DictKind.SURFACE_QUALITY, "FC").pk
    response = client.post(url, grid_data(revision, rows))
    assert response.status_code == 302
    assert PlanRun.objects.count() == 6 and RunValue.objects.count() == 6
    cal = PlanRun.objects.get(coil_number="H25031800", line__code="CAL")
    assert cal.result == "qualified" and cal.properties.get().value == Decimal("300")
    assert PlanRun.objects.get(coil_number="H25031801", line__code="CAL").surface_grade.code == "FC"
    # The outcome goes with the last line's run only.
    assert not RunProperty.objects.filter(run__line__code="PLTCM").exists()


def test_out_of_limit_values_are_shown_before_saving(login, engineer, revision):
    url = reverse("quality:run-grid", args=[revision.pk])
    client = login(engineer)
    rows = [{"coil_number": "X1", "produced_on": "2025-03-18", "SOAK_T": 851, "Rm": 360}]
    response = client.post(url, grid_data(revision, rows))
    assert response.status_code == 200 and not PlanRun.objects.exists()
    warnings = response.context["warnings"]
    assert warnings == [
        "卷 X1：连退 · 均热温度 851 超出 [800, 840]",
        "卷 X1：抗拉强度 Rm 360 超出 [270, 350]",
    ]
    assert client.post(url, grid_data(revision, rows, confirm=True)).status_code == 302
    assert PlanRun.objects.get().values.get().value == Decimal("851")


def test_the_grid_uses_the_imports_rules_and_says_where(login, engineer, revision):
    url = reverse("quality:run-grid", args=[revision.pk])
    rows = [
        {"coil_number": "Y1", "produced_on": "2025-03-18", "SOAK_T": 820},
        {"coil_number": "", "produced_on": "2025-03-18", "SOAK_T": 821},  # no coil number
        {"coil_number": "Y3", "produced_on": "2025-03-18", "remarks": "只有备注"},  # nothing measured
    ]
    response = login(engineer).post(url, grid_data(revision, rows))
    assert response.status_code == 200 and not PlanRun.objects.exists()
    forms = response.context["grid"].forms
    assert not forms[0].errors
    assert "“卷号”不能为空。" in forms[1].errors["coil_number"]
    assert "这一行没有任何实际值。" in forms[2].non_field_errors()


def test_a_coil_entered_again_updates_its_runs(login, engineer, revision):
    url = reverse("quality:run-grid", args=[revision.pk])
    client = login(engineer)
    client.post(url, grid_data(revision, [{"coil_number": "Z1", "produced_on": "2025-03-18", "SOAK_T": 820}]))
    rows = [{"coil_number": "Z1", "produced_on": "2025-03-18", "SOAK_T": 825, "Rm": 301}]
    assert client.post(url, grid_data(revision, rows)).status_code == 302
    run = PlanRun.objects.get()
    assert run.values.get().value == Decimal("825") and run.properties.get().value == Decimal("301")


def test_blank_grid_rows_are_skipped(login, engineer, revision):
    url = reverse("quality:run-grid", args=[revision.pk])
    rows = [{"coil_number": "W1", "produced_on": "2025-03-18", "RED": 76}, {"produced_on": "2025-03-18"}]
    assert login(engineer).post(url, grid_data(revision, rows)).status_code == 302
    assert PlanRun.objects.count() == 1


def test_the_excel_upload_takes_the_same_columns(login, engineer, revision):
    client = login(engineer)
    template = client.get(reverse("quality:run-template", args=[revision.pk]))
    header = [c.value for c in load_workbook(BytesIO(b"".join(template.streaming_content))).active[1]]
    assert header[-4:] == ["性能/抗拉强度 Rm", "性能/塑性应变比 r90", "表面等级", "判定结果"]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    values = {"卷号": "E1", "生产日期": datetime.date(2025, 3, 18), "生产线": "连退", "连退/均热温度": 822}
    values |= {"性能/抗拉强度 Rm": 305, "表面等级": "FD", "判定结果": "合格"}
    sheet.append([values.get(h) for h in header])
    out = BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("runs.xlsx", out.getvalue())
    response = client.post(reverse("quality:run-upload", args=[revision.pk]), {"file": upload})
    assert response.status_code == 302
    run = PlanRun.objects.get()
    assert run.result == "qualified" and run.surface_grade.code == "FD"
    assert run.properties.get().value == Decimal("305")


def test_a_property_the_demand_does_not_require_is_refused(login, engineer, revision):
    book = Workbook()
    sheet = book.active
    sheet.append(["卷号", "生产日期", "生产线", "性能/A80"])
    sheet.append(["E2", datetime.date(2025, 3, 18), "连退", 38])
    out = BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("runs.xlsx", out.getvalue())
    response = login(engineer).post(reverse("quality:run-upload", args=[revision.pk]), {"file": upload})
    assert "客户需求中没有这项性能要求。" in response.content.decode()
    assert not PlanRun.objects.exists()


@pytest.mark.django_db
def test_objections_naming_any_of_many_coils_are_those_whose_coils_overlap(alices_customer):
    """`naming_any` looks each coil up on its own; it finds what `coil_numbers && coils` finds."""
    from quality.models import Objection

    named = [
        make_objection(alices_customer, coil_numbers=coils)
        for coils in (["C001", "C002"], ["C003"], ["C002", "C009"], [])
    ]
    coils = ["C002", "C003", "C404"] + [f"X{i:03d}" for i in range(200)]
    found = set(Objection.objects.naming_any(coils))
    assert found == set(Objection.objects.filter(coil_numbers__overlap=coils)) == set(named[:3])
    assert list(Objection.objects.naming_any(["C404"])) == []
    assert list(Objection.objects.naming_any([])) == []
