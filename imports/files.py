"""Reading uploaded .xlsx and .csv files, with hostile files refused before parsing.

An .xlsx is a zip of XML. Before a cell is parsed:
- the upload's size is capped (`IMPORT_MAX_BYTES`);
- the zip's central directory is read: the sum of its members' uncompressed
  sizes is capped (`IMPORT_MAX_UNCOMPRESSED_BYTES`; zipfile never inflates a
  member past its declared size, so the sum is a true bound), and macros
  (vbaProject.bin, macro-enabled content types) and external links are refused;
- each worksheet's rows are counted in its raw bytes, never trusting the
  sheet's own dimension claim, and capped (`IMPORT_MAX_ROWS`).
A workbook whose XML declares a DTD (entity definitions) is refused; the
workbook's structure is parsed through defusedxml, the cells by calamine (Rust,
no DTD support), the rows' and columns' attributes by patterns over the raw XML.

Messy files are read as a person would read them: trailing empty rows and
columns are dropped, merged ranges carry their top-left value into every row
of the data they cover. What a person would not see is marked, never dropped
or taken silently: hidden sheets, hidden rows (also those a filter hides),
hidden columns, and cells holding a spreadsheet error (#N/A, #DIV/0!) rather
than data (`ErrorValue`).
"""

import codecs
import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_COLUMNS = 200  # cells right of this column are ignored
MAX_MEMBERS = 5000  # zip entries in a workbook
MAX_MERGE_FILL = 5_000_000  # cells filled in from merged ranges
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks
MACRO_TYPES = (b"macroEnabled", b"vbaProject")


# What a cell shows when its formula failed, in Excel and in LibreOffice (which writes "Err:502" to a CSV).
ERROR_TEXT = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!"
    r"|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!)|Err:\d{3}",
    re.IGNORECASE,
)


class ErrorValue(str):
    """A workbook cell holding a spreadsheet error: what a failed formula shows, not data."""


def error_value(value):
    """The spreadsheet error a cell holds ("#N/A"), or None.

    Error cells of a workbook, and the same words in a CSV file or typed as text.
    """
    if isinstance(value, ErrorValue):
        return str(value)
    if isinstance(value, str) and value[:1] in "#Ee ":
        text = value.strip()
        if ERROR_TEXT.fullmatch(text):
            return text
    return None


class FileRefused(Exception):
    """The file cannot be imported; the message says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    name: str
    hidden: bool = False
    rows: list = field(default_factory=list)  # [(row number, tuple of values)], empty rows left out
    hidden_rows: frozenset = frozenset()  # row numbers hidden in the sheet, by hand or by a filter
    filtered: bool = False  # the sheet has a filter that hides rows
    hidden_columns: frozenset = frozenset()  # column indexes (0-based) hidden in the sheet


def max_bytes():
    return settings.IMPORT_MAX_BYTES


def max_uncompressed():
    return settings.IMPORT_MAX_UNCOMPRESSED_BYTES


def max_rows():
    return settings.IMPORT_MAX_ROWS


def file_kind(fileobj, name):
    """ "xlsx" or "csv", from the content and the name; refuses anything else."""
    ext = PurePath(name or "").suffix.lower()
    size = _size(fileobj)
    if size == 0:
        raise FileRefused(_("文件是空的（0 字节）。请选择填好数据的 .xlsx 或 .csv 文件。"))
    if size > max_bytes():
        raise FileRefused(
            _("文件太大（%(size)s），导入文件的上限为 %(limit)s。请把数据分成几个文件导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    if ext == ".xlsm":
        raise FileRefused(_("不接受含宏的工作簿（.xlsm）。请在 Excel 中另存为 .xlsx 后再导入。"))
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(OLE_MAGIC):
        raise FileRefused(
            _("这是旧版 .xls 或设置了密码的工作簿，无法读取。请在 Excel 中另存为 .xlsx（不设密码）后再导入。")
        )
    if ext not in (".xlsx", ".csv"):
        raise FileRefused(_("只能导入 .xlsx 或 .csv 文件，“%(name)s”不是。") % {"name": name})
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if ext == ".xlsx":
        message = _("“%(name)s”不是有效的 Excel 工作簿（.xlsx），可能已损坏或被改了扩展名。")
        raise FileRefused(message % {"name": name})
    return "csv"


def inspect(fileobj, name):
    """Every check that needs no cell parsing: size, type, zip directory, macros, links, row counts.

    Cheap enough for the upload request, so a refused file is refused at once
    and nothing is stored. Returns the kind ("xlsx" or "csv").
    """
    kind = file_kind(fileobj, name)
    if kind == "xlsx":
        _read_xlsx(fileobj, parse=False)
    else:
        _decode_csv(fileobj)
    fileobj.seek(0)
    return kind


def read(fileobj, name):
    """The file's sheets, each with its non-empty rows. Raises FileRefused."""
    kind = file_kind(fileobj, name)
    if kind == "xlsx":
        return _read_xlsx(fileobj)
    return [_read_csv(fileobj, name)]


# .xlsx -----------------------------------------------------------------------


def _size(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        pos = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(pos)
    return size


def _open_zip(fileobj):
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise FileRefused(_("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏。")) from e
    if len(infos) > MAX_MEMBERS:
        raise FileRefused(_("工作簿内部文件过多（%(n)d 个），不像正常的 Excel 文件。") % {"n": len(infos)})
    names = {i.filename for i in infos}
    lower = {n.lower() for n in names}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in lower:
        raise FileRefused(_("文件不是 Excel 工作簿（.xlsx）：可能是 Word 等其他 Office 文件被改了扩展名。"))
    if any(n.endswith("vbaproject.bin") for n in lower):
        raise FileRefused(_("工作簿含有宏（VBA），出于安全考虑不予导入。请删除宏并另存为 .xlsx 后再导入。"))
    if any(n.startswith("xl/externallinks/") for n in lower):
        raise FileRefused(
            _(
                "工作簿含有指向其他文件的外部链接，不予导入。"
                "请在 Excel 中“断开链接”（数据 → 编辑链接）后另存再导入。"
            )
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise FileRefused(_("工作簿已加密，无法读取。请取消密码后再导入。"))
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed():
        raise FileRefused(
            _("工作簿解压后有 %(size)s，超过上限 %(limit)s。请把数据分成几个文件导入。")
            % {"size": filesizeformat(total), "limit": filesizeformat(max_uncompressed())}
        )
    content_types = _read_member(archive, "[Content_Types].xml", 1024 * 1024)
    if any(t in content_types for t in MACRO_TYPES):
        raise FileRefused(_("工作簿含有宏（VBA），出于安全考虑不予导入。请删除宏并另存为 .xlsx 后再导入。"))
    return archive


def _read_member(archive, member, limit):
    with archive.open(member) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(_("工作簿的结构文件异常庞大，不像正常的 Excel 文件。"))
    return data


# "<row" and a character that does not end an element's name: another element (rowBreaks).
NOT_ROW_TAG = re.compile(rb"<row[^\s>/]")


def _row_tags(data):
    """How many row elements start in `data` (ROW_TAG). When none has a namespace prefix, the
    bytes "<row" are counted and the other elements they start taken off: a pattern that stops
    at every "<" took 140 ms over a sheet of 20 000 rows, this 55."""
    if b":row" in data:
        return len(ROW_TAG.findall(data))
    return data.count(b"<row") - len(NOT_ROW_TAG.findall(data)) - data.endswith(b"<row")


def _count_rows(archive, member, title=None):
    """Rows in a worksheet, counted in its raw bytes: no XML parsing, no trust in `<dimension>`."""
    count, tail = 0, b""
    try:
        with archive.open(member) as f:
            while chunk := f.read(1024 * 1024):
                data = tail + chunk
                count += _row_tags(data)
                # Keep the end of the chunk for a tag cut in two; never count it twice.
                cut = max(data.rfind(b"<"), len(data) - 64)
                tail = data[cut:]
                count -= _row_tags(tail)
                if count > max_rows():
                    break
            count += _row_tags(tail)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileRefused(_("工作簿已损坏，无法读取（%(member)s）。") % {"member": member}) from e
    if count > max_rows():
        raise FileRefused(
            _("工作表“%(sheet)s”超过 %(limit)s 行，超出单次导入的上限。请把数据分成几个文件导入。")
            % {"sheet": title or PurePath(member).stem, "limit": f"{max_rows():,}"}
        )
    return count


def _read_xlsx(fileobj, parse=True):
    archive = _open_zip(fileobj)
    _refuse_entities(archive)
    sheets = _worksheets(archive)
    for name, _state, member in sheets:
        _count_rows(archive, member, name)
    if not parse:
        return []
    from python_calamine import CalamineError, CalamineWorkbook

    fileobj.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
    except (CalamineError, ValueError, OSError) as e:
        raise FileRefused(_("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏。")) from e
    try:
        return [_read_worksheet(workbook, archive, name, state, member) for name, state, member in sheets]
    finally:
        workbook.close()


# What only a DTD can hold: entity definitions (a "billion laughs" expands them past any memory).
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
XML_PROLOG_BYTES = 4096


def _refuse_entities(archive):
    """Refuse a workbook whose XML declares a DTD. A DTD can only come before a document's
    first element, so the start of each XML member is enough; nothing is parsed with one."""
    for info in archive.infolist():
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as f:
                head = f.read(XML_PROLOG_BYTES)
            if DTD.search(head):
                raise FileRefused(_("工作簿含有不安全的 XML 内容（实体定义），不予导入。"))


SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STRICT_SHEET_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_REL_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


STRUCTURE_BYTES = 16 * 1024 * 1024


def _worksheets(archive):
    """[(name, state, zip member)] of the workbook's worksheets, in the workbook's order
    (chart sheets left out), read from xl/workbook.xml and its relationships through defusedxml."""
    from defusedxml import ElementTree

    names = {n.lower(): n for n in archive.namelist()}
    try:
        book = ElementTree.fromstring(_read_member(archive, names["xl/workbook.xml"], STRUCTURE_BYTES))
        rels_name = names.get("xl/_rels/workbook.xml.rels")
        rels = (
            ElementTree.fromstring(_read_member(archive, rels_name, STRUCTURE_BYTES)) if rels_name else None
        )
    except FileRefused:
        raise
    except Exception as e:
        if _is_unsafe_xml(e):
            raise FileRefused(_("工作簿含有不安全的 XML 内容（实体定义），不予导入。")) from e
        raise FileRefused(_("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏。")) from e
    targets = {}
    for rel in rels if rels is not None else ():
        if rel.get("Type") in (SHEET_REL, STRICT_SHEET_REL):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = names.get(posixpath.normpath(path.replace("\\", "/")).lower())
    sheets = []
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        member = targets.get(element.get(REL_ID) or element.get(STRICT_REL_ID))
        if member is None:
            continue  # a chart sheet, or a sheet the workbook does not hold
        sheets.append((element.get("name", ""), element.get("state", "visible"), member))
    return sheets


def _tag(name):
    return rb"<(?:[A-Za-z_][\w.-]*:)?" + name + rb"\b([^>]*?)(/?)>"


ROW_ELEMENT = re.compile(_tag(rb"row"))
COL_ELEMENT = re.compile(_tag(rb"col"))
MERGE_ELEMENT = re.compile(_tag(rb"mergeCell"))
FILTER_COLUMN = re.compile(_tag(rb"filterColumn"))
ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")  # t="e": a cell holding a spreadsheet error
CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
ERROR_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*>([^<]*)<")
ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(text):
    return {
        m[1].split(b":")[-1].decode(): (m[2] if m[2] is not None else m[3]).decode()
        for m in ATTRIBUTE.finditer(text)
    }


def _error_cells(data, title):
    """{(row, column): error text} of the cells typed t="e" (few: found by their attribute)."""
    from openpyxl.utils.cell import coordinate_to_tuple

    errors = {}
    if b'"e"' not in data and b"'e'" not in data:
        return errors  # most sheets: no error cell, found without a pattern
    for match in ERROR_TYPE.finditer(data):
        start = data.rfind(b"<", 0, match.start())
        end = data.find(b">", match.end())
        if start < 0 or end < 0 or not CELL_START.match(data, start):
            continue  # the attribute of another element
        value = None
        if data[end - 1 : end] != b"/":
            close = CELL_END.search(data, end)
            value = ERROR_VALUE.search(data[end : close.start() if close else len(data)])
        try:
            position = coordinate_to_tuple(_attributes(data[start:end]).get("r"))
        except (TypeError, ValueError) as e:
            raise FileRefused(_("工作表“%(sheet)s”已损坏，无法读取。") % {"sheet": title}) from e
        errors[position] = value[1].decode() if value and value[1].strip() else "#N/A"
    return errors


def _layout(archive, member, title):
    """What the values leave out, from the sheet's raw XML: hidden rows, hidden columns,
    whether a filter hides rows, merged ranges, and the cells holding a spreadsheet error
    ({(row, column): text}, 1-based). Attributes only: no entity is ever expanded here."""
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileRefused(_("工作簿已损坏，无法读取（%(member)s）。") % {"member": member}) from e
    hidden_rows, hidden_columns = set(), frozenset()
    if b"hidden" in data:  # rows and columns are hidden by this attribute alone: most sheets skip the scan
        number = 0
        for match in ROW_ELEMENT.finditer(data):
            attrs = _attributes(match[1])
            number = int(attrs["r"]) if attrs.get("r", "").isdigit() else number + 1
            if _true(attrs.get("hidden")):
                hidden_rows.add(number)
        hidden_columns = _hidden_columns(_attributes(m[1]) for m in COL_ELEMENT.finditer(data))
    # Each pattern is run only over a sheet holding its element's name: a long sheet's XML is
    # megabytes, and most sheets merge no cells and filter nothing.
    merged = []
    if b"mergeCell" in data:
        merged = [_attributes(m[1]).get("ref", "") for m in MERGE_ELEMENT.finditer(data)]
    filtered = b"filterColumn" in data and FILTER_COLUMN.search(data) is not None
    errors = _error_cells(data, title)
    return hidden_rows, hidden_columns, filtered, merged, errors


def _read_worksheet(workbook, archive, title, state, member):
    """One worksheet's non-empty rows: values read by calamine (Rust; dates as dates, whole
    numbers as int as the file writes them), the rest from the raw XML (`_layout`)."""
    from python_calamine import CalamineError

    hidden_rows, hidden_columns, filtered, merged, errors = _layout(archive, member, title)
    try:
        values = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, KeyError) as e:
        raise FileRefused(_("工作表“%(sheet)s”已损坏，无法读取。") % {"sheet": title}) from e
    if len(values) > max_rows():
        raise FileRefused(
            _("工作表“%(sheet)s”超过 %(limit)s 行，超出单次导入的上限。")
            % {"sheet": title, "limit": f"{max_rows():,}"}
        )
    rows = {}  # {row number: [cell, ...]} of the rows holding a cell
    for number, cells in enumerate(values, start=1):
        row = [
            None
            if value == ""
            else int(value)
            if value.__class__ is float and value.is_integer() and abs(value) < 2**53
            else value
            for value in cells[:MAX_COLUMNS]
        ]
        while row and row[-1] is None:
            row.pop()
        if row:
            rows[number] = row
    for (number, column), text in errors.items():
        if column <= MAX_COLUMNS and text:
            _put(rows.setdefault(number, []), column, ErrorValue(text))
    _fill_merged(rows, merged, title)
    hidden = state != "visible"
    data = [(n, tuple(rows[n])) for n in sorted(rows) if _has_text(rows[n])]
    return Sheet(title, hidden, data, frozenset(hidden_rows & set(rows)), filtered, hidden_columns)


def _is_unsafe_xml(error):
    from defusedxml import DefusedXmlException

    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _true(attribute):
    return attribute in ("1", "true")


def _hidden_columns(dimensions):
    hidden = set()
    for attrs in dimensions:
        if _true(attrs.get("hidden")):
            try:
                first, last = int(attrs["min"]), int(attrs.get("max", attrs["min"]))
            except (KeyError, ValueError):
                continue
            hidden.update(range(first - 1, min(last, MAX_COLUMNS)))
    return frozenset(hidden)


def _fill_merged(rows, refs, title):
    """Give every cell of a merged range its top-left value, in the rows that hold data."""
    from bisect import bisect_left, bisect_right

    from openpyxl.utils.cell import range_boundaries

    numbers = sorted(rows)
    filled = 0
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        top = _cell(rows.get(min_row, ()), min_col)
        if top is None:
            continue
        max_col = min(max_col, MAX_COLUMNS)
        for number in numbers[bisect_left(numbers, min_row) : bisect_right(numbers, max_row)]:
            row = rows[number]
            for column in range(min_col, max_col + 1):
                if _cell(row, column) is None:
                    _put(row, column, top)
                    filled += 1
            if filled > MAX_MERGE_FILL:
                raise FileRefused(_("工作表“%(sheet)s”的合并单元格过多，无法读取。") % {"sheet": title})


def _cell(row, column):
    """The value of a row's cell (`column` 1-based), None if empty."""
    return row[column - 1] if column <= len(row) else None


def _put(row, column, value):
    if column > len(row):
        row.extend([None] * (column - len(row)))
    row[column - 1] = value


def _has_text(row):
    return any(v is not None and not (v.__class__ is str and not v.strip()) for v in row)


# .csv ------------------------------------------------------------------------


def _decode_csv(fileobj):
    fileobj.seek(0)
    raw = fileobj.read(max_bytes() + 1)
    fileobj.seek(0)
    if raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", raw)]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", raw)]  # Excel's "Unicode text"
    else:
        candidates = [("utf-8", raw), ("gb18030", raw)]  # GB18030 reads every GBK file
    for encoding, data in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        lines = text.count("\n") + 1
        if lines > max_rows() + 20:
            raise FileRefused(
                _("CSV 文件超过 %(limit)s 行，超出单次导入的上限。请把数据分成几个文件导入。")
                % {"limit": f"{max_rows():,}"}
            )
        return text
    raise FileRefused(
        _(
            "文件不是文本格式的 CSV，或编码无法识别。"
            "请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV，或直接上传 .xlsx。"
        )
    )


def _read_csv(fileobj, name):
    text = _decode_csv(fileobj)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        for values in reader:
            values = tuple(v if v.strip() else None for v in values[:MAX_COLUMNS])
            if any(v is not None for v in values):
                while values and values[-1] is None:
                    values = values[:-1]
                rows.append((reader.line_num, values))
    except csv.Error as e:
        message = _("CSV 文件格式错误（第 %(line)d 行）：引号不配对。")
        raise FileRefused(message % {"line": reader.line_num}) from e
    return Sheet(PurePath(name).stem, False, rows)
