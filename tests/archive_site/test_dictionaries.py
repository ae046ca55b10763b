import pytest
from django.urls import reverse

from archive_site.models import DictEntry, DictKind
from customers.forms import CustomerForm
from tests.factories import entry, make_customer, make_user

pytestmark = pytest.mark.django_db

SURFACE = DictKind.SURFACE_QUALITY
CATEGORY = DictKind.CUSTOMER_CATEGORY


def list_url(kind=SURFACE):
    return reverse("dictionary-list", args=[kind])


def make_entry(kind=SURFACE, code="FX", name="测试面", **fields):
    return DictEntry.objects.create(kind=kind, code=code, name=name, **fields)


def codes(kind=SURFACE):
    return list(DictEntry.objects.of(kind).order_by("sort_order", "code").values_list("code", flat=True))


def change_pages(e):
    return [
        reverse("dictionary-create", args=[e.kind]),
        reverse("dictionary-edit", args=[e.pk]),
        reverse("dictionary-delete", args=[e.pk]),
    ]


def post_pages(e):
    return [
        reverse(name, args=[e.pk])
        for name in ["dictionary-up", "dictionary-down", "dictionary-deactivate", "dictionary-reactivate"]
    ] + [reverse("dictionary-delete", args=[e.pk])]


# Who may open what


def test_admin_opens_every_dictionary_page(login, admin_user):
    e = make_entry()
    client = login(admin_user)
    assert client.get(reverse("dictionary-list")).status_code == 200
    for kind in DictKind.values:
        assert client.get(list_url(kind)).status_code == 200, kind
    for url in change_pages(e):
        assert client.get(url).status_code == 200, url


def test_every_role_may_read_the_dictionaries(login, alice, engineer, quality, viewer):
    for user in [alice, engineer, quality, viewer]:
        assert login(user).get(list_url()).status_code == 200


def test_user_without_a_role_cannot_read_the_dictionaries(login):
    client = login(make_user("norole"))
    assert client.get(reverse("dictionary-list")).status_code == 403
    assert client.get(list_url()).status_code == 403


@pytest.mark.parametrize("role_user", ["alice", "engineer", "quality", "viewer"])
def test_non_admin_cannot_change_dictionaries(request, login, role_user):
    e = make_entry()
    client = login(request.getfixturevalue(role_user))
    for url in change_pages(e):
        assert client.get(url).status_code == 403, url
    for url in post_pages(e):
        assert client.post(url, {"code": "ZZ", "name": "改"}).status_code == 403, url
    e.refresh_from_db()
    assert (e.code, e.name, e.is_active) == ("FX", "测试面", True)


def test_non_admin_sees_no_change_buttons(login, viewer):
    body = login(viewer).get(list_url()).content.decode()
    assert "编辑" not in body
    assert "停用" not in body.replace("已停用", "")


def test_unknown_kind_is_not_found(login, admin_user):
    assert login(admin_user).get(list_url("no_such_kind")).status_code == 404


# The list


def test_list_shows_one_kind_and_counts_every_kind(login, admin_user):
    response = login(admin_user).get(list_url(SURFACE))
    assert [e.code for e in response.context["entries"]] == codes(SURFACE)
    tabs = {kind: count for kind, _label, count in response.context["tabs"]}
    assert set(tabs) == set(DictKind.values)
    assert tabs[SURFACE] == DictEntry.objects.of(SURFACE).count()
    assert tabs[CATEGORY] == DictEntry.objects.of(CATEGORY).count()


@pytest.mark.parametrize("rows", [3, 60])
def test_list_runs_a_constant_number_of_queries(login, admin_user, django_assert_num_queries, rows):
    for i in range(rows):
        make_entry(code=f"X{i:03d}", name=f"测试{i}")
    client = login(admin_user)
    # session, user, savepoint + release (ATOMIC_REQUESTS), permissions, counts per kind, entries
    with django_assert_num_queries(7):
        response = client.get(list_url())
    assert response.status_code == 200


def test_html_in_a_name_is_shown_escaped(login, admin_user):
    make_entry(name="<script>alert('x')</script>")
    body = login(admin_user).get(list_url()).content.decode()
    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


# Add and edit


def test_admin_adds_an_entry_at_the_end_of_its_kind(login, admin_user):
    data = {"code": "FE", "name": "特殊表面", "name_en": "Special surface", "is_active": "on"}
    response = login(admin_user).post(reverse("dictionary-create", args=[SURFACE]), data)
    assert response.status_code == 302
    assert response.url == list_url(SURFACE)
    added = DictEntry.objects.get(kind=SURFACE, code="FE")
    assert (added.name, added.name_en, added.is_active) == ("特殊表面", "Special surface", True)
    assert codes(SURFACE)[-1] == "FE"


@pytest.mark.parametrize(
    ("code", "message"), [("FB", "代码“FB”在“表面质量”中已被使用"), ("fb", "代码“fb”在“表面质量”中已被使用")]
)
def test_duplicate_code_in_a_kind_is_refused(login, admin_user, code, message):
    before = DictEntry.objects.count()
    response = login(admin_user).post(
        reverse("dictionary-create", args=[SURFACE]), {"code": code, "name": "新名称"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DictEntry.objects.count() == before


def test_duplicate_name_in_a_kind_is_refused(login, admin_user):
    fb = entry(SURFACE, "FB")
    response = login(admin_user).post(
        reverse("dictionary-create", args=[SURFACE]), {"code": "NEW", "name": fb.name}
    )
    assert response.status_code == 200
    assert "已存在" in str(response.context["form"].errors["name"])
    assert not DictEntry.objects.filter(kind=SURFACE, code="NEW").exists()


def test_same_code_is_allowed_in_another_kind(login, admin_user):
    response = login(admin_user).post(
        reverse("dictionary-create", args=[DictKind.PACKAGING]), {"code": "FB", "name": "新包装"}
    )
    assert response.status_code == 302
    assert DictEntry.objects.filter(kind=DictKind.PACKAGING, code="FB").exists()


def test_admin_edits_an_entry_but_not_its_kind(login, admin_user):
    e = make_entry()
    data = {"code": "FX", "name": "测试面2", "name_en": "Test", "is_active": "on", "kind": DictKind.PACKAGING}
    data["version"] = e.version
    response = login(admin_user).post(reverse("dictionary-edit", args=[e.pk]), data)
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.kind, e.name, e.name_en) == (SURFACE, "测试面2", "Test")


def test_editing_an_entry_keeps_its_own_code_and_name(login, admin_user):
    e = make_entry()
    response = login(admin_user).post(
        reverse("dictionary-edit", args=[e.pk]), {"code": "FX", "name": "测试面", "version": e.version}
    )
    assert response.status_code == 302


def test_editing_to_a_siblings_code_is_refused(login, admin_user):
    e = make_entry()
    response = login(admin_user).post(
        reverse("dictionary-edit", args=[e.pk]), {"code": "FC", "name": "测试面", "version": e.version}
    )
    assert response.status_code == 200
    e.refresh_from_db()
    assert e.code == "FX"


# Reorder


def test_move_up_and_down_swap_with_the_neighbour(login, admin_user):
    client = login(admin_user)
    before = codes(SURFACE)
    second = entry(SURFACE, before[1])
    assert client.post(reverse("dictionary-up", args=[second.pk])).status_code == 302
    assert codes(SURFACE) == [before[1], before[0], *before[2:]]
    client.post(reverse("dictionary-down", args=[second.pk]))
    assert codes(SURFACE) == before


def test_moving_the_first_entry_up_changes_nothing(login, admin_user):
    before = codes(SURFACE)
    login(admin_user).post(reverse("dictionary-up", args=[entry(SURFACE, before[0]).pk]))
    assert codes(SURFACE) == before


def test_move_works_when_entries_share_a_sort_order(login, admin_user):
    DictEntry.objects.of(DictKind.WELDING).update(sort_order=0)
    before = codes(DictKind.WELDING)
    login(admin_user).post(reverse("dictionary-down", args=[entry(DictKind.WELDING, before[0]).pk]))
    assert codes(DictKind.WELDING) == [before[1], before[0], *before[2:]]


def test_move_needs_post(login, admin_user):
    before = codes(SURFACE)
    response = login(admin_user).get(reverse("dictionary-down", args=[entry(SURFACE, before[0]).pk]))
    assert response.status_code == 405
    assert codes(SURFACE) == before


# Deactivate


def test_deactivated_entry_is_no_longer_offered_but_a_holder_can_still_be_saved(login, admin_user):
    special = entry(CATEGORY, "SPECIAL")
    holder = make_customer(category=special)
    response = login(admin_user).post(
        reverse("dictionary-deactivate", args=[special.pk]), {"version": special.version}
    )
    assert response.status_code == 302
    special.refresh_from_db()
    assert not special.is_active

    assert special not in CustomerForm(user=admin_user).fields["category"].queryset
    form = CustomerForm(
        {
            "code": holder.code,
            "name": holder.name,
            "category": special.pk,
            "status": holder.status,
            "version": holder.version,
        },
        instance=holder,
        user=admin_user,
    )
    assert special in form.fields["category"].queryset
    assert form.is_valid(), form.errors
    form.save()

    response = login(admin_user).post(
        reverse("dictionary-reactivate", args=[special.pk]), {"version": special.version}
    )
    special.refresh_from_db()
    assert special.is_active
    assert special in CustomerForm(user=admin_user).fields["category"].queryset


def test_new_customer_cannot_pick_a_deactivated_entry(admin_user):
    special = entry(CATEGORY, "SPECIAL")
    special.is_active = False
    special.save()
    form = CustomerForm(
        {"code": "C1", "name": "新客户", "category": special.pk, "status": "active"}, user=admin_user
    )
    assert not form.is_valid()
    assert "category" in form.errors


# Delete


def test_entry_in_use_cannot_be_deleted(login, admin_user):
    auto = entry(CATEGORY, "AUTO")
    make_customer(category=auto)
    response = login(admin_user).post(reverse("dictionary-delete", args=[auto.pk]))
    assert response.status_code == 200
    assert "正被其他记录使用，不能删除，只能停用" in response.content.decode()
    assert DictEntry.objects.filter(pk=auto.pk).exists()


def test_unused_entry_is_deleted_after_confirmation(login, admin_user):
    e = make_entry()
    client = login(admin_user)
    response = client.get(reverse("dictionary-delete", args=[e.pk]))
    assert "确认删除" in response.content.decode()
    assert DictEntry.objects.filter(pk=e.pk).exists()

    response = client.post(reverse("dictionary-delete", args=[e.pk]))
    assert response.status_code == 302
    assert not DictEntry.objects.filter(pk=e.pk).exists()
