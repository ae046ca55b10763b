"""Accounts and dictionary entries refuse a stale edit, as archive records do.

Two administrators: one opens a form (or a list with buttons), the other changes the same
record meanwhile; the first one's submission is refused with a message and changes nothing.
"""

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive_site.accounts import roles
from archive_site.accounts.forms import UserCreateForm
from archive_site.forms import STALE_EDIT, VersionedModelForm
from archive_site.models import DictEntry, DictKind
from quality.forms.objections import CommentForm
from tests.factories import make_user
from tests.imports.helpers import messages, run, xlsx
from tests.test_permission_matrix import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_admins(admin_user):
    other = make_user("admin2", roles.ADMIN, name="另一位管理员")
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(other)
    return first, second


def page_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.content.decode())


def refused(response):
    return str(STALE_EDIT) in response.content.decode()


def test_account_form_opened_before_a_deactivation_does_not_reactivate_the_account(two_admins, alice):
    first, second = two_admins
    stale = page_form(first, reverse("user-edit", args=[alice.pk]))
    assert stale["is_active"] == "on" and "version" in stale
    second.post(reverse("user-deactivate", args=[alice.pk]), {"version": alice.version})
    alice.refresh_from_db()
    assert not alice.is_active

    stale["name"] = "王丽改"
    response = first.post(reverse("user-edit", args=[alice.pk]), stale, follow=True)
    assert refused(response)
    alice.refresh_from_db()
    assert not alice.is_active and alice.name == "王丽"


def test_account_form_opened_before_a_role_was_removed_does_not_grant_it_again(two_admins, alice):
    first, second = two_admins
    alice.groups.add(Group.objects.get(name=roles.QUALITY))
    stale = page_form(first, reverse("user-edit", args=[alice.pk]))
    fresh = page_form(second, reverse("user-edit", args=[alice.pk]))
    fresh["groups"] = [str(Group.objects.get(name=roles.SALES).pk)]  # the quality role removed
    assert second.post(reverse("user-edit", args=[alice.pk]), fresh).status_code == 302

    stale["email"] = "wang@example.com"
    response = first.post(reverse("user-edit", args=[alice.pk]), stale, follow=True)
    assert refused(response)
    assert sorted(alice.groups.values_list("name", flat=True)) == [roles.SALES]
    alice.refresh_from_db()
    assert alice.email == ""


def test_deactivate_button_of_a_page_opened_before_a_change_is_refused(two_admins, alice):
    first, second = two_admins
    shown = alice.version  # the list page's button carries it
    fresh = page_form(second, reverse("user-edit", args=[alice.pk]))
    fresh["name"] = "王丽丽"
    second.post(reverse("user-edit", args=[alice.pk]), fresh)

    response = first.post(reverse("user-deactivate", args=[alice.pk]), {"version": shown}, follow=True)
    assert refused(response)
    alice.refresh_from_db()
    assert alice.is_active


def test_account_buttons_on_the_pages_send_the_accounts_version(two_admins, alice):
    first, _second = two_admins
    for url in (reverse("user-list"), reverse("user-edit", args=[alice.pk])):
        html = first.get(url).content.decode()
        button = html[html.index(reverse("user-deactivate", args=[alice.pk])) :]
        assert f'name="version" value="{alice.version}"' in button[:400]


def entry():
    return DictEntry.objects.create(kind=DictKind.DEFECT_TYPE, code="ZZ1", name="测试缺陷", sort_order=999)


def test_stale_dictionary_form_does_not_overwrite_a_newer_change(two_admins):
    first, second = two_admins
    e = entry()
    url = reverse("dictionary-edit", args=[e.pk])
    stale = page_form(first, url)
    fresh = page_form(second, url)
    fresh["name_en"] = "Test defect"
    assert second.post(url, fresh).status_code == 302

    stale["name"] = "改过的测试缺陷"
    response = first.post(url, stale, follow=True)
    assert refused(response)
    e.refresh_from_db()
    assert (e.name, e.name_en) == ("测试缺陷", "Test defect")


def test_dictionary_button_of_a_list_opened_before_a_change_is_refused(two_admins):
    first, second = two_admins
    e = entry()
    html = first.get(reverse("dictionary-list", args=[e.kind])).content.decode()
    button = html[html.index(reverse("dictionary-deactivate", args=[e.pk])) :]
    assert f'name="version" value="{e.version}"' in button[:400]
    fresh = page_form(second, reverse("dictionary-edit", args=[e.pk]))
    fresh["is_active"] = ""  # deactivated through its form
    second.post(reverse("dictionary-edit", args=[e.pk]), {k: v for k, v in fresh.items() if v})
    e.refresh_from_db()
    assert not e.is_active

    response = first.post(reverse("dictionary-reactivate", args=[e.pk]), {"version": 1}, follow=True)
    assert refused(response)
    e.refresh_from_db()
    assert not e.is_active


def test_a_dictionary_import_makes_an_open_form_stale(two_admins, admin_user):
    first, _second = two_admins
    e = entry()
    url = reverse("dictionary-edit", args=[e.pk])
    stale = page_form(first, url)
    rows = [["类别", "代码", "中文名称", "英文名称"], ["缺陷类型", "ZZ1", "测试缺陷", "Imported"]]
    result = run(admin_user, xlsx({"基础数据": rows}), "基础数据.xlsx", "dictionaries")
    assert messages(result) == [] and result.counts()["update"] == 1

    stale["name"] = "改过的测试缺陷"
    assert refused(first.post(url, stale, follow=True))
    e.refresh_from_db()
    assert (e.name, e.name_en, e.version) == ("测试缺陷", "Imported", 2)


PROJECT_PACKAGES = ("archive_site", "customers", "quality", "products", "printing", "imports")


def project_model_forms():
    """Every ModelForm class the project defines, its modules imported."""
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if "form" in module.name.rsplit(".", 1)[-1]:
                importlib.import_module(module.name)
    found, todo = set(), [forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.add(sub)
    return found


def test_every_form_that_edits_a_record_checks_its_version():
    """One stale-edit check for every editable record: no model form bypasses it."""
    create_only = {UserCreateForm, CommentForm}  # make a record, never edit one
    unchecked = {
        f"{form.__module__}.{form.__name__}"
        for form in project_model_forms() - create_only
        if not issubclass(form, VersionedModelForm)
    }
    assert len(project_model_forms()) > 10
    assert unchecked == set()
