"""Every list's text filter matches as the archive's search does (`search.substring_q`): a term
without cased letters by LIKE, with the column's statistics in sight of the planner, never by
Django's UPPER(column) LIKE UPPER(term)."""

import importlib
import pkgutil
from pathlib import Path

import django_filters
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from archive_site.search import SubstringFilter
from customers.models import Demand
from tests.factories import make_customer, make_demand


def project_filtersets():
    """Every FilterSet defined in the project's apps (their `filters` modules and packages)."""
    root = Path(settings.BASE_DIR).resolve()
    ours = [c for c in apps.get_app_configs() if root in Path(c.path).resolve().parents]
    for config in ours:
        for module in pkgutil.walk_packages([config.path], f"{config.name}."):
            if "filters" in module.name.split("."):
                importlib.import_module(module.name)
    found, todo = [], [django_filters.FilterSet]
    while todo:
        subclasses = todo.pop().__subclasses__()
        todo += subclasses
        found += [f for f in subclasses if f.__module__.startswith(tuple(f"{c.name}." for c in ours))]
    return found


def test_no_list_filters_text_by_icontains():
    filtersets = project_filtersets()
    assert len(filtersets) >= 10
    substring = []
    for filterset in filtersets:
        for name, f in filterset.base_filters.items():
            lookup = str(getattr(f, "lookup_expr", ""))
            assert "contains" not in lookup, f"{filterset.__name__}.{name}: {lookup}"
            if isinstance(f, SubstringFilter):
                substring.append(f"{filterset.__name__}.{name}")
    assert {"CustomerFilter.region", "DemandFilter.name", "OrderFilter.q", "UserFilter.q"} <= set(substring)


@pytest.mark.django_db
def test_the_demand_list_filtered_by_name_matches_chinese_and_either_case(login, quality):
    customer = make_customer()
    door = make_demand(customer, name="左前车门外板 DC04")
    make_demand(customer, name="顶盖")
    client = login(quality)
    for term in ("车门", "dc04", "DC04", " 车门 "):
        page = client.get(reverse("customers:demand-list"), {"name": term}).context["page_obj"]
        assert [d.pk for d in page] == [door.pk], term
    assert Demand.objects.count() == 2
