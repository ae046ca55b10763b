"""Roles belong to the administrators: what they set survives deploys; releases only add."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from archive_site.accounts import roles
from tests.factories import make_user

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


# The roles page (账户管理 → 角色与权限).


def matrix_form(client, pk=None):
    from tests.test_permission_matrix import form_values

    url = reverse("role-edit", args=[pk]) if pk else reverse("role-create")
    response = client.get(url)
    assert response.status_code == 200
    return url, response.content.decode(), form_values(response.content.decode())


def test_an_administrator_takes_a_permission_from_a_role_and_it_survives_migrate(login, admin_user, alice):
    sales = Group.objects.get(name=roles.SALES)
    client = login(admin_user)
    url, page, data = matrix_form(client, sales.pk)
    delete_customer = str(perm("customers.delete_customer").pk)
    assert delete_customer in data["permissions"]
    data["permissions"] = [p for p in data["permissions"] if p != delete_customer]

    assert client.post(url, data).status_code == 302
    call_command("migrate", verbosity=0)

    assert "customers.delete_customer" not in names(sales)
    assert not get_user_model().objects.get(pk=alice.pk).has_perm("customers.delete_customer")
    assert "customers.change_customer" in names(sales)  # the others stay as they were


def test_the_matrix_speaks_the_apps_words(login, admin_user):
    _url, page, _data = matrix_form(login(admin_user), Group.objects.get(name=roles.QUALITY).pk)
    for words in ("客户", "质量异议", "工艺控制方案", "查看", "新建", "修改", "删除", "审批", "打印", "导出",
                  "导出联系人", "可以查看所有客户", "可以处理质量异议（可被指派为处理人）"):  # fmt: skip
        assert words in page
    assert "view_customer" not in page and "Can view" not in page


def test_an_administrator_makes_a_department_that_reads_automotive_customers(login, admin_user, alice):
    from customers.models import Customer
    from tests.factories import make_customer

    client = login(admin_user)
    url, _page, data = matrix_form(client)
    data["name"] = "技术研究院"
    data["permissions"] = [str(perm("customers.view_customer").pk), str(perm("quality.view_objection").pk)]
    assert client.post(url, data).status_code == 302
    institute = Group.objects.get(name="技术研究院")
    assert names(institute) == {"customers.view_customer", "quality.view_objection"}

    researcher = make_user("researcher", "技术研究院")
    car_maker = make_customer(code="C0100", name="某汽车公司", sales_owner=alice)
    car_maker.shared_with_groups.add(institute)
    make_customer(code="C0101", name="某家电公司", sales_owner=alice)
    assert list(Customer.objects.visible_to(researcher)) == [car_maker]
    assert login(researcher).get(reverse("customers:customer-detail", args=[car_maker.pk])).status_code == 200


def test_a_role_changed_since_the_page_was_opened_is_not_saved_over(login, admin_user):
    engineers = Group.objects.get(name=roles.ENGINEER)
    client = login(admin_user)
    url, _page, data = matrix_form(client, engineers.pk)
    engineers.permissions.add(perm("customers.merge_customer"))  # another administrator's change
    before = names(engineers)
    data["permissions"] = []

    response = client.post(url, data)

    assert response.status_code == 302 and response.url == url
    assert names(engineers) == before


def test_a_role_name_in_use_is_refused(login, admin_user):
    client = login(admin_user)
    url, _page, data = matrix_form(client)
    data["name"] = "浏览"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "已有名为“浏览”的角色。" in response.content.decode()
    assert Group.objects.filter(name="浏览").count() == 1


def test_the_administrators_role_is_shown_whole_and_cannot_be_changed_or_deleted(login, admin_user):
    admins = Group.objects.get(name=roles.ADMIN)
    client = login(admin_user)
    page = client.get(reverse("role-edit", args=[admins.pk])).content.decode()
    assert 'id="role-fixed"' in page and "role-delete" not in page
    assert client.post(reverse("role-edit", args=[admins.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("role-delete", args=[admins.pk])).status_code == 403
    assert admins.permissions.count() == Permission.objects.count()


def test_deleting_a_role_asks_first_and_names_its_accounts(login, admin_user, viewer):
    viewers = Group.objects.get(name=roles.VIEWER)
    client = login(admin_user)
    page = client.get(reverse("role-delete", args=[viewers.pk])).content.decode()
    assert "viewer" in page and "确认删除" in page
    assert Group.objects.filter(pk=viewers.pk).exists()  # the GET deleted nothing

    assert client.post(reverse("role-delete", args=[viewers.pk])).status_code == 302
    assert not Group.objects.filter(pk=viewers.pk).exists()
    assert not get_user_model().objects.get(pk=viewer.pk).has_perm("customers.view_customer")


def test_an_administrator_cannot_take_account_management_from_their_only_role(login, admin_user):
    helpers = Group.objects.create(name="账户助理")
    helpers.permissions.add(perm("archive_site.manage_accounts"))
    manager = make_user("manager", "账户助理")
    client = login(manager)
    url, _page, data = matrix_form(client, helpers.pk)
    data["permissions"] = []
    response = client.post(url, data)
    assert response.status_code == 200
    assert "您将失去账户管理权限" in response.content.decode()
    assert client.post(reverse("role-delete", args=[helpers.pk])).status_code == 302
    assert Group.objects.filter(pk=helpers.pk).exists()


def test_the_roles_page_lists_every_role_in_few_queries(login, admin_user, django_assert_max_num_queries):
    Group.objects.create(name="技术研究院")
    client = login(admin_user)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("role-list")).content.decode()
    assert "技术研究院" in page and "质量人员" in page


def test_the_matrix_page_runs_a_constant_number_of_queries(login, admin_user, django_assert_max_num_queries):
    client = login(admin_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("role-edit", args=[Group.objects.get(name=roles.SALES).pk]))
