"""The judgement check: has this customer objected to this defect at this severity or milder?"""

import datetime

import pytest
from django.urls import reverse

from archive_site.models import DictKind
from quality.models import Objection, Severity
from tests.factories import entry, make_customer, make_demand, make_objection, make_part

pytestmark = pytest.mark.django_db

PAGE = reverse("quality:judgement")
API = reverse("quality:judgement-api")


def ask(client, customer, defect="SCRATCH", severity=2):
    return client.get(PAGE, {"customer": customer.code, "defect": defect, "severity": severity})


def api(client, customer, defect="SCRATCH", severity=2):
    return client.get(API, {"customer": customer.code, "defect": defect, "severity": severity})


def test_severities_are_ordered_from_mild_to_severe():
    assert Severity.MINOR < Severity.GENERAL < Severity.SERIOUS < Severity.CRITICAL
    assert [s.label for s in Severity] == ["轻微", "一般", "严重", "重大"]


def test_a_milder_objection_means_do_not_judge_qualified(login, engineer, alices_customer):
    make_objection(alices_customer, "SCRATCH", Severity.MINOR, received_date=datetime.date(2025, 6, 1))
    make_objection(alices_customer, "SCRATCH", Severity.GENERAL, received_date=datetime.date(2026, 3, 2))
    response = ask(login(engineer), alices_customer, severity=Severity.GENERAL)
    answer = response.context["answer"]
    assert not answer.may_judge_qualified
    assert answer.count == 2 and answer.last_received == datetime.date(2026, 3, 2)
    page = response.content.decode()
    assert "不得判定为合格" in page
    assert "曾 2 次对程度为“一般”或更轻的“划伤”提出质量异议或抱怨，最近一次受理于 2026-03-02" in page
    assert "改判为现货或协议品" in page


def test_a_harsher_objection_alone_does_not_block(login, engineer, alices_customer):
    make_objection(alices_customer, "SCRATCH", Severity.SERIOUS, received_date=datetime.date(2026, 1, 9))
    answer = ask(login(engineer), alices_customer, severity=Severity.GENERAL).context["answer"]
    assert answer.may_judge_qualified and answer.count == 0
    assert answer.harsher_count == 1
    assert "但曾 1 次对更严重的“划伤”提出异议" in str(answer.message)


def test_the_same_severity_counts(login, engineer, alices_customer):
    make_objection(alices_customer, "SCRATCH", Severity.SERIOUS)
    assert ask(login(engineer), alices_customer, severity=Severity.SERIOUS).context["answer"].count == 1


def test_other_defects_and_other_customers_do_not_count(login, engineer, alices_customer):
    make_objection(alices_customer, "ROLL_MARK", Severity.MINOR)
    make_objection(make_customer(), "SCRATCH", Severity.MINOR)
    answer = ask(login(engineer), alices_customer, severity=Severity.CRITICAL).context["answer"]
    assert answer.may_judge_qualified and answer.count == 0 and answer.harsher_count == 0
    assert "从未对“划伤”提出过质量异议或抱怨" in str(answer.message)


def test_complaints_and_closed_objections_count_too(login, engineer, quality, alices_customer):
    make_objection(alices_customer, "SCRATCH", Severity.MINOR, kind=Objection.Kind.COMPLAINT)
    make_objection(
        alices_customer,
        "SCRATCH",
        Severity.MINOR,
        received_date=datetime.date(2025, 12, 1),  # closed after it was received
        status="closed",
        closed_date=datetime.date(2026, 1, 1),
    )
    assert ask(login(engineer), alices_customer).context["answer"].count == 2


def test_the_matching_objections_are_shown_newest_first_with_their_photos(login, quality, alices_customer):
    from tests.quality.test_photos import jpeg

    old = make_objection(alices_customer, "SCRATCH", 1, received_date=datetime.date(2025, 1, 1))
    new = make_objection(alices_customer, "SCRATCH", 2, received_date=datetime.date(2026, 1, 1))
    client = login(quality)
    client.post(reverse("quality:photo-upload", args=[new.pk]), {"photos": [jpeg()], "caption": "划伤照片"})
    response = ask(client, alices_customer)
    assert response.context["answer"].matches == [new, old]
    photo = new.photos.get()
    assert reverse("quality:photo", args=[photo.pk, "thumb"]) in response.content.decode()


def test_the_api_gives_the_same_answer_as_json(login, engineer, alices_customer):
    o = make_objection(alices_customer, "SCRATCH", 1, received_date=datetime.date(2026, 3, 2), tonnage="3.5")
    response = api(login(engineer), alices_customer, severity=2)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["customer"] == {"code": "C0005", "name": alices_customer.name}
    assert data["defect"] == {"code": "SCRATCH", "name": "划伤"}
    assert data["severity"] == {"value": 2, "label": "一般"}
    assert data["may_judge_qualified"] is False and data["verdict"] == "not_acceptable"
    assert data["count"] == 1 and data["last_received"] == "2026-03-02"
    assert "不得判定为合格" in data["conclusion"]
    assert data["objections"][0]["number"] == o.number
    assert data["objections"][0]["url"].endswith(o.get_absolute_url())
    assert data["objections"][0]["tonnage"] == "3.500"


def test_the_api_explains_bad_input(login, engineer, alices_customer):
    response = login(engineer).get(API, {"customer": alices_customer.code, "defect": "NOPE", "severity": 9})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"defect", "severity"}
    assert "严重程度应为 1（轻微）到 4（重大）" in errors["severity"][0]


def test_the_api_answers_404_for_a_customer_outside_the_users_scope(login, bob, alices_customer):
    make_objection(alices_customer)
    response = api(login(bob), alices_customer)
    assert response.status_code == 404
    assert "customer" in response.json()["errors"]


def test_the_api_answers_401_without_a_login(client, alices_customer):
    response = api(client, alices_customer)
    assert response.status_code == 401
    assert response.json() == {"error": "需要登录。"}


def test_the_page_is_refused_without_permission(login):
    from tests.factories import make_user

    assert login(make_user("nobody")).get(PAGE).status_code == 403
    assert login(make_user("nobody2")).get(API).status_code == 403


def test_bob_cannot_ask_about_alices_customer(login, bob, alices_customer):
    make_objection(alices_customer)
    response = ask(login(bob), alices_customer)
    assert response.context["answer"] is None
    assert "找不到客户" in response.content.decode()


def test_a_partial_name_offers_the_matching_customers(login, engineer, alices_customer, bobs_customer):
    response = login(engineer).get(PAGE, {"customer": "海尔", "defect": "SCRATCH", "severity": 2})
    assert list(response.context["candidates"]) == [alices_customer]


def test_viewer_can_run_the_check(login, viewer, alices_customer):
    # Viewers see only customers shared with them; share this one.
    alices_customer.shared_with.add(viewer)
    assert ask(login(viewer), alices_customer).status_code == 200


@pytest.mark.parametrize("matches", [1, 12])
def test_the_check_runs_a_constant_number_of_queries(
    login, engineer, alices_customer, django_assert_num_queries, matches
):
    # Objections naming their part, demand and grade: the answer shows the part and the grade,
    # and reads nothing of the demands when the question does not name the coil's product.
    demand = make_demand(alices_customer, production_grade=entry(DictKind.PRODUCTION_GRADE, "DC04"))
    part = make_part(alices_customer, name="侧围外板", demand=demand)
    for _ in range(matches):
        make_objection(
            alices_customer, "SCRATCH", 1, part=part, demand=demand, production_grade=demand.production_grade
        )
    entry("defect_type", "SCRATCH")
    client = login(engineer)
    # session, user, savepoint + release, permissions, customer, defect type,
    # the aggregate, the matching objections (with their parts and grades), their photos,
    # the alerts from similar customers; the page also lists the defect types, grades,
    # surface qualities and end uses, and the customer's demands and parts, for its form
    with django_assert_num_queries(17):
        response = ask(client, alices_customer)
    assert response.context["answer"].count == matches
    assert response.content.decode().count("侧围外板 · DC04") == min(matches, 10)
    with django_assert_num_queries(11):
        assert api(client, alices_customer).status_code == 200
