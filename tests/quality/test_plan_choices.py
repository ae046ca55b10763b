"""A plan's parameter rows offer what fits: the parameters set on the row's line, in the unit the
dictionary gives them; the demand choice tells demands of the same name apart."""

from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.models import DictKind
from quality.forms.plans import ParameterForm, PlanForm
from quality.models import PlanParameter, ProcessPlan
from tests.factories import entry, make_demand, make_plan
from tests.quality.test_plan_workflow import PARAMS, plan_post
from tests.quality.test_rules import form_errors, imported

pytestmark = pytest.mark.django_db

PARAM_HEADERS = ["方案编号", "生产线", "工艺参数", "目标值", "下限", "上限", "单位"]
NOT_ON_LINE = "工艺参数“终轧温度”不在产线“镀锌”上设定"


def import_parameter(user, *row):
    return imported(user, "plans", "工艺参数", PARAM_HEADERS, list(row))


def test_the_seed_dictionaries_know_units_and_lines():
    finishing = entry(DictKind.PROCESS_PARAMETER, "FT")
    assert finishing.unit == "℃"
    assert [line.code for line in finishing.lines.all()] == ["PLTCM"]
    assert entry(DictKind.MECHANICAL_PROPERTY, "Rm").unit == "MPa"


def test_a_parameter_of_another_line_is_refused_alike_by_the_form_and_the_import(engineer, alices_customer):
    make_plan(alices_customer, code="GK-L01", parameters=PARAMS)
    galvanising, finishing = entry(DictKind.PRODUCTION_LINE, "CGL"), entry(DictKind.PROCESS_PARAMETER, "FT")
    form = ParameterForm(
        {"line": galvanising.pk, "parameter": finishing.pk, "target": "880", "lower": "860", "upper": "900"},
        user=engineer,
    )
    by_form = form_errors(form)
    by_import = imported(
        engineer, "plans", "工艺参数", PARAM_HEADERS, ["GK-L01", "镀锌", "终轧温度", 880, 860, 900, ""]
    )

    assert by_form == {"parameter": [by_form["parameter"][0]]}
    assert by_form["parameter"][0].startswith(NOT_ON_LINE)
    assert by_import == {"工艺参数": by_form["parameter"]}


def test_the_plan_form_refuses_a_parameter_of_another_line_and_saves_nothing(
    login, engineer, alices_customer
):
    data = plan_post(alices_customer, params=[("CGL", "FT", "880", "860", "900", "")])
    response = login(engineer).post(reverse("quality:plan-create"), data)
    assert response.status_code == 200
    assert NOT_ON_LINE in response.content.decode()
    assert not ProcessPlan.objects.exists()


def test_the_parameter_choices_carry_their_lines_and_units(login, engineer, alices_customer):
    page = login(engineer).get(reverse("quality:plan-create")).content.decode()
    pltcm = entry(DictKind.PRODUCTION_LINE, "PLTCM")
    finishing = entry(DictKind.PROCESS_PARAMETER, "FT")
    assert f'<option value="{finishing.pk}" data-lines="{pltcm.pk}">终轧温度 (℃)</option>' in page
    assert "js/plan.js" in page
    assert 'name="params-0-unit"' not in page  # the unit is the dictionary's, not typed


def test_a_row_takes_its_unit_from_the_dictionary(login, engineer, alices_customer):
    data = plan_post(alices_customer, params=[("CAL", "SOAK_T", "820", "800", "840", "")])
    login(engineer).post(reverse("quality:plan-create"), data)
    assert PlanParameter.objects.get().unit == "℃"


def test_the_import_takes_the_dictionary_unit_and_refuses_another(engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-U01", parameters=PARAMS)
    assert (
        imported(
            engineer, "plans", "工艺参数", PARAM_HEADERS, ["GK-U01", "连退", "过时效温度", 405, 380, 420, ""]
        )
        == {}
    )
    assert revision.parameters.get(parameter__code="OA_T").unit == "℃"
    assert (
        import_parameter(engineer, "GK-U01", "连退", "加热段温度", 780, 760, 800, "°C") == {}
    )  # ℃ written plainly
    assert revision.parameters.get(parameter__code="HEAT_T").unit == "℃"
    refused = imported(
        engineer, "plans", "工艺参数", PARAM_HEADERS, ["GK-U01", "连退", "均热温度", 820, 800, 840, "K"]
    )
    assert refused == {"单位": ["“均热温度”的单位是 ℃（基础数据），不是 K。"]}


def test_a_parameter_without_lines_is_offered_on_every_line(engineer, alices_customer):
    finishing = entry(DictKind.PROCESS_PARAMETER, "FT")
    finishing.lines.clear()
    make_plan(alices_customer, code="GK-A01", parameters=PARAMS)
    galvanising = entry(DictKind.PRODUCTION_LINE, "CGL")
    form = ParameterForm(
        {"line": galvanising.pk, "parameter": finishing.pk, "target": "880", "lower": "860", "upper": "900"},
        user=engineer,
    )
    assert form.is_valid(), form.errors


def test_a_line_added_to_a_parameter_in_the_dictionary_admits_it(login, admin_user, engineer):
    galvanising = entry(DictKind.PRODUCTION_LINE, "CGL")
    finishing = entry(DictKind.PROCESS_PARAMETER, "FT")
    pltcm = entry(DictKind.PRODUCTION_LINE, "PLTCM")
    data = {
        "code": "FT",
        "name": "终轧温度",
        "name_en": "Finishing temperature",
        "unit": "℃",
        "lines": [pltcm.pk, galvanising.pk],
        "is_active": "on",
        "version": finishing.version,
    }
    response = login(admin_user).post(reverse("dictionary-edit", args=[finishing.pk]), data)
    assert response.status_code == 302
    assert set(finishing.lines.all()) == {pltcm, galvanising}
    assert finishing.set_on(galvanising)


def test_the_demand_choice_shows_code_name_and_size(engineer, alices_customer):
    first = make_demand(alices_customer, name="车门外板", thickness=Decimal("0.7"), width=Decimal("1250"))
    second = make_demand(alices_customer, name="车门外板", thickness=Decimal("0.8"), width=Decimal("1500"))
    form = PlanForm(initial={"customer": alices_customer}, user=engineer)
    labels = [label for value, label in form.fields["demand"].choices if value]
    assert f"{first.code} 车门外板（0.7×1250 mm）" in labels
    assert f"{second.code} 车门外板（0.8×1500 mm）" in labels
