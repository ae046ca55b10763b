"""Numbers read as people write them, on pages, printed sheets and exports alike."""

from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.lib.numbers import dimensions, plain, span, tolerance
from tests.factories import entry, make_demand, make_objection, make_part, make_plan


@pytest.mark.parametrize(
    "value, places, text",
    [
        (Decimal("120.000"), None, "120"),
        (Decimal("1500.0"), None, "1500"),
        (Decimal("1.5E+3"), None, "1500"),
        (Decimal("1E+1"), None, "10"),
        (Decimal("0.800"), None, "0.8"),
        (Decimal("0.0015"), None, "0.0015"),
        (Decimal("1E-7"), None, "0.0000001"),
        (Decimal("-0.000"), None, "0"),
        (Decimal("0E-10"), None, "0"),
        (7, None, "7"),
        (0.1 + 0.2, None, "0.30000000000000004"),
        (0.1 + 0.2, 3, "0.3"),
        (1e-05, None, "0.00001"),
        (2.5e20, None, "250000000000000000000"),
        (Decimal("825.00049"), 3, "825"),
        (Decimal("12.5"), 3, "12.5"),
        (Decimal("0.0005"), 3, "0.001"),
        (None, None, ""),
        ("", None, ""),
    ],
)
def test_plain_numbers_have_no_exponent_and_no_trailing_zeros(value, places, text):
    assert plain(value, places) == text


def test_ranges_tolerances_and_sizes_use_the_same_numbers():
    assert span(Decimal("0.0200"), Decimal("0.050"), "%") == "0.02–0.05 %"
    assert span(Decimal("270.000"), None, "MPa") == "≥ 270 MPa"
    assert span(None, Decimal("0.4000"), "μm") == "≤ 0.4 μm"
    assert span(None, None, "MPa") == ""
    assert tolerance(Decimal("0.030"), Decimal("0.050")) == "（−0.03/+0.05）"
    assert tolerance(None, Decimal("5.0")) == "（—/+5）"
    assert dimensions(Decimal("0.800"), Decimal("1.5E+3"), None) == "0.8×1500"


def test_objection_page_writes_the_size_without_exponent(alices_customer, login, alice):
    objection = make_objection(alices_customer, thickness=Decimal("0.8"), width=Decimal("1.5E+3"))

    page = login(alice).get(objection.get_absolute_url()).content.decode()

    assert "0.8×1500 mm" in page
    assert "E+" not in page


def test_demand_page_prints_roughness_once_and_numbers_without_trailing_zeros(alices_customer, login, alice):
    demand = make_demand(
        alices_customer,
        thickness=Decimal("0.800"),
        width=Decimal("1500.0"),
        thickness_tol_minus=Decimal("0.030"),
        thickness_tol_plus=Decimal("0.030"),
        roughness=entry("roughness", "R2"),
        ra_min=Decimal("0.90"),
        ra_max=Decimal("1.30"),
        properties=[("Rm", Decimal("120.000"), Decimal("350.000"), "MPa")],
    )

    page = login(alice).get(demand.get_absolute_url()).content.decode()

    assert "<dd>Ra 0.9–1.3 μm</dd>" in page  # the class says the range: not repeated
    assert "0.90" not in page and "1.30" not in page
    assert "0.8（−0.03/+0.03）" in page
    assert "0.8×1500" in page
    assert "120.000" not in page and ">120<" in page


def test_a_narrower_ra_than_the_class_says_both_once(alices_customer):
    demand = make_demand(
        alices_customer, roughness=entry("roughness", "R2"), ra_min=Decimal("1.00"), ra_max=Decimal("1.20")
    )
    assert demand.roughness_requirement == "Ra 0.9–1.3 μm（Ra 1–1.2 μm）"


def test_part_and_plan_pages_write_weights_and_ranges_plainly(alices_customer, login, alice, engineer):
    part = make_part(
        alices_customer,
        blank_thickness=Decimal("0.800"),
        blank_width=Decimal("1500.0"),
        blank_length=Decimal("1600.0"),
        gross_weight=Decimal("12.500"),
    )
    revision = make_plan(
        alices_customer,
        approved_by=engineer,
        thickness_min=Decimal("0.600"),
        parameters=[("CAL", "SOAK_T", 820, 810, 830, "℃")],
    )
    client = login(alice)

    part_page = client.get(part.get_absolute_url()).content.decode()
    plan_page = client.get(reverse("quality:plan-detail", args=[revision.plan.pk])).content.decode()

    assert "0.8×1500×1600 mm" in part_page
    assert "12.5 kg" in part_page and "12.500" not in part_page
    assert "0.6–1" in plan_page and "0.600" not in plan_page
