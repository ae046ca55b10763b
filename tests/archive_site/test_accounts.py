import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive_site.accounts import roles
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
LIST = reverse("user-list")
CREATE = reverse("user-create")
NEW_PASSWORD = "Steel-Coil-Reset-77"


def role_pk(name):
    return Group.objects.get(name=name).pk


def account_pages(user):
    return [
        LIST,
        CREATE,
        reverse("user-edit", args=[user.pk]),
        reverse("user-password-reset", args=[user.pk]),
    ]


def test_admin_opens_every_account_page(login, admin_user, alice):
    client = login(admin_user)
    for url in account_pages(alice):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role_user", ["alice", "engineer", "quality", "viewer"])
def test_non_admin_is_refused_every_account_page(request, login, role_user, admin_user):
    client = login(request.getfixturevalue(role_user))
    for url in account_pages(admin_user):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x", "username": "x"}).status_code == 403, url


def test_non_admin_cannot_deactivate_or_reset_anyone(login, alice, bob):
    client = login(alice)
    assert client.post(reverse("user-deactivate", args=[bob.pk])).status_code == 403
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(reverse("user-password-reset", args=[bob.pk]), data).status_code == 403
    bob.refresh_from_db()
    assert bob.is_active
    assert bob.check_password(PASSWORD)


def test_user_list_shows_roles_and_filters_by_role_and_status(login, admin_user, alice, engineer):
    retired = make_user("retired", roles.SALES, is_active=False)
    client = login(admin_user)
    response = client.get(LIST)
    assert set(response.context["page_obj"]) == {admin_user, alice, engineer, retired}
    assert roles.SALES in response.content.decode()

    response = client.get(LIST, {"role": role_pk(roles.SALES)})
    assert set(response.context["page_obj"]) == {alice, retired}
    response = client.get(LIST, {"role": role_pk(roles.SALES), "status": "active"})
    assert list(response.context["page_obj"]) == [alice]
    response = client.get(LIST, {"status": "inactive"})
    assert list(response.context["page_obj"]) == [retired]
    response = client.get(LIST, {"q": "王丽"})
    assert list(response.context["page_obj"]) == [alice]


@pytest.mark.parametrize("rows", [3, 60])
def test_user_list_runs_a_constant_number_of_queries(login, admin_user, django_assert_num_queries, rows):
    for _ in range(rows):
        make_user(role=roles.SALES)
    client = login(admin_user)
    # session, user, savepoint + release (ATOMIC_REQUESTS), permissions, count,
    # role choices of the filter, the page of users, their roles
    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert response.status_code == 200


def test_admin_creates_user_with_roles_who_can_then_log_in(login, admin_user, client):
    data = {
        "username": "zhanggong",
        "name": "张工",
        "email": "zhang@example.com",
        "groups": [role_pk(roles.ENGINEER), role_pk(roles.QUALITY)],
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = login(admin_user).post(CREATE, data)
    assert response.status_code == 302
    user = User.objects.get(username="zhanggong")
    assert user.name == "张工"
    assert {g.name for g in user.groups.all()} == {roles.ENGINEER, roles.QUALITY}
    assert user.has_perm("customers.view_all_customers")
    assert not user.has_perm("archive_site.manage_accounts")

    client.logout()
    response = client.post(reverse("login"), {"username": "zhanggong", "password": NEW_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("password1", "password2", "code"),
    [
        ("Abc-1", "Abc-1", "password_too_short"),
        ("password123", "password123", "password_too_common"),
        ("Steel-Coil-Reset-77", "Steel-Coil-Reset-78", "password_mismatch"),
        ("zhanggong2024", "zhanggong2024", "password_too_similar"),
    ],
)
def test_create_user_applies_password_validators(login, admin_user, password1, password2, code):
    data = {"username": "zhanggong", "password1": password1, "password2": password2}
    response = login(admin_user).post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].has_error("password2", code)
    assert not User.objects.filter(username="zhanggong").exists()


def test_create_user_refuses_duplicate_username_ignoring_case(login, admin_user, alice):
    data = {"username": "ALICE", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = login(admin_user).post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="alice").count() == 1


def test_admin_edits_name_email_and_roles(login, admin_user, alice):
    data = {
        "name": "王丽丽",
        "email": "wang@example.com",
        "groups": [role_pk(roles.VIEWER)],
        "is_active": "on",
        "version": alice.version,
    }
    response = login(admin_user).post(reverse("user-edit", args=[alice.pk]), data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.name, alice.email) == ("王丽丽", "wang@example.com")
    assert [g.name for g in alice.groups.all()] == [roles.VIEWER]


def test_admin_cannot_remove_own_admin_role(login, admin_user):
    data = {"name": "管理员", "groups": [role_pk(roles.SALES)], "is_active": "on", "version": 1}
    response = login(admin_user).post(reverse("user-edit", args=[admin_user.pk]), data)
    assert response.status_code == 200
    assert "您不能移除自己的账户管理角色" in response.content.decode()
    assert [g.name for g in admin_user.groups.all()] == [roles.ADMIN]


def test_admin_cannot_deactivate_themselves(login, admin_user):
    client = login(admin_user)
    data = {"name": "管理员", "groups": [role_pk(roles.ADMIN)], "version": 1}  # is_active unticked
    response = client.post(reverse("user-edit", args=[admin_user.pk]), data)
    assert "您不能停用自己的账户" in response.content.decode()

    response = client.post(reverse("user-deactivate", args=[admin_user.pk]), {"version": 1}, follow=True)
    assert "您不能停用自己的账户" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deactivated_user_can_no_longer_log_in(login, admin_user, alice, client):
    response = login(admin_user).post(reverse("user-deactivate", args=[alice.pk]), {"version": alice.version})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active

    client.logout()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_deactivation_ends_the_users_open_session(admin_user, alice, client):
    alices_browser = Client()
    alices_browser.force_login(alice)
    assert alices_browser.get(reverse("home")).status_code == 200

    client.force_login(admin_user)
    client.post(reverse("user-deactivate", args=[alice.pk]), {"version": alice.version})

    response = alices_browser.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_deactivation_needs_post(login, admin_user, alice):
    response = login(admin_user).get(reverse("user-deactivate", args=[alice.pk]))
    assert response.status_code == 405
    alice.refresh_from_db()
    assert alice.is_active


def test_admin_reactivates_user(login, admin_user):
    retired = make_user("retired", roles.SALES, is_active=False)
    response = login(admin_user).post(reverse("user-reactivate", args=[retired.pk]), {"version": 1})
    assert response.status_code == 302
    retired.refresh_from_db()
    assert retired.is_active


def test_admin_resets_another_users_password(login, admin_user, alice, client):
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = login(admin_user).post(reverse("user-password-reset", args=[alice.pk]), data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_applies_validators(login, admin_user, alice):
    data = {"new_password1": "12345678", "new_password2": "12345678"}
    response = login(admin_user).post(reverse("user-password-reset", args=[alice.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2", "password_too_common")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_html_in_name_is_shown_escaped(login, admin_user):
    make_user("mallory", roles.VIEWER, name="<script>alert(1)</script>")
    body = login(admin_user).get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _permissions_as_django_reads_them(user):
    from django.contrib.auth.backends import ModelBackend

    return ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))


@pytest.mark.parametrize("role", [roles.ADMIN, roles.SALES, roles.ENGINEER, roles.QUALITY, roles.VIEWER])
def test_a_users_permissions_are_read_in_one_query_as_django_reads_them(role, django_assert_num_queries):
    """Every request of a user who is not a superuser reads his permissions: his own and his
    groups', which Django's model backend reads in two queries and the archive's in one."""
    from django.contrib.auth.models import Permission

    user = make_user(role=role)
    printing = Group.objects.create(name=f"{role} 加打印")
    printing.permissions.add(Permission.objects.get(codename="print_documents"))
    user.groups.add(printing)
    user.user_permissions.add(Permission.objects.get(codename="export_order"))
    expected = _permissions_as_django_reads_them(user)
    assert {"printing.print_documents", "orders.export_order"} <= expected
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert user.get_all_permissions() == expected
        assert user.has_perm("printing.print_documents") and user.has_perm("orders.export_order")
    # Inactive: none, as Django gives none.
    user = User.objects.get(pk=user.pk)
    user.is_active = False
    assert user.get_all_permissions() == set() and not user.has_perm("orders.export_order")


def test_a_superuser_holds_every_permission_as_with_django(admin_user):
    from django.contrib.auth.models import Permission

    assert admin_user.get_all_permissions() == _permissions_as_django_reads_them(admin_user)
    assert len(admin_user.get_all_permissions()) == Permission.objects.count()
