"""The .xlsx reader before calamine, kept as the import benchmarks' baseline: openpyxl's
read-only workbook (every shared string parsed into an object) and its worksheet
parser (a Python object per cell). Same checks and same result as `imports.files.read`.

Not a benchmark of its own: bench/imports.py and bench/objections.py run it.
"""

from imports import files


def read(fileobj, name):
    if files.file_kind(fileobj, name) != "xlsx":
        return files.read(fileobj, name)
    from openpyxl import load_workbook

    files._open_zip(fileobj)
    fileobj.seek(0)
    workbook = load_workbook(fileobj, read_only=True, data_only=True, keep_links=False)
    try:
        for ws in workbook.worksheets:
            files._count_rows(workbook._archive, ws._worksheet_path, ws.title)
        return [_read_worksheet(workbook, ws) for ws in workbook.worksheets]
    finally:
        workbook.close()


def _read_worksheet(workbook, ws):
    from openpyxl.worksheet._reader import WorkSheetParser

    rows = {}
    with workbook._archive.open(ws._worksheet_path) as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            values = []
            for cell in cells:
                column, value = cell["column"], cell["value"]
                if column <= files.MAX_COLUMNS and value is not None and value != "":
                    files._put(values, column, files.ErrorValue(value) if cell["data_type"] == "e" else value)
            if values:
                rows[number] = values
        merged = parser.merged_cells.mergeCell if parser.merged_cells else []
        hidden_rows = frozenset(
            int(n) for n, attrs in parser.row_dimensions.items() if files._true(attrs.get("hidden"))
        )
        hidden_columns = files._hidden_columns(parser.column_dimensions.values())
        auto_filter = getattr(parser, "auto_filter", None)
        filtered = bool(auto_filter is not None and auto_filter.filterColumn)
    files._fill_merged(rows, [m.ref for m in merged], ws.title)
    hidden = ws.sheet_state != "visible"
    data = [(n, tuple(rows[n])) for n in sorted(rows) if files._has_text(rows[n])]
    return files.Sheet(ws.title, hidden, data, hidden_rows & set(rows), filtered, hidden_columns)
