"""The lists' filter forms read a select's choices in one plain query."""

import importlib
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_filters.fields import ModelChoiceIterator

from archive_site.filters import DictionaryFilter, ListedChoiceField
from archive_site.models import DictEntry, DictKind
from quality.filters.objections import ObjectionFilter

ROOT = Path(settings.BASE_DIR)


def project_filtersets():
    """Every FilterSet of the project's apps, their `filters` modules imported."""
    for path in [*ROOT.glob("*/filters.py"), *ROOT.glob("*/*/filters.py"), *ROOT.glob("*/filters/*.py")]:
        if path.parts[len(ROOT.parts)] not in (".venv", "tests", "bench"):
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found, todo = [], [django_filters.FilterSet]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if not subclass.__module__.startswith("django_filters"):
                found.append(subclass)
    return found


def test_every_model_select_of_every_list_filter_reads_its_choices_in_a_plain_query():
    filtersets = project_filtersets()
    selects = {
        (filterset.__name__, name): f.field_class
        for filterset in filtersets
        for name, f in filterset.base_filters.items()
        if issubclass(f.field_class, forms.ModelChoiceField)
    }
    assert len(filtersets) >= 10 and len(selects) >= 20  # customers, demands, objections, parts…
    assert [select for select, field in selects.items() if not issubclass(field, ListedChoiceField)] == []


@pytest.mark.django_db
def test_the_choices_are_django_filters_own_in_one_query_without_a_cursor(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    form = ObjectionFilter({}, queryset=ObjectionFilter._meta.model.objects.all(), request=request).form
    for name in ("handler",):
        field = form.fields[name]
        with CaptureQueriesContext(connection) as queries:
            ours = [(str(value), label) for value, label in field.choices]
        assert len(queries) == 1 and "DECLARE" not in queries[0]["sql"], name
        theirs = [(str(value), label) for value, label in ModelChoiceIterator(field)]
        assert ours == theirs and len(ours) > 1, name


def test_every_dictionary_select_of_every_list_filter_is_read_with_the_others_of_its_form():
    selects = [
        (filterset.__name__, name, type(f).__name__)
        for filterset in project_filtersets()
        for name, f in filterset.base_filters.items()
        if issubclass(f.field_class, forms.ModelChoiceField)
        and not callable(f.extra.get("queryset"))
        and f.extra["queryset"].model is DictEntry
    ]
    assert len(selects) >= 15
    assert [s for s in selects if s[2] != DictionaryFilter.__name__] == []


@pytest.mark.django_db
def test_a_forms_dictionary_selects_are_read_in_one_query_offering_what_each_kind_holds(admin_user):
    """Every filter form with dictionary selects: all of them drawn after one query, each
    offering its kind's entries (retired ones too) in the dictionary's order, as Django's own
    iterator over the select's queryset offers them."""
    request = RequestFactory().get("/")
    request.user = admin_user
    DictEntry.objects.filter(pk=DictEntry.objects.order_by("pk").values("pk")[:1]).update(is_active=False)
    checked = 0
    for filterset in project_filtersets():
        names = [n for n, f in filterset.base_filters.items() if isinstance(f, DictionaryFilter)]
        if not names:
            continue
        form = filterset({}, queryset=filterset._meta.model.objects.all(), request=request).form
        with CaptureQueriesContext(connection) as queries:
            ours = {name: [(str(v), label) for v, label in form.fields[name].choices] for name in names}
        assert len(queries) == 1, filterset.__name__
        for name in names:
            theirs = [(str(v), label) for v, label in ModelChoiceIterator(form.fields[name])]
            assert ours[name] == theirs and len(ours[name]) > 1, (filterset.__name__, name)
            checked += 1
    assert checked >= 15
    # Outside a filter set, a dictionary select reads its own kind's entries.
    alone = ObjectionFilter.base_filters["defect_type"].field
    expected = [str(e.pk) for e in DictEntry.objects.of(DictKind.DEFECT_TYPE)]
    assert [str(value) for value, _label in alone.choices][1:] == expected
