"""`get_<field>_display()` of the archive's records gives what Django's own gives."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from archive_site.models import VersionedModel


def fields_with_choices():
    for model in apps.get_models():
        if issubclass(model, VersionedModel):
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_choice_and_a_value_outside_them_read_as_djangos_display(language):
    checked = 0
    with translation.override(language):
        for model, field in fields_with_choices():
            record = model()
            for value in [*(choice for choice, _label in field.flatchoices), "unknown", None]:
                setattr(record, field.attname, value)
                ours = getattr(record, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(record, field), (model, field.name, value)
                assert type(ours) is str or ours is None
                checked += 1
    assert checked > 100  # the severities, statuses, kinds… of every module
