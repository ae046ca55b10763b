"""Statistics of actual runs against values computed by hand."""

import math
from decimal import Decimal

import pytest

from quality.models import ParameterStats
from tests.factories import make_plan, make_run

pytestmark = pytest.mark.django_db

PARAMS = [
    ("CAL", "SOAK_T", 820, 800, 840, "℃"),
    ("CAL", "LINE_SPEED", 300, 250, None, "m/min"),
    ("PLTCM", "RED", 75, 70, 80, "%"),
]


def test_cpk_of_a_centred_process():
    # 700, 710, 720: mean 710, sample sd 10; limits 680–740 → Cpk = 30 / 30 = 1.
    s = ParameterStats(3, Decimal(710), 10.0, Decimal(700), Decimal(720))
    assert s.cpk(Decimal(680), Decimal(740)) == pytest.approx(1.0)


def test_cpk_takes_the_nearer_limit():
    # 1, 2, 3, 4: mean 2.5, sample sd √(5/3) = 1.29099; limits 0–6 → min(3.5, 2.5) / (3 × 1.29099) = 0.64550.
    s = ParameterStats(4, 2.5, math.sqrt(5 / 3), Decimal(1), Decimal(4))
    assert s.cpk(Decimal(0), Decimal(6)) == pytest.approx(0.645497, abs=1e-6)


def test_cpk_is_one_sided_with_one_limit_and_absent_without_spread():
    s = ParameterStats(4, 2.5, math.sqrt(5 / 3), Decimal(1), Decimal(4))
    assert s.cpk(Decimal(0), None) == pytest.approx(2.5 / (3 * math.sqrt(5 / 3)))
    assert s.cpk(None, None) is None
    assert ParameterStats(2, 5, 0.0, 5, 5).cpk(Decimal(0), Decimal(10)) is None
    assert ParameterStats(1, 5, None, 5, 5).cpk(Decimal(0), Decimal(10)) is None


def test_statistics_of_runs_match_hand_computation(engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    for day, (soak, speed) in enumerate([(810, 280), (820, 300), (836, 310), (842, 290)], start=1):
        make_run(revision, f"C{day}", day=day, SOAK_T=soak, LINE_SPEED=speed)
    make_run(revision, "C1", line="PLTCM", RED=74.5)

    stats = revision.statistics()
    soak = stats[revision.parameters.get(parameter__code="SOAK_T").pk]
    # 810, 820, 836, 842: mean 827; deviations −17, −7, 9, 15; Σd² = 289 + 49 + 81 + 225 = 644;
    # sd = √(644 / 3) = 14.6515; Cpk = min(840 − 827, 827 − 800) / (3 × 14.6515) = 13 / 43.9545 = 0.29576.
    assert soak.count == 4
    assert float(soak.mean) == pytest.approx(827)
    assert float(soak.sd) == pytest.approx(math.sqrt(644 / 3))
    assert (soak.min, soak.max) == (Decimal(810), Decimal(842))
    assert soak.cpk(Decimal(800), Decimal(840)) == pytest.approx(13 / (3 * math.sqrt(644 / 3)))
    assert soak.out == 1  # 842 > 840
    speed = stats[revision.parameters.get(parameter__code="LINE_SPEED").pk]
    assert speed.count == 4 and speed.out == 0  # no upper limit; all above 250
    red = stats[revision.parameters.get(parameter__code="RED").pk]
    assert red.count == 1 and red.cpk(Decimal(70), Decimal(80)) is None


def test_plan_page_shows_statistics_and_flags_out_of_limit_values(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    for day, soak in enumerate([810, 820, 845], start=1):
        make_run(revision, f"C{day}", day=day, SOAK_T=soak)
    page = login(engineer).get(revision.plan.get_absolute_url()).content.decode()
    # 810, 820, 845: mean 825, sd √((225 + 25 + 400) / 2) = 18.0278; Cpk = 15 / 54.083 = 0.28.
    soak = revision.parameters.get(parameter__code="SOAK_T")
    row = page[page.index(f'id="stats-{soak.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-stat="mean">825.000' in row
    assert 'data-stat="sd">18.028' in row
    assert 'data-stat="cpk">0.28' in row
    assert 'data-stat="out">1' in row
    assert page.count('data-out="1"') == 1
    assert "845 ↑" in page
    assert "<svg" in page and "chart-point out" in page


def test_run_chart_draws_limits_target_and_marks_values_out_of_limits():
    from archive_site.lib.charts import run_chart

    svg = run_chart(
        [Decimal("818"), Decimal("826"), Decimal("851.5")],
        title="连退 · 均热温度 <℃>",
        target=Decimal("830"),
        lower=Decimal("815"),
        upper=Decimal("845"),
        first="03-18",
        last="03-19",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'class="chart-upper"' in svg and 'class="chart-lower"' in svg and 'class="chart-target"' in svg
    assert svg.count('class="chart-point"') == 2 and svg.count('class="chart-point out"') == 1
    assert "<title>851.5</title>" in svg and "03-18" in svg and "03-19" in svg
    assert "&lt;℃&gt;" in svg and "<℃>" not in svg  # labels are escaped
    # The higher value is drawn higher (smaller y) than the lower ones.
    ys = [float(part.split('"')[0]) for part in svg.split('cy="')[1:]]
    assert ys[2] < ys[1] < ys[0]
    assert run_chart([], title="空") == ""
