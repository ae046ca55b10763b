"""Workbooks written by a real office suite: LibreOffice (headless) saves .xlsx from flat ODF (.fods)
spreadsheets described here, so the reader meets the XML an office suite really writes (error
cells with their formulas, rows hidden by a filter, hidden columns and sheets)."""

import shutil
import subprocess
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:automatic-styles>
  <style:style style:name="shown" style:family="table" style:master-page-name="Default">
   <style:table-properties table:display="true"/></style:style>
  <style:style style:name="hidden" style:family="table" style:master-page-name="Default">
   <style:table-properties table:display="false"/></style:style>
 </office:automatic-styles>
 <office:master-styles><style:master-page style:name="Default"/></office:master-styles>
 <office:body><office:spreadsheet>{tables}<table:database-ranges>{filters}</table:database-ranges>
 </office:spreadsheet></office:body>
</office:document>
"""


@dataclass
class Formula:
    """A cell computed by the office suite when it loads the file: `of:=1/0`."""

    text: str


@dataclass
class Date:
    """A date cell (ISO date): the suite stores it as a date-formatted number."""

    iso: str


@dataclass
class Sheet:
    name: str
    rows: list  # lists of values: str, int/float, Formula, Date or None
    hidden: bool = False  # not the first sheet: an office suite keeps the active sheet visible
    hidden_rows: tuple = ()  # row numbers (1-based) hidden by hand
    filtered_rows: tuple = ()  # row numbers hidden by the filter below
    filter: tuple | None = None  # (column index, value): the sheet's autofilter hides the rows holding it
    hidden_columns: tuple = ()  # column indexes (0-based)


def _cell(value):
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, Formula):
        return f"<table:table-cell table:formula={quoteattr(value.text)}/>"
    if isinstance(value, Date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.iso}"/>'
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def _table(sheet):
    width = max(len(row) for row in sheet.rows)
    hidden = '<table:table-column table:visibility="collapse"/>'
    columns = "".join(hidden if i in sheet.hidden_columns else "<table:table-column/>" for i in range(width))
    rows = []
    for number, values in enumerate(sheet.rows, start=1):
        visibility = ""
        if number in sheet.filtered_rows:
            visibility = ' table:visibility="filter"'
        elif number in sheet.hidden_rows:
            visibility = ' table:visibility="collapse"'
        rows.append(f"<table:table-row{visibility}>{''.join(_cell(v) for v in values)}</table:table-row>")
    style = "hidden" if sheet.hidden else "shown"
    start = f'<table:table table:name={quoteattr(sheet.name)} table:style-name="{style}">'
    return f"{start}{columns}{''.join(rows)}</table:table>"


def _filter(sheet, index):
    # An office suite's own autofilter is the sheet's anonymous database range.
    column, value = sheet.filter
    end = f"{chr(ord('A') + max(len(row) for row in sheet.rows) - 1)}{len(sheet.rows)}"
    return (
        f'<table:database-range table:name="__Anonymous_Sheet_DB__{index}"'
        ' table:display-filter-buttons="true"'
        f' table:target-range-address="{escape(sheet.name)}.A1:{escape(sheet.name)}.{end}">'
        f'<table:filter><table:filter-condition table:field-number="{column}" table:operator="!="'
        f" table:value={quoteattr(value)}/></table:filter></table:database-range>"
    )


def fods(sheets):
    """The flat ODF text of a spreadsheet with `sheets`."""
    tables = "".join(_table(s) for s in sheets)
    filters = "".join(_filter(s, i) for i, s in enumerate(sheets) if s.filter)
    return FODS.format(tables=tables, filters=filters)


def saved_by_libreoffice(folder, workbooks):
    """{name: [Sheet]} → {name: .xlsx bytes}, saved by LibreOffice in one run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: scripts/setup-system.sh installs libreoffice-calc-nogui"
    sources = []
    for name, sheets in workbooks.items():
        path = folder / f"{name}.fods"
        path.write_text(fods(sheets), encoding="utf-8")
        sources.append(str(path))
    out = folder / "xlsx"
    command = [
        soffice,
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *sources,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    files = {name: out / f"{name}.xlsx" for name in workbooks}
    missing = [name for name, path in files.items() if not path.exists()]
    assert not missing, f"LibreOffice did not write {missing}: {done.stdout} {done.stderr}"
    return {name: path.read_bytes() for name, path in files.items()}
