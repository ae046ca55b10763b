"""Roles belong to the administrators: what they set survives deploys; releases only add."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from archive_site.accounts import roles

pytestmark = pytest.mark.django_db


def perm(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def names(group):
    held = group.permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in held}


def test_an_administrators_change_to_a_role_survives_migrate():
    sales = Group.objects.get(name=roles.SALES)
    sales.permissions.remove(perm("customers.delete_customer"))
    sales.permissions.add(perm("quality.change_objection"))
    before = names(sales)

    call_command("migrate", verbosity=0)

    assert names(Group.objects.get(name=roles.SALES)) == before
    assert "customers.delete_customer" not in before


def test_a_role_an_administrator_made_survives_migrate_and_a_removed_one_stays_removed():
    institute = Group.objects.create(name="技术研究院")
    institute.permissions.set([perm("customers.view_customer"), perm("quality.view_objection")])
    Group.objects.get(name=roles.VIEWER).delete()

    call_command("migrate", verbosity=0)

    kept = names(Group.objects.get(name="技术研究院"))
    assert kept == {"customers.view_customer", "quality.view_objection"}
    assert not Group.objects.filter(name=roles.VIEWER).exists()


def test_the_administrators_role_holds_every_permission_after_migrate():
    admins = Group.objects.get(name=roles.ADMIN)
    admins.permissions.remove(perm("customers.merge_customer"))

    call_command("migrate", verbosity=0)

    assert admins.permissions.count() == Permission.objects.count()


def test_a_release_adds_a_permission_to_a_built_in_role_and_takes_nothing_away():
    """printing 0004 gives quality staff printing, on top of what the administrators set."""
    migration = importlib.import_module("printing.migrations.0004_quality_staff_print")
    quality = Group.objects.get(name=roles.QUALITY)
    quality.permissions.remove(perm("printing.print_documents"), perm("quality.export_objection"))
    quality.permissions.add(perm("customers.verify_customer"))
    before = names(quality)

    migration.forwards(apps, None)

    assert names(quality) == before | {"printing.print_documents"}


def test_a_release_leaves_a_built_in_role_the_administrators_removed_removed():
    migration = importlib.import_module("printing.migrations.0004_quality_staff_print")
    Group.objects.get(name=roles.QUALITY).delete()

    migration.forwards(apps, None)

    assert not Group.objects.filter(name=roles.QUALITY).exists()


def test_a_new_database_gives_the_built_in_roles_their_permissions():
    for role, wanted in roles.ROLE_PERMISSIONS.items():
        if wanted != roles.ALL:
            assert names(Group.objects.get(name=role)) == set(wanted), role


def test_quality_staff_print_the_8d_report_of_an_objection(quality):
    assert quality.has_perm("printing.print_documents")
