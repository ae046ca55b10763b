"""Building test spreadsheets, and running imports the way the worker does."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import files
from imports.engine import Importer
from imports.modules import get_module

CUSTOMER_HEADERS = ["客户代码", "客户名称", "客户类别", "状态", "电话", "年需求量(t)"]
CONTACT_HEADERS = ["客户代码", "姓名", "职务", "手机"]


def xlsx(sheets, hidden=(), merged=None, edit=None):
    """An .xlsx as bytes: `sheets` maps a sheet name to its rows (lists of values).

    `edit(workbook)` may change the workbook before it is saved (hidden rows, filters).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name in hidden:
            sheet.sheet_state = "hidden"
        for ref in (merged or {}).get(name, []):
            sheet.merge_cells(ref)
    if edit is not None:
        edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(content, add=None, drop=(), replace=None):
    """The same .xlsx with members added, dropped or replaced (hostile files)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def upload(content, name="客户.xlsx"):
    return SimpleUploadedFile(name, content)


def check(user, content, name="客户.xlsx", module="customers"):
    """Read and check a file as the worker does; returns (importer, result)."""
    importer = Importer(get_module(module), user)
    sheets = files.read(io.BytesIO(content), name)
    return importer, importer.check(sheets)


def run(user, content, name="客户.xlsx", module="customers"):
    """Check and, when the file has no error, apply it; returns the check result."""
    importer, result = check(user, content, name, module)
    if result.ok:
        importer.apply(result)
    return result


def messages(result):
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]
