"""Registering, editing and moving an objection through its statuses; refusals."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from quality.models import Objection, ObjectionCounter, ObjectionTransition, StaleStatus, TransitionRefused
from tests.factories import entry, make_customer, make_objection, make_user

pytestmark = pytest.mark.django_db

CREATE = reverse("quality:objection-create")


def detail(o):
    return reverse("quality:objection-detail", args=[o.pk])


def transition(o):
    return reverse("quality:objection-transition", args=[o.pk])


def form_data(for_customer, **overrides):
    data = {
        "kind": "objection",
        "customer": for_customer.code,
        "received_date": "2026-04-10",
        "defect_type": entry("defect_type", "ROLL_MARK").pk,
        "severity": 3,
        "tonnage": "25.3",
        "claim_amount": "18000",
        "coil_numbers": "A2601234, a2601235\nA2601234",
        "description": "周期性辊印，间距 1.2 m",
    }
    data.update(overrides)
    return data


def with_measures(o):
    o.cause = "平整机工作辊表面粘附异物"
    o.solution = "更换工作辊，封锁同批次钢卷"
    o.preventive = "增加换辊前辊面检查"
    o.save()
    return o


def test_quality_registers_an_objection_with_a_year_number(login, quality, alices_customer):
    response = login(quality).post(CREATE, form_data(alices_customer))
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(objection)
    assert objection.number == "ZY-2026-0001"
    assert objection.status == Objection.Status.REGISTERED
    assert objection.coil_numbers == ["A2601234", "A2601235"]  # upper-cased, duplicates dropped
    assert objection.created_by == quality


def test_a_customer_can_be_given_by_exact_name(login, quality, alices_customer):
    login(quality).post(CREATE, form_data(alices_customer, customer=alices_customer.name))
    assert Objection.objects.get().customer == alices_customer


def test_missing_mandatory_fields_are_refused_and_no_number_is_drawn(login, quality, alices_customer):
    response = login(quality).post(
        CREATE, form_data(alices_customer, description="", defect_type="", customer="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"description", "defect_type", "customer"}
    assert not Objection.objects.exists()
    assert not ObjectionCounter.objects.exists()


def test_a_customer_outside_the_users_scope_cannot_be_chosen(login, alices_customer, bob):
    bob.user_permissions.add(*_perms("add_objection"))
    response = login(bob).post(CREATE, form_data(alices_customer))
    assert "找不到客户" in str(response.context["form"].errors["customer"])
    assert not Objection.objects.exists()


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="quality", codename__in=codenames)


def test_the_form_is_prefilled_from_a_customer_link(login, quality, alices_customer):
    response = login(quality).get(CREATE, {"customer": alices_customer.code})
    assert response.context["form"]["customer"].value() == alices_customer.code


def test_demand_must_belong_to_the_objections_customer(login, quality, alices_customer, bobs_customer):
    from customers.models import Demand

    other = Demand.objects.create(customer=bobs_customer, name="别人的需求", thickness="1.0", width="1250")
    response = login(quality).post(CREATE, form_data(alices_customer, demand=other.pk))
    assert "demand" in response.context["form"].errors
    assert not Objection.objects.exists()


def test_viewer_cannot_register_and_sales_only_for_its_own_customers(login, viewer, alice, bobs_customer):
    assert login(viewer).post(CREATE, form_data(bobs_customer)).status_code == 403
    # Customer service hears of objections first: it registers them, for its own customers only.
    response = login(alice).post(CREATE, form_data(bobs_customer))
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    assert not Objection.objects.exists()


def test_engineer_reads_but_cannot_edit(login, engineer, alices_customer):
    o = make_objection(alices_customer)
    assert login(engineer).get(detail(o)).status_code == 200
    assert login(engineer).get(reverse("quality:objection-edit", args=[o.pk])).status_code == 403
    assert (
        login(engineer).post(transition(o), {"to_status": "investigating", "version": 1}).status_code == 403
    )


def test_alice_reads_her_customers_objection_and_bob_gets_404(login, alice, bob, alices_customer):
    o = make_objection(alices_customer)
    assert login(alice).get(detail(o)).status_code == 200
    assert login(bob).get(detail(o)).status_code == 404


def test_moving_through_every_status_to_closed_records_who_and_when(login, quality, alices_customer):
    o = make_objection(alices_customer, received_date=datetime.date(2026, 4, 1))
    client = login(quality)
    client.post(transition(o), {"to_status": "investigating", "note": "已派人到客户现场", "version": 1})
    with_measures(Objection.objects.get(pk=o.pk))
    client.post(transition(o), {"to_status": "measures_taken", "version": 2})
    response = client.post(transition(o), {"to_status": "closed", "closed_date": "2026-05-20", "version": 3})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == Objection.Status.CLOSED
    assert str(o.closed_date) == "2026-05-20"
    log = list(o.transitions.values_list("from_status", "to_status", "by__username", "note"))
    assert log == [
        ("registered", "investigating", "quality", "已派人到客户现场"),
        ("investigating", "measures_taken", "quality", ""),
        ("measures_taken", "closed", "quality", ""),
    ]
    page = client.get(detail(o)).content.decode()
    assert "已派人到客户现场" in page and "张质" in page


def test_closing_without_cause_solution_and_preventive_measures_is_refused(login, quality, alices_customer):
    o = make_objection(alices_customer, status=Objection.Status.MEASURES_TAKEN, cause="辊面异物")
    response = login(quality).post(transition(o), {"to_status": "closed", "version": o.version}, follow=True)
    assert "关闭前必须填写：解决措施、预防措施" in response.content.decode()
    o.refresh_from_db()
    assert o.status == Objection.Status.MEASURES_TAKEN and o.closed_date is None
    assert not o.transitions.exists()


def test_skipping_a_status_is_refused(quality, alices_customer):
    o = with_measures(make_objection(alices_customer))
    with pytest.raises(TransitionRefused, match="不能从"):
        o.close(by=quality)


def test_a_closed_objection_can_be_reopened_for_investigation(quality, alices_customer):
    o = with_measures(make_objection(alices_customer))
    o.transition("investigating", by=quality)
    o.transition("measures_taken", by=quality)
    o.close(by=quality)
    o.transition("investigating", by=quality, note="客户再次反馈")
    o.refresh_from_db()
    assert o.status == "investigating" and o.closed_date is None


def test_a_status_change_from_a_stale_page_is_refused(login, quality, alices_customer):
    o = make_objection(alices_customer)
    colleague = make_user("colleague", "质量人员")
    # Both opened the page at version 1; the colleague moves it first.
    login(colleague).post(transition(o), {"to_status": "investigating", "version": 1})
    response = login(quality).post(transition(o), {"to_status": "investigating", "version": 1}, follow=True)
    assert "他人已修改了这条异议（当前状态：调查中）" in response.content.decode()
    assert o.transitions.count() == 1


def test_an_edit_from_a_stale_form_is_refused(login, quality, alices_customer):
    o = make_objection(alices_customer)
    o.transition("investigating", by=quality)  # version 2 now
    data = form_data(alices_customer, version=1, description="旧页面的修改")
    response = login(quality).post(reverse("quality:objection-edit", args=[o.pk]), data)
    assert "他人已保存了这条记录" in str(response.context["form"].non_field_errors())
    o.refresh_from_db()
    assert o.description != "旧页面的修改"


def test_editing_keeps_the_customer_and_number(login, quality, alices_customer, bobs_customer):
    o = make_objection(alices_customer)
    data = form_data(bobs_customer, version=o.version, description="补充：卷尾更明显")
    response = login(quality).post(reverse("quality:objection-edit", args=[o.pk]), data)
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.customer == alices_customer and o.description == "补充：卷尾更明显"
    assert o.number == "ZY-2026-0001" or o.number.startswith("ZY-")


@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_lose_no_update():
    """Two inspectors press the button at the same moment: one wins, the other is told."""
    quality = make_user("q1", "质量人员")
    other = make_user("q2", "质量人员")
    o = make_objection(make_customer())
    start = threading.Barrier(2)
    outcomes = []

    def press(user, note):
        try:
            start.wait(5)
            with transaction.atomic():
                Objection.objects.get(pk=o.pk).transition(
                    "investigating", by=user, note=note, expected_version=1
                )
            outcomes.append("ok")
        except StaleStatus:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=args) for args in ((quality, "甲"), (other, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(outcomes) == ["ok", "stale"]
    assert ObjectionTransition.objects.filter(objection=o).count() == 1
    assert Objection.objects.get(pk=o.pk).version == 2


@pytest.mark.parametrize("photos", [0, 6])
def test_detail_runs_a_constant_number_of_queries(
    login, quality, alices_customer, django_assert_num_queries, photos
):
    o = with_measures(make_objection(alices_customer, coil_numbers=["A1", "A2"]))
    o.transition("investigating", by=quality)
    o.transition("measures_taken", by=quality)
    from tests.quality.test_photos import jpeg

    client = login(quality)
    if photos:
        client.post(reverse("quality:photo-upload", args=[o.pk]), {"photos": [jpeg() for _ in range(photos)]})
    # session, user, savepoint + release, permissions, objection, its dictionary entries (and
    # its customer's), photos, history events and the rows they name that the page has not
    # loaded (users), the deadline rules and its status log for its steps' due dates,
    # transitions, runs of the coils, the decisions it grounded, the alerts it
    # gave similar customers, the access log entry; its assignments and the handlers offered
    # to reassign it; its files and its discussion; and the objection's fetch joining its
    # records in written order, then the setting put back
    with django_assert_num_queries(23):
        response = client.get(detail(o))
    assert response.status_code == 200
