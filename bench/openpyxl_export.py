"""The export path the archive had before `archive_site.excel` wrote with rustpy-xlsxwriter:
openpyxl's write-only workbook, a cell object per value, each value rendered from its record
by the resource's widgets. Kept as the export benchmark's baseline (bench/objections.py)."""

import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

OPTIONS_SHEET = "选项"


def cell_value(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, datetime.date, bool)) or type(value).__name__ == "Decimal":
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    if isinstance(cell.value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(cell.value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    if font:
        cell.font = font
    return cell


class _Options:
    def __init__(self):
        self.lists = []

    def ref(self, values):
        values = [str(v) for v in values]
        if values not in self.lists:
            self.lists.append(values)
        letter = get_column_letter(self.lists.index(values) + 1)
        return f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$1:${letter}${max(1, len(values))}"

    def write(self, workbook):
        sheet = workbook.create_sheet(title=OPTIONS_SHEET)
        sheet.sheet_state = "hidden"
        for i in range(max(len(values) for values in self.lists)):
            sheet.append([_cell(sheet, values[i] if i < len(values) else None) for values in self.lists])


def write_workbook(out, sheets):
    workbook = Workbook(write_only=True)
    options = _Options()
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for i, column in enumerate(columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = column.width
            if column.choices:
                validation = DataValidation(
                    type="list", formula1=options.ref(column.choices), allow_blank=True, errorStyle="warning"
                )
                validation.add(f"{letter}2:{letter}1048576")
                sheet.data_validations.append(validation)
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, str(c.header), bold) for c in columns])
        for row in rows:
            sheet.append([_cell(sheet, c.value(row)) for c in columns])
    if options.lists:
        options.write(workbook)
    workbook.save(out)


def export_sheets(module, request):
    """The module's sheets as the old path read them: records, each value rendered by its widget."""
    sheets = []
    for cls in module.resources:
        resource = cls(user=request.user)
        if not resource.can_export(request.user):
            continue
        rows = resource.export_queryset(request).iterator(chunk_size=2000)
        sheets.append((str(resource.title), resource.export_columns(), rows))
    return sheets
