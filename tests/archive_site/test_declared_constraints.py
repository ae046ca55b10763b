"""Every index and constraint a model of the archive declares is in the migrated database: a
migration written by hand (one that drops indexes without Django's own operations) cannot take
away a rule the models still state, such as one approved revision per plan."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_every_index_and_constraint_the_models_declare_is_in_the_database():
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).parent == Path(settings.BASE_DIR)}
    declared = missing = 0
    with connection.cursor() as cursor:
        for model in apps.get_models():
            meta = model._meta
            if meta.app_label not in ours or not meta.managed or meta.auto_created:
                continue
            present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            names = [c.name for c in meta.constraints] + [i.name for i in meta.indexes]
            declared += len(names)
            gone = [name for name in names if name not in present]
            assert gone == [], meta.label
            missing += len(gone)
    assert declared >= 60 and missing == 0
