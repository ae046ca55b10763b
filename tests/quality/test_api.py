"""The JSON API for the mill's process computers: token authentication, runs posted idempotently,
the judgement question asked with a token; each token acts as its user."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from archive_site.accounts import roles
from archive_site.models import ApiToken
from quality.models import PlanRun, RunProperty, RunValue
from tests.factories import make_demand, make_objection, make_plan, make_user

pytestmark = pytest.mark.django_db

RUNS = reverse("quality:runs-api")
JUDGEMENT = reverse("quality:judgement-api")
PARAMS = [("PLTCM", "RED", 75, 70, 80, "%"), ("CAL", "SOAK_T", 820, 800, 840, "℃")]


@pytest.fixture
def revision(alices_customer, engineer):
    demand = make_demand(alices_customer, properties=[("Rm", 270, 350, "MPa")])
    return make_plan(alices_customer, demand, PARAMS, approved_by=engineer, code="GK-2025-018")


def token_for(user, name="连退过程计算机"):
    _token, key = ApiToken.issue(user, name, by=None)
    return key


def post(client, key, body):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(RUNS, json.dumps(body), content_type="application/json", headers=headers)


RUN = {
    "plan": "GK-2025-018",
    "coil": "H25031801",
    "line": "CAL",
    "produced_on": "2025-03-18",
    "parameters": {"SOAK_T": 828},
    "properties": {"Rm": 305},
    "surface_grade": "FD",
    "result": "qualified",
}


def test_a_posted_run_is_recorded_with_its_properties_and_outcome(client, engineer, revision):
    response = post(client, token_for(engineer), {"runs": [RUN]})
    assert response.status_code == 201, response.content
    (answer,) = response.json()["runs"]
    run = PlanRun.objects.get()
    assert answer == {
        "run": 0,
        "id": run.pk,
        "plan": "GK-2025-018",
        "revision": 1,
        "coil": "H25031801",
        "line": "CAL",
        "status": "created",
    }
    assert run.values.get().value == Decimal("828") and run.properties.get().value == Decimal("305")
    assert run.result == "qualified" and run.surface_grade.code == "FD" and run.created_by == engineer


def test_a_repeated_post_does_not_duplicate(client, engineer, revision):
    key = token_for(engineer)
    assert post(client, key, RUN).status_code == 201
    again = post(client, key, RUN)
    assert again.status_code == 200 and again.json()["runs"][0]["status"] == "unchanged"
    assert PlanRun.objects.count() == 1 and RunValue.objects.count() == 1 and RunProperty.objects.count() == 1
    changed = post(client, key, RUN | {"parameters": {"SOAK_T": 831}})
    assert changed.status_code == 200 and changed.json()["runs"][0]["status"] == "updated"
    assert PlanRun.objects.count() == 1 and RunValue.objects.get().value == Decimal("831")


def test_several_runs_of_several_lines_at_once(client, engineer, revision):
    pltcm = RUN | {
        "line": "PLTCM",
        "parameters": {"RED": 76},
        "properties": {},
        "result": "",
        "surface_grade": "",
    }
    response = post(client, token_for(engineer), {"runs": [pltcm, RUN]})
    assert response.status_code == 201
    assert sorted(PlanRun.objects.values_list("line__code", flat=True)) == ["CAL", "PLTCM"]


def test_the_rules_are_the_imports_and_nothing_is_written_on_an_error(client, engineer, revision):
    bad = RUN | {"coil": "H2", "parameters": {"SOAK_T": 828, "RED": 75}}  # RED is set for PLTCM, not CAL
    response = post(client, token_for(engineer), {"runs": [RUN, bad]})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error == {"run": 1, "field": "连退/冷轧压下率", "message": "方案版本中没有这个工艺参数。"}
    assert not PlanRun.objects.exists()


def test_unknown_plans_and_plans_out_of_scope_look_the_same(client, bob, revision):
    # bob may record runs, but sees only his own customers, not alice's
    bob.user_permissions.add(*Permission.objects.filter(codename__in=["add_planrun", "change_planrun"]))
    response = post(client, token_for(bob), RUN)
    assert response.status_code == 400
    assert "找不到方案“GK-2025-018”" in response.json()["errors"][0]["message"]
    assert not PlanRun.objects.exists()


def test_a_token_without_the_permission_is_refused(client, viewer, revision):
    response = post(client, token_for(viewer), RUN)
    assert response.status_code == 403 and not PlanRun.objects.exists()


def test_posting_needs_a_token(client, engineer, revision):
    client.force_login(engineer)  # a browser session is not enough to write
    response = post(client, None, RUN)
    assert response.status_code == 401 and "Bearer" in response.json()["error"]
    assert not PlanRun.objects.exists()


def test_revoked_tokens_and_tokens_of_deactivated_users_stop_working(client, engineer, revision):
    token, key = ApiToken.issue(engineer, "连退", by=None)
    token.revoke(by=None)
    assert post(client, key, RUN).status_code == 401
    other = make_user(role=roles.ENGINEER)
    key = token_for(other)
    other.is_active = False
    other.save()
    assert post(client, key, RUN).status_code == 401
    assert post(client, "arc_made-up", RUN).status_code == 401
    assert not PlanRun.objects.exists()


def test_bad_bodies_are_explained(client, engineer, revision):
    key = token_for(engineer)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.post(RUNS, "{oops", content_type="application/json", headers=headers).status_code == 400
    assert post(client, key, {"runs": []}).status_code == 400
    assert post(client, key, RUN | {"parameters": [1, 2]}).status_code == 400
    assert client.get(RUNS, headers=headers).status_code == 405


def test_the_judgement_question_with_a_token_answers_as_its_user(client, bob, quality, alices_customer):
    make_objection(alices_customer, "SCRATCH", 1)
    query = {"customer": alices_customer.code, "defect": "SCRATCH", "severity": 2}
    answer = client.get(JUDGEMENT, query, headers={"Authorization": f"Bearer {token_for(quality)}"})
    assert answer.status_code == 200 and answer.json()["verdict"] == "not_acceptable"
    outside = client.get(JUDGEMENT, query, headers={"Authorization": f"Bearer {token_for(bob)}"})
    assert outside.status_code == 404  # bob's token sees only bob's customers
    assert client.get(JUDGEMENT, query, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_use_of_a_token_is_noted(client, engineer, revision):
    token, key = ApiToken.issue(engineer, "连退", by=None)
    post(client, key, RUN)
    token.refresh_from_db()
    assert token.last_used_at is not None
