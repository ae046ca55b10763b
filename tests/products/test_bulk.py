"""The parts ticked on the part list: exported (who may export), printed as one batch (who may
print, the printing app's batch); a part outside one's scope refuses the selection."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

LIST = reverse("products:part-list")
EXPORT = reverse("products:part-bulk-export")


def exported_numbers(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    return {row[header.index("零件编号")] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_export_of_the_selection_holds_the_ticked_parts_only(login, engineer, alices_parts, bobs_part):
    ticked = [alices_parts[0].pk, bobs_part.pk]
    response = login(engineer).post(EXPORT, {"part": ticked})
    assert response.status_code == 200
    assert exported_numbers(response) == {alices_parts[0].number, bobs_part.number}


def test_a_part_outside_ones_scope_refuses_the_export_and_is_named(login, alice, alices_parts, bobs_part):
    response = login(alice).post(EXPORT, {"part": [alices_parts[0].pk, bobs_part.pk]})
    assert response.status_code == 404
    assert f"ID {bobs_part.pk}" in response.content.decode()


def test_who_may_only_export_ticks_parts_for_the_export_and_is_offered_no_printing(
    login, viewer, alices_parts
):
    page = login(viewer).get(LIST).content.decode()
    assert f'name="part" value="{alices_parts[0].pk}" form="part-selection"' in page
    assert f'action="{EXPORT}"' in page and reverse("printing:selected-sheets") not in page


def test_who_may_print_and_export_gets_both_from_one_selection(login, engineer, alices_parts):
    page = login(engineer).get(LIST).content.decode()
    assert f'name="part" value="{alices_parts[0].pk}" form="print-selection"' in page
    assert f'formaction="{EXPORT}"' in page and reverse("printing:selected-sheets") in page
    assert 'data-select-all="part"' in page and "js/selection.js" in page


def test_a_part_outside_ones_scope_refuses_the_batch_print_and_is_named(
    login, alice, alices_parts, bobs_part
):
    from printing.models import PrintJob

    response = login(alice).post(
        reverse("printing:selected-sheets"), {"part": [alices_parts[0].pk, bobs_part.pk]}
    )
    assert response.status_code == 404
    assert (
        f"ID {bobs_part.pk}" in response.content.decode()
        and f"ID {alices_parts[0].pk}" not in response.content.decode()
    )
    assert not PrintJob.objects.exists()
