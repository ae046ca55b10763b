"""A posted row count beyond a formset's maximum is refused before any row is built.

Django builds up to max_num + 1000 rows for a tampered TOTAL_FORMS and draws them all
again with its error: seconds of a worker's time for one request. Every formset of the
apps is bounded (`archive_site.forms.BoundedRows`), and the pages with rows show the
refusal with no row drawn.
"""

import pytest
from django.forms import BaseFormSet
from django.urls import get_resolver, reverse

from archive_site.forms import BoundedRows
from customers.models import Demand
from tests.customers.test_demand_views import demand_post
from tests.quality.test_run_outcomes import (
    grid_data,
    revision,  # noqa: F401  (the fixture)
)

HUGE = str(10**30)


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_formset_of_the_apps_is_bounded():
    assert get_resolver().url_patterns  # imports every view, so every form module
    ours = {cls for cls in subclasses(BaseFormSet) if not cls.__module__.startswith(("django.", "tests."))}
    assert ours, "no formset found: the walk would pass on nothing"
    assert {cls.__qualname__ for cls in ours if not issubclass(cls, BoundedRows)} == set()


@pytest.mark.django_db
def test_a_huge_row_count_on_the_run_grid_is_refused_with_no_row_drawn(login, engineer, revision):  # noqa: F811
    data = grid_data(revision, [{"coil_number": "H1", "produced_on": "2025-03-18", "RED": 75}])
    data["coils-TOTAL_FORMS"] = HUGE
    response = login(engineer).post(reverse("quality:run-grid", args=[revision.pk]), data)
    assert response.status_code == 200
    grid = response.context["grid"]
    assert grid.forms == [] and grid.non_form_errors() == ["最多 100 行。"]
    assert 'name="coils-0-coil_number"' not in response.content.decode()


@pytest.mark.django_db
def test_a_huge_row_count_on_the_demand_form_is_refused_and_nothing_is_saved(login, alice, alices_customer):
    data = demand_post(alices_customer, elements=[("C", "0.01", "0.05")])
    data["elements-TOTAL_FORMS"] = HUGE
    response = login(alice).post(reverse("customers:demand-create"), data)
    assert response.status_code == 200 and not Demand.objects.exists()
    assert 'name="elements-0-element"' not in response.content.decode()
    assert "最多 40 行。" in response.content.decode()
