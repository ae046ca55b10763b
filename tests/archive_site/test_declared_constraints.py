"""Every index and constraint a model of the archive declares is in the migrated database: a
migration written by hand (one that drops indexes without Django's own operations) cannot take
away a rule the models still state, such as one approved revision per plan."""

import pytest
from django.db import connection

from tests.archive_site.schema import project_models

pytestmark = pytest.mark.django_db


def test_every_index_and_constraint_the_models_declare_is_in_the_database():
    declared = 0
    with connection.cursor() as cursor:
        for model in project_models():
            meta = model._meta
            present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            names = [c.name for c in meta.constraints] + [i.name for i in meta.indexes]
            declared += len(names)
            assert [name for name in names if name not in present] == [], meta.label
    assert declared >= 60
