"""Streaming .xlsx exports, written at disk speed by rustpy-xlsxwriter (Rust's rust_xlsxwriter).

A list view hands `xlsx_response` its filtered rows and its columns; the
workbook is written to a temporary file in the writer's constant-memory mode
(each row goes to disk as it is written, nothing is held), then streamed to
the browser.

Every cell of every sheet (headers, data, the hidden sheet of drop-down
options) is a value, never a formula: the writer writes text as text (a value
starting with = + - @ stays text), and `cell_value` leaves out the characters
a workbook cannot hold.

Drop-down lists (import templates, exports that import back): the allowed
values of a column go to a hidden sheet and the column's data validation
refers to them. The writer only writes inline lists (at most 255 characters),
so it writes a placeholder list, and `_refer_to_options` puts the reference to
the hidden sheet in its place, copying the workbook once.
"""

import datetime
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import Any

import rustpy_xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from openpyxl.utils import get_column_letter, quote_sheetname

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPTIONS_SHEET = "选项"
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
LOOK_AHEAD = 100  # rows looked at to tell a column of dates from one of dates with times
PLACEHOLDER = "ARCHIVE-OPTIONS-{}"
PLACEHOLDER_XML = re.compile(
    rb'sqref="([A-Z]+)2(?::[A-Z]+[0-9]+)?"><formula1>"ARCHIVE-OPTIONS-([0-9]+)"</formula1>'
)


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14
    # Allowed values, offered as a drop-down list (import templates): Excel data
    # validation fed from a hidden sheet, warning on other input (codes still work).
    choices: Sequence[str] | None = None
    # The row's item the value is (rows that are lists of values, in column order): read
    # without a call per cell.
    position: int | None = None


def cell_value(value):
    """A Python value as Excel should hold it: dates as dates, numbers as numbers, text as text."""
    kind = type(value)
    if kind is str:
        return value if value.isprintable() else ILLEGAL_CHARACTERS.sub("", value)
    if value is None or kind is int or kind is Decimal or kind is float or kind is bool:
        return value
    if kind is datetime.datetime:
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind is datetime.date:
        return value
    return cell_value(str(value))


class _Options:
    """The hidden sheet of allowed values behind the drop-down lists, one list per column of it."""

    def __init__(self):
        self.lists = []

    def index(self, values):
        values = [cell_value(str(v)) for v in values]
        if values not in self.lists:
            self.lists.append(values)
        return self.lists.index(values)

    def ref(self, index):
        # Row 1 holds the writer's header (the list's number); the values start on row 2.
        letter = get_column_letter(index + 1)
        return f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(self.lists[index]) + 1}"

    def rows(self):
        keys = [str(i + 1) for i in range(len(self.lists))]
        for i in range(max(len(values) for values in self.lists)):
            yield {k: v[i] if i < len(v) else None for k, v in zip(keys, self.lists, strict=True)}


def _keys(columns):
    """The writer names a row's cells by their header: headers made unique (invisibly) where repeated."""
    keys = []
    for column in columns:
        key = cell_value(str(column.header))
        while key in keys:
            key += "\u200b"
        keys.append(key)
    return keys


def _records(keys, columns, rows):
    if [c.position for c in columns] == list(range(len(columns))):
        for row in rows:
            yield dict(zip(keys, map(cell_value, row), strict=True))
        return
    values = [c.value for c in columns]
    for row in rows:
        yield dict(zip(keys, [cell_value(v(row)) for v in values], strict=True))


def write_workbook(out, sheets):
    """Write `sheets`, (title, columns, rows) triples, to the binary file `out`.

    Rows may be an iterator (a queryset's, a generator): each is read once, as it is written.
    """
    options = _Options()
    entries, widths, formats, validations = [], {}, {}, {}
    for title, columns, rows in sheets:
        title = str(title)[:31]
        keys = _keys(columns)
        records = _records(keys, columns, rows)
        first = list(islice(records, LOOK_AHEAD))
        # The header is the first record's keys: a sheet without rows still gets it.
        records = chain(first or [dict.fromkeys(keys)], records)
        entries.append((title, records))
        widths[title] = [c.width for c in columns]
        formats[title] = {key: _date_format() for key in keys if _dates_only(key, first)}
        rules = {}
        for key, column in zip(keys, columns, strict=True):
            if column.choices:
                index = options.index(column.choices)
                rules[key] = {"type": "list", "values": [PLACEHOLDER.format(index)], "error_style": "warning"}
        if rules:
            validations[title] = rules
    if options.lists:
        entries.append((OPTIONS_SHEET, options.rows()))
    target = tempfile.NamedTemporaryFile() if options.lists else out  # noqa: SIM115 (closed below)
    rustpy_xlsxwriter.write_worksheets(
        entries,
        _destination(target),
        freeze_panes={title: {"row": 1, "col": 0} for title, _records in entries if title != OPTIONS_SHEET},
        bold_headers=True,
        datetime_format="yyyy-mm-dd hh:mm",
        column_widths=widths,
        column_formats={title: f for title, f in formats.items() if f},
        data_validations=validations or None,
        sheet_view={OPTIONS_SHEET: {"hidden": True}} if options.lists else None,
    )
    if options.lists:
        with target:
            target.seek(0)
            _refer_to_options(target, out, options)


def _destination(out):
    """Where the writer should write `out`: its path when it is a file on disk. Given a file
    object, the writer builds the whole workbook in memory first and then copies it (memory
    growing with the rows); given a path, it writes the file as it goes."""
    name = getattr(out, "name", None)
    return name if isinstance(name, str) and os.path.isfile(name) else out


def _date_format():
    return rustpy_xlsxwriter.Format().set_num_format("yyyy-mm-dd")


def _dates_only(key, records):
    """Whether the column's first values are dates without a time of day."""
    values = [r[key] for r in records if r[key] is not None]
    return bool(values) and all(type(v) is datetime.date for v in values)


def _refer_to_options(source, out, options):
    """Copy the workbook `source` to `out`, each placeholder list made a reference to the hidden
    sheet that covers the whole column below the header (rows typed in later get it too)."""
    refs = [options.ref(i).replace("'", "&apos;").encode() for i in range(len(options.lists))]

    def refer(match):
        letter, index = match[1], int(match[2])
        return b'sqref="%s2:%s1048576"><formula1>%s</formula1>' % (letter, letter, refs[index])

    overlap = 400  # longer than any validation's sqref and formula
    copied = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    with zipfile.ZipFile(source) as zin, copied as zout:
        for info in zin.infolist():
            with zin.open(info) as member, zout.open(info.filename, "w", force_zip64=True) as copy:
                if not info.filename.startswith("xl/worksheets/"):
                    shutil.copyfileobj(member, copy)
                    continue
                tail = b""
                while chunk := member.read(1 << 20):
                    text = PLACEHOLDER_XML.sub(refer, tail + chunk)
                    tail = text[-overlap:]
                    copy.write(text[:-overlap])
                copy.write(tail)


def xlsx_response(filename, sheets):
    """`sheets`: (title, columns, rows) triples. Rows may be a queryset iterator."""
    out = tempfile.NamedTemporaryFile()  # noqa: SIM115 (closed, and so removed, by the FileResponse)
    write_workbook(out, sheets)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
