"""No table indexes the people who created, changed or confirmed its records: nothing reads a
record by them, and a user is never deleted; each index was written with every write."""

import pytest
from django.apps import apps
from django.urls import reverse

from archive_site.accounts import roles
from archive_site.models import ArchiveModel, User
from tests.archive_site.schema import leading_columns
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AUTHORS = ("created_by", "updated_by", "verified_by")


def test_no_record_table_indexes_its_authors_and_every_one_still_refers_to_its_users():
    models = [m for m in apps.get_models() if issubclass(m, ArchiveModel)]
    assert len(models) >= 20
    for model in models:
        authors = [f for f in model._meta.fields if f.name in AUTHORS]
        assert len(authors) >= 2, model.__name__
        indexed = leading_columns(model._meta.db_table)
        for field in authors:
            assert field.column not in indexed, (model.__name__, field.name)
            assert field.db_constraint and field.remote_field.model is User  # the reference stays


def test_a_user_is_not_deleted_on_the_admin_site(login):
    superuser = make_user("root", roles.ADMIN, is_superuser=True, is_staff=True)
    someone = make_user("someone", roles.SALES)
    url = reverse("admin:archive_site_user_delete", args=[someone.pk])
    assert login(superuser).post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=someone.pk).exists()
