"""Charts of counts have whole-number ticks: no "0.2 次" on the axis of one objection."""

import re

import pytest
from django.urls import reverse

from archive_site.lib.charts import MUTED, bar_chart
from tests.factories import make_customer, make_objection

AXIS_LABEL = re.compile(rf'text-anchor="end" fill="{MUTED}">([^<]*)</text>')


def axis(svg, unit="次"):
    """The left axis's labels, without the unit written above them."""
    return [label for label in AXIS_LABEL.findall(svg) if label != unit]


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 7, 9, 13, 37, 101, 1234])
def test_a_count_chart_has_whole_ticks_up_to_at_least_its_largest_bar(top):
    ticks = axis(bar_chart([("一月", top), ("二月", 0)], title="次数", unit="次"))
    assert ticks[0] == "0"
    assert all(re.fullmatch(r"[\d,]+", t) for t in ticks), ticks
    values = [int(t.replace(",", "")) for t in ticks]
    assert values == sorted(values) and values[-1] >= top and len(values) <= 5


def test_a_measure_chart_keeps_fractional_ticks():
    assert "0.2" in axis(bar_chart([("一月", 0.8)], title="吨数", unit="t"), unit="t")


@pytest.mark.django_db
def test_the_statistics_of_one_objection_count_in_whole_objections(login, admin_user):
    make_objection(make_customer(code="C0001", name="北汽福田"))
    html = login(admin_user).get(reverse("quality:objection-stats")).content.decode()
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    counted = [svg for svg in charts if "次" in svg]
    assert counted
    for svg in counted:
        assert axis(svg) == ["0", "1"], axis(svg)
