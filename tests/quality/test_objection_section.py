"""The customer archive page shows the customer's objections and sensitivity table; home and navigation."""

import pytest
from django.urls import reverse

from tests import sections
from tests.factories import make_objection

pytestmark = pytest.mark.django_db


def customer_page(client, customer):
    response = client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_customer_page_shows_sensitivity_table_and_recent_objections(login, quality, alices_customer):
    o = make_objection(alices_customer, "ROLL_MARK", 3, description="周期性辊印")
    page = customer_page(login(quality), alices_customer)
    assert "质量异议与敏感缺陷" in page
    assert o.number in page and "周期性辊印" in page
    judgement = (
        f"{reverse('quality:judgement')}?customer={alices_customer.code}&amp;defect=ROLL_MARK&amp;severity=3"
    )
    assert judgement in page  # each count of the table asks the judgement check


def render_section(user, customer):
    return sections.render_section("customer", "quality/objection_section.html", user, customer)


def test_section_is_empty_for_users_without_the_permission(alices_customer):
    from tests.factories import make_user

    assert "质量异议" not in render_section(make_user("plain"), alices_customer)


@pytest.mark.parametrize("rows", [1, 25])
def test_section_runs_a_constant_number_of_queries(quality, alices_customer, django_assert_num_queries, rows):
    for i in range(rows):
        make_objection(alices_customer, ["SCRATCH", "RUST", "DENT"][i % 3], i % 4 + 1)
    render_section(quality, alices_customer)  # permissions cached on the user
    # the sensitivity groups, the ten latest objections
    with django_assert_num_queries(2):
        html = render_section(quality, alices_customer)
    assert html.count('class="severity') == min(rows, 10)


def test_home_page_offers_the_judgement_check(login, engineer):
    page = login(engineer).get(reverse("home")).content.decode()
    assert 'id="home-judgement"' in page
    assert f'action="{reverse("quality:judgement")}"' in page
    assert 'id="nav-judgement"' in page and 'id="nav-objections"' in page


def test_home_page_hides_it_without_the_permission(login):
    from tests.factories import make_user

    page = login(make_user("plain")).get(reverse("home")).content.decode()
    assert "home-judgement" not in page and "nav-objections" not in page
