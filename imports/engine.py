"""Checking a file's rows and applying them: the fast path beside django-import-export's.

`Importer.check(sheets)` finds each sheet's resource and header row, cleans
every cell with the resource's widgets, loads the records the keys name in a
few queries, and gives every row a status (new / update / unchanged / error)
with the changes and every error by row and column. Nothing is written.

`Importer.apply(result)` writes a checked file in one transaction: locks the
records to update and refuses if any changed since the check, then
`copy_create` (COPY) / `bulk_update` per sheet, parents first. All rows or none.

`Importer.check_and_apply(sheets)` does both as the worker does on "确认导入": where every
resource allows it (`writes_while_checked`), the rows are written a batch at a time as they
pass the check, by a thread with a connection and a transaction of its own
(`imports.writer.Writer`), committed only when the whole file has passed.
"""

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pghistory
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from archive_site import scope
from archive_site.copy import copy_create
from imports.files import error_value
from imports.resources import ImportField, header_key, shown
from imports.widgets import (
    CachedLookupWidget,
    CellError,
    DictionaryWidget,
    is_blank,
    match_key,
    text_of,
)
from imports.writer import Writer

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
HEADER_SCAN_ROWS = 20  # the header row is looked for among the first non-empty rows
PROGRESS_EVERY = 500
BATCH = 2000


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowResult:
    number: int
    cleaned: dict
    status: str = NEW
    instance: models.Model | None = None
    changes: list = field(default_factory=list)  # [(column, old, new)]
    changed: set = field(default_factory=set)  # model field names
    version: int | None = None
    errors: list = field(default_factory=list)  # [(column, message)]
    warnings: list = field(default_factory=list)  # [(column, message)]: shown in the preview, refuse nothing
    failed: set = field(default_factory=set)  # resource field names whose cell could not be read

    @property
    def keyed(self):
        """Whether the row's key could be read: only then is the row looked up and checked further."""
        return not self.failed & self.key_names and not self.key_blank

    key_names: set = field(default_factory=set)
    key_blank: bool = False
    duplicate: bool = False
    key: tuple | None = None  # the resource's key of the row (`key_of`), once worked out


@dataclass
class SheetResult:
    resource: object
    name: str
    header_row: int
    columns: dict  # column index → resource field name
    headers: list  # [(letter, header as written, column name it maps to)]
    ignored: list  # headers not used
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # sheet-level messages
    notes: list = field(default_factory=list)  # what staff should know before they confirm

    @property
    def title(self):
        return str(self.resource.title)

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)


@dataclass
class CheckResult:
    sheets: list
    errors: list  # RowError, file and sheet level first
    notes: list = field(default_factory=list)  # file-level: sheets not imported, and why

    @property
    def ok(self):
        return not self.errors

    def counts(self):
        rows = [r for s in self.sheets for r in s.rows]
        return {
            status: sum(1 for r in rows if r.status == status) for status in (NEW, UPDATE, UNCHANGED, ERROR)
        }


class ImportConflict(Exception):
    """The records changed between the check and the apply; nothing was written."""


def message_of(error):
    if isinstance(error, ValidationError):
        return "；".join(str(m) for m in error.messages)
    if isinstance(error, CellError):
        return str(error)
    if isinstance(error, ObjectDoesNotExist):
        return _("找不到对应的记录。")
    return _("无法识别的值：%(error)s") % {"error": error}


# While a file is checked, the cyclic garbage collector runs after this many new objects and
# looks at those alone (`young_collected`).
YOUNG_OBJECTS = 10_000


class _Checks:
    """The checks running in this process that hold the collector to the newest objects, and
    the collector's thresholds before the first of them."""

    lock = threading.Lock()
    running = 0
    thresholds = None


@contextmanager
def young_collected():
    """Python's cyclic garbage collector kept to the newest objects while a file is checked.

    A check makes several objects per cell that live until the import ends (the rows, their
    values and messages, the records). With its usual thresholds the collector walked all of
    them again and again as they aged: 38 % of a 60 000-row customer file's check (4.0 s against
    2.5). Turned off, it let what a refused row leaves behind pile up instead (an exception
    holding its traceback, a cycle): +358 MB for 40 000 refused rows, against +98. So the
    newest objects are still collected, every YOUNG_OBJECTS of them, and the older
    generations are left alone until the check ends (+102 MB, 2.6 s). The collector's
    settings are the process's: the first of several checks running at once sets them, the
    last one to end puts them back."""
    with _Checks.lock:
        if not _Checks.running:
            _Checks.thresholds = gc.get_threshold()
            gc.set_threshold(YOUNG_OBJECTS, 2**30, 2**30)
        _Checks.running += 1
    try:
        yield
    finally:
        with _Checks.lock:
            _Checks.running -= 1
            if not _Checks.running:
                gc.set_threshold(*_Checks.thresholds)


class Importer:
    """Checks and applies one file for one module and one user."""

    def __init__(self, module, user, progress=None):
        self.module = module
        self.user = user
        self.progress = progress or (lambda stage, done, total: None)
        self.pending = {}
        self.resources = [cls(user=user, pending=self.pending) for cls in module.resources]
        self.validated = {}  # `validated_fields`, per sheet and set of unreadable cells
        self.cells = {}  # `cells_of`, per sheet
        self.assigned = {}  # `assignment`, per resource
        self.accepted = set()  # ("app.Model.field", type, value) the field's rules accepted: `validate`
        self.writer = None  # `imports.writer.Writer` while `check_and_apply` writes as it checks
        self.total = 0  # the rows `check` read

    # Check ------------------------------------------------------------------

    @young_collected()
    def check(self, sheets):
        errors = []
        assigned = self.assign(sheets)
        conflicts, notes = self.left_out(sheets, assigned)
        if not assigned:
            expected = str(self.module.title)
            errors.append(
                RowError(
                    "",
                    None,
                    "",
                    _("文件中没有可识别的%(what)s数据：找不到含有 %(headers)s 等表头的工作表。")
                    % {"what": expected, "headers": self.expected_headers()}
                    + _("请使用导入模板。"),
                )
            )
            return CheckResult([], errors)
        total = self.total = sum(len(sheet.rows) - found.index - 1 for _r, sheet, found in assigned)
        done = 0
        results = []
        for resource, sheet, found in assigned:
            result = self.check_sheet(resource, sheet, found, done, total)
            done += len(sheet.rows) - found.index - 1
            results.append(result)
        # File- and sheet-level problems first, then the rows' errors in file order.
        errors = [RowError(name, None, "", m) for name, m in conflicts]
        errors.extend(RowError(r.name, None, "", m) for r in results for m in r.errors)
        for result in results:
            for row in result.rows:
                errors.extend(RowError(result.name, row.number, c, m) for c, m in row.errors)
        return CheckResult(results, errors, notes)

    def expected_headers(self):
        resource = self.resources[0]
        return "、".join(str(resource.fields[n].column_name) for n in resource.key_names())

    def assign(self, sheets):
        """(resource, sheet, header) for each sheet the file holds for the module, in module order.

        A sheet named like a resource's sheet is that resource's (hidden or
        not); other visible sheets go to the resource whose headers they match best.
        """
        chosen = {}
        used = set()
        for resource in self.resources:
            for i, sheet in enumerate(sheets):
                if i not in used and header_key(sheet.name) in resource.sheet_keys():
                    found = find_header(sheet, resource)
                    if found:
                        chosen[id(resource)] = (resource, sheet, found)
                        used.add(i)
                        break
        for i, sheet in enumerate(sheets):
            if i in used or sheet.hidden:
                continue
            candidates = []
            for resource in self.resources:
                if id(resource) in chosen:
                    continue
                found = find_header(sheet, resource)
                if found:
                    candidates.append((found.score, -self.resources.index(resource), resource, found))
            if candidates:
                _score, _order, resource, found = max(candidates, key=lambda c: (c[0], c[1]))
                chosen[id(resource)] = (resource, sheet, found)
                used.add(i)
        return [chosen[id(r)] for r in self.resources if id(r) in chosen]

    def left_out(self, sheets, assigned):
        """The sheets that hold the module's data but are not imported: never passed over in silence.

        A visible sheet whose headers are those of a sheet the file already
        imports (two "客户" sheets, or a hidden one named "客户" beside a
        visible one) makes the file ambiguous: an error. A hidden sheet left
        out is said in the preview. Returns ([(sheet name, message)], [note]).
        """
        taken = {id(sheet): resource for resource, sheet, _found in assigned}
        errors, notes = [], []
        for sheet in sheets:
            if id(sheet) in taken:
                continue
            resource = next((r for r in self.resources if find_header(sheet, r)), None)
            if resource is None:
                continue
            if sheet.hidden:
                notes.append(_("隐藏的工作表“%(sheet)s”没有导入。") % {"sheet": sheet.name})
                continue
            imported = next(s for r, s, _f in assigned if r is resource)
            message = _(
                "工作表“%(sheet)s”和“%(other)s”%(hidden)s都是“%(title)s”数据，无法确定导入哪一张："
                "请删除不要导入的那张工作表，或把数据合并到一张表后再上传。"
            )
            hidden = _("（隐藏）") if imported.hidden else ""
            values = {"sheet": sheet.name, "other": imported.name, "hidden": hidden, "title": resource.title}
            errors.append((sheet.name, message % values))
        return errors, notes

    def check_sheet(self, resource, sheet, found, done, total):
        headers, ignored = [], []
        header_values = sheet.rows[found.index][1]
        for col, value in enumerate(header_values):
            if is_blank(value):
                continue
            letter = get_column_letter(col + 1)
            if col in found.columns:
                headers.append((letter, text_of(value), str(resource.fields[found.columns[col]].column_name)))
            else:
                ignored.append(f"{letter}：{text_of(value)}")
        result = SheetResult(
            resource, sheet.name, sheet.rows[found.index][0], found.columns, headers, ignored
        )
        if sheet.hidden:
            result.notes.append(_("这张工作表在文件中是隐藏的，按它的名称导入。"))
        for col in sorted(set(found.columns) & sheet.hidden_columns):
            letter = get_column_letter(col + 1)
            column = resource.column_of(found.columns[col])
            result.notes.append(
                _("%(letter)s 列“%(column)s”在文件中是隐藏的，它的值也会导入。")
                % {"letter": letter, "column": column}
            )
        mapped = set(found.columns.values())
        if resource.permissions and not self.user.has_perms(resource.permissions):
            result.errors.append(_("您没有导入“%(title)s”的权限。") % {"title": resource.title})
            return result
        missing_keys = [n for n in resource.key_names() if n not in mapped]
        if resource.blank_key_creates:
            missing_keys = []  # rows without the key are new records
        if missing_keys:
            result.errors.append(self.missing_message(resource, missing_keys))
            return result
        result.errors.extend(resource.check_columns(found.columns))
        if result.errors:
            return result
        data = sheet.rows[found.index + 1 :]
        self.prefetch(resource, found.columns, data)
        rows, read = [], {}
        for n, (number, values) in enumerate(data, start=1):
            row = self.clean_row(resource, found.columns, number, values, read)
            if row is not None:
                rows.append(row)
            if n % PROGRESS_EVERY == 0:
                self.progress(_("读取“%(sheet)s”") % {"sheet": sheet.name}, done + n // 2, total)
        result.rows = rows
        self.find_duplicates(resource, rows)
        existing = resource.find_existing(
            [
                {resource.fields[k].attribute: r.cleaned.get(k) for k in resource.key_names()}
                for r in rows
                if r.keyed
            ]
        )
        resource.find_visible(existing)
        missing_required = [n for n in resource.required_names() if n not in mapped]
        writer = self.writer
        for n, row in enumerate(rows, start=1):
            if row.keyed and not row.duplicate:
                self.check_row(resource, row, existing, mapped, missing_required)
            if writer is not None:
                if row.errors:
                    writer.refuse()
                elif row.status == NEW and row.instance is not None:
                    writer.add(resource, row)
            if n % PROGRESS_EVERY == 0:
                self.progress(
                    _("检查“%(sheet)s”") % {"sheet": sheet.name}, done + len(data) // 2 + n // 2, total
                )
        self.check_unique(resource, rows)
        self.check_hidden(sheet, rows)
        for row in rows:
            if row.errors:
                row.status = ERROR
        if missing_required and any(r.status == NEW for r in rows):
            result.errors.append(self.missing_message(resource, missing_required, new=True))
        self.remember(resource, rows)
        self.progress(_("检查“%(sheet)s”") % {"sheet": sheet.name}, done + len(data), total)
        if writer is not None:
            writer.sheet_checked(result)
        return result

    def check_hidden(self, sheet, rows):
        """A row the sheet hides (by hand or by a filter) may not be meant: refused if it changes anything."""
        if not sheet.hidden_rows:
            return
        if sheet.filtered:
            message = _("这一行被筛选隐藏了，无法确定是否要导入：请清除筛选后再上传，或删除不要导入的行。")
        else:
            message = _(
                "这一行在文件中是隐藏的，无法确定是否要导入：请取消隐藏后再上传，或删除不要导入的行。"
            )
        for row in rows:
            if row.number in sheet.hidden_rows and (row.status in (NEW, UPDATE) or row.errors):
                row.errors.append(("", message))

    def missing_message(self, resource, names, new=False):
        columns = "、".join(f"“{resource.fields[n].column_name}”" for n in names)
        if new:
            return _("缺少新建记录必填的列：%(columns)s。") % {"columns": columns}
        return _("缺少必需的列：%(columns)s。") % {"columns": columns}

    def prefetch(self, resource, columns, data):
        for col, name in columns.items():
            widget = resource.fields[name].widget
            if isinstance(widget, CachedLookupWidget):
                widget.prefetch(values[col] for _n, values in data if col < len(values))

    def cells_of(self, resource, columns):
        """([(column index, field name, widget, whether it reads a cell by its value alone,
        column name)], the key's field names) of a sheet: worked out once, not per row."""
        key = (id(resource), tuple(columns.items()))
        if key not in self.cells:
            cells = []
            for col, name in columns.items():
                widget = resource.fields[name].widget
                by_value = getattr(widget, "reads_by_value", False)
                cells.append((col, name, widget, by_value, resource.column_of(name)))
            self.cells[key] = (cells, frozenset(resource.key_names()))
        return self.cells[key]

    def clean_row(self, resource, columns, number, values, read):
        """The row's cells read by their columns' widgets. `read` keeps what the sheet's cells
        read as so far, for widgets that read a cell by its value alone (`reads_by_value`: a
        status, a dictionary entry, a customer), so a value repeated down a column is read once."""
        cells, key_names = self.cells_of(resource, columns)
        width = len(values)
        raw = {name: (values[col] if col < width else None) for col, name, *_rest in cells}
        if all(is_blank(v) for v in raw.values()):
            return None
        row = RowResult(number, {}, key_names=key_names)
        cleaned_cells = row.cleaned
        for _col, name, widget, by_value, column in cells:
            value = raw[name]
            if isinstance(value, str) and (error := error_value(value)) is not None:
                message = _(
                    "单元格显示的是电子表格的错误值“%(value)s”（公式出错），不是数据："
                    "请改正或清空这个单元格。"
                )
                row.errors.append((column, message % {"value": error}))
                row.failed.add(name)
                continue
            key = None
            if by_value:
                key = (name, value.__class__, as_checked(value))
            if key is not None and key in read:
                cleaned = read[key]
            else:
                try:
                    cleaned = widget.clean(value, row=raw)
                except (ValueError, ValidationError, ObjectDoesNotExist, TypeError, ArithmeticError) as e:
                    cleaned = e
                if key is not None:
                    read[key] = cleaned
            if isinstance(cleaned, Exception):
                row.errors.append((column, message_of(cleaned)))
                row.failed.add(name)
            else:
                cleaned_cells[name] = cleaned
        for name in resource.key_names():
            column = resource.column_of(name)
            if resource.blank_key_creates and all(is_blank_value(row.cleaned.get(n)) for n in row.key_names):
                break  # no key: a new record, whose key is given when it is written
            if name not in row.failed and is_blank_value(row.cleaned.get(name)):
                row.errors.append((column, _("“%(column)s”不能为空。") % {"column": column}))
                row.key_blank = True
        return row

    def find_duplicates(self, resource, rows):
        seen = {}
        for row in rows:
            if not row.keyed:
                continue
            key = row.key = resource.key_of(row.cleaned)
            if all(is_blank_value(k) for k in key):
                continue  # new records without a key yet (`blank_key_creates`)
            if key in seen:
                names = resource.key_names()
                label = "、".join(text_of(show(row.cleaned[n])) for n in names)
                column = str(resource.fields[names[-1]].column_name)
                row.errors.append(
                    (column, _("与第 %(row)d 行重复（%(key)s）。") % {"row": seen[key], "key": label})
                )
                row.duplicate = True
            else:
                seen[key] = row.number

    def check_row(self, resource, row, existing, mapped, missing_required):
        key = row.key  # every row checked here was keyed by `find_duplicates`
        matches = existing.get(key, [])
        if len(matches) > 1:
            row.errors.append(("", _("数据库中有多条记录与这一行对应，无法确定更新哪一条。")))
            return
        instance = matches[0] if matches else None
        new = instance is None
        if new:
            instance = resource.new_instance()
        else:
            message = resource.out_of_scope_message(instance) or resource.check_change(instance)
            if message:
                row.errors.append(("", message))
                return
            row.version = getattr(instance, "version", None)
        # A new record has no values to compare: every column of the row is a change.
        old = {} if new else {name: resource.fields[name].get_value(instance) for name in row.cleaned}
        assignment, dictionaries = self.assignment(resource)
        for name, value in row.cleaned.items():
            field_, keeps_default, none_as, attribute = assignment[name]
            if keeps_default and is_blank_value(value):
                continue  # a blank cell keeps the default (new) or the current value
            if value is None:
                value = none_as
            if attribute is None:
                field_.assign(instance, value)
            else:
                setattr(instance, attribute, value)
        if new:
            message = resource.prepare_new(instance, row.cleaned)
            if message:
                row.errors.append(("", message))
                return
        for name, value in row.cleaned.items():
            retired = name in dictionaries and value is not None and not value.is_active
            if retired and (new or old[name] != value):
                column = str(resource.fields[name].column_name)
                row.errors.append((column, _("“%(value)s”已停用，不能再选用。") % {"value": value.name}))
        row.instance = instance
        if new:
            row.changed.update([assignment[name][0].attribute for name in row.cleaned])
        else:
            for name in row.cleaned:
                field_ = resource.fields[name]
                new_value = field_.get_value(instance)
                if not same(old[name], new_value):
                    row.changed.add(field_.attribute)
                    row.changes.append((str(field_.column_name), show(old[name]), show(new_value)))
            if not row.changed:
                row.status = UNCHANGED
                return
        row.status = NEW if new else UPDATE
        row.errors.extend(resource.check_row(instance, new, row.cleaned))
        row.warnings.extend(resource.warn_row(instance, new, row.cleaned))
        self.validate(resource, row, instance, new, mapped)

    def assignment(self, resource):
        """({field name: (field, whether a blank cell keeps the model field's default, what an
        empty cell is written as, the attribute set when the field assigns a value plainly)},
        the names of dictionary columns) of a resource, worked out once per import: a text
        field that may not be null gets "" for an empty cell."""
        if id(resource) not in self.assigned:
            fields = {}
            for name, field_ in resource.fields.items():
                model_field = resource.model_field(field_)
                keeps_default = model_field is not None and model_field.has_default()
                text = (
                    model_field is not None
                    and not model_field.null
                    and not model_field.is_relation
                    and model_field.empty_strings_allowed
                )
                plain = type(field_).assign is ImportField.assign
                fields[name] = (
                    field_,
                    keeps_default,
                    "" if text else None,
                    field_.attribute if plain else None,
                )
            dictionaries = {n for n, f in resource.fields.items() if isinstance(f.widget, DictionaryWidget)}
            self.assigned[id(resource)] = (fields, dictionaries)
        return self.assigned[id(resource)]

    def validate(self, resource, row, instance, new, mapped):
        """The model's own field rules (lengths, formats, checksums), as column errors.

        Only the file's columns are validated (a missing required column is
        reported once for the sheet); relations were checked by their lookups,
        so no query runs per row. A field's rules depend on its value alone: a
        value the field accepted on an earlier row of the file (a status, a
        grade, a date, a quantity repeat down a column) is not checked again.
        The model's `clean()`, the rules across fields, runs for every row.
        """
        columns, exclude, relations, checked = self.validated_fields(
            resource, instance, mapped, frozenset(row.failed)
        )
        for f in relations:
            if getattr(instance, f.name, None) is None:
                row.errors.append(
                    (columns[f.name], _("“%(column)s”不能为空。") % {"column": columns[f.name]})
                )
        accepted = self.accepted
        values, known = [], set()
        for name, attname, qualified in checked:
            value = getattr(instance, attname)
            key = (qualified, value.__class__, as_checked(value))
            try:
                if key in accepted:
                    known.add(name)
                else:
                    values.append((attname, value, key))
            except TypeError:  # unhashable (a list of coil numbers): checked every time
                pass
        try:
            instance.full_clean(exclude=exclude | known, validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            for name, errors in e.error_dict.items():
                # A rule across fields (`Model.clean`) may name a column the file does not have.
                column = columns.get(name) or resource.column_for_attribute(name)
                for error in errors:
                    row.errors.extend((column, m) for m in scope.for_user(self.user, error).messages)
            return
        for attname, value, key in values:
            # Only a value cleaning kept as it was (not turned into another type or value), so a
            # later row skipping the check ends with exactly what the check would have given.
            cleaned = getattr(instance, attname)
            if cleaned is value or (
                cleaned.__class__ is value.__class__ and as_checked(cleaned) == as_checked(value)
            ):
                accepted.add(key)

    def validated_fields(self, resource, instance, mapped, failed):
        """(attribute → column, fields full_clean leaves out, required relations the file gives,
        (name, attname, "app.Model.name") of the fields it checks): the same for every row
        whose cells all read, so worked out once per sheet, not per row."""
        key = (id(resource), failed)
        cache = self.validated
        if key not in cache:
            columns = {resource.fields[n].attribute: resource.column_of(n) for n in mapped - failed}
            fields = instance._meta.fields
            exclude = frozenset(f.name for f in fields if f.is_relation or f.name not in columns)
            relations = [f for f in fields if f.is_relation and f.name in columns and not f.null]
            label = instance._meta.label
            checked = [(f.name, f.attname, f"{label}.{f.name}") for f in fields if f.name not in exclude]
            cache[key] = (columns, exclude, relations, checked)
        return cache[key]

    def check_unique(self, resource, rows):
        """Values unique among all records (besides the key): within the file and against the database."""
        model = resource.model
        for attributes in resource.unique_checks:
            columns = [
                resource.fields[n] for n in resource.fields if resource.fields[n].attribute in attributes
            ]
            column = str(columns[-1].column_name) if columns else ""
            candidates = [r for r in rows if r.status in (NEW, UPDATE) and r.instance is not None]
            candidates = [r for r in candidates if set(attributes) & r.changed or r.status == NEW]
            values = {}
            for row in candidates:
                value = tuple(getattr(row.instance, a) for a in attributes)
                if any(v in (None, "") for v in value):
                    continue
                if value in values:
                    shown = "、".join(text_of(show(v)) for v in value)
                    message = _("与第 %(row)d 行重复（%(value)s）。")
                    row.errors.append((column, message % {"row": values[value].number, "value": shown}))
                else:
                    values[value] = row
            taken = {}
            items = list(values)
            for start in range(0, len(items), 5000):
                query = Q()
                chunk = items[start : start + 5000]
                if len(attributes) == 1:
                    query = Q(**{f"{attributes[0]}__in": [v[0] for v in chunk]})
                else:
                    for value in chunk:
                        query |= Q(**dict(zip(attributes, value, strict=True)))
                for obj in model._default_manager.filter(query):
                    taken[tuple(getattr(obj, a) for a in attributes)] = obj
            held = [(value, row, taken.get(value)) for value, row in values.items()]
            held = [(value, row, o) for value, row, o in held if o is not None and o.pk != row.instance.pk]
            # The record holding a value is named only to a user who may see it.
            visible = scope.visible_among(self.user, model, [other.pk for _v, _r, other in held])
            for value, row, other in held:
                shown = "、".join(text_of(show(v)) for v in value)
                message = scope.taken_message(shown, other, other.pk in visible, label=resource.label)
                row.errors.append((column, message))

    def remember(self, resource, rows):
        """Let later sheets refer to this sheet's records, new ones included, by their lookup keys."""
        keys = set()
        for other in self.resources:
            for f in other.fields.values():
                if isinstance(f.widget, CachedLookupWidget) and f.widget.model is resource.model:
                    keys.update(f.widget.keys)
        if not keys:
            return
        pending = self.pending.setdefault(resource.model, {})
        for row in rows:
            if row.instance is not None and row.status != ERROR:
                for key in keys:
                    value = getattr(row.instance, key, None)
                    if not is_blank_value(value):
                        pending.setdefault(match_key(value), row.instance)

    # Apply ------------------------------------------------------------------

    def apply(self, result, context=None):
        """Write every row of a checked file in one transaction; returns the counts."""
        if not result.ok:
            raise ValueError("a file with errors cannot be applied")
        now = timezone.now()
        with self.writing(context):
            for sheet in result.sheets:
                self.apply_sheet(sheet, now)
        return result.counts()

    def check_and_apply(self, sheets, context=None):
        """`check` the file and write it: (result, counts), counts None when the file has errors
        and nothing is written. A conflict with the database while writing refuses it all
        (ImportConflict).

        Where every resource allows it (`writes_while_checked`), the rows are written as they pass
        the check, a batch at a time, by `imports.writer.Writer` (a thread with a connection of its
        own, one transaction): the database writes a batch while the next is checked, and the
        writes are rolled back if any row is refused. Else, and where this thread's connection
        is inside a transaction (whose rows another connection would not see), the file is
        checked, then applied."""
        in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
        if in_transaction or not all(r.writes_while_checked for r in self.resources):
            result = self.check(sheets)
            if not result.ok:
                return result, None
            self.progress(_("写入数据库"), self.total, self.total)
            return result, self.apply(result, context)
        self.writer = writer = Writer(self, context)
        try:
            result = self.check(sheets)
        except BaseException:
            writer.abandon()
            raise
        finally:
            self.writer = None
        self.progress(_("写入数据库"), self.total, self.total)
        return result, writer.finish(result)

    @contextmanager
    def writing(self, context=None):
        """The transaction an import writes in, with its history context (the importing user);
        a conflict with the database's records refuses the whole file (ImportConflict)."""
        try:
            with transaction.atomic(), pghistory.context(user=self.user.pk, **(context or {})):
                yield
        except IntegrityError as e:
            message = _("写入时与数据库中的记录冲突（可能他人刚刚修改了同样的数据），未导入任何数据：%(e)s")
            raise ImportConflict(message % {"e": e}) from e

    def apply_sheet(self, sheet, now, written=frozenset()):
        """Write a checked sheet's rows; `written`: the ids of its rows written already, a batch at a
        time while it was checked (`imports.writer`)."""
        resource = sheet.resource
        model = resource.model
        # A change to a record this import itself copies (a plan's new draft
        # revision) is written as a new row.
        creates = [
            r.instance
            for r in sheet.rows
            if id(r) not in written and (r.status == NEW or (r.status == UPDATE and r.instance.pk is None))
        ]
        updates = [r for r in sheet.rows if r.status == UPDATE and r.instance.pk is not None]
        versioned = any(f.name == "version" for f in model._meta.fields)
        if updates:
            current = {}
            pks = [r.instance.pk for r in updates]
            for start in range(0, len(pks), 10000):
                lock = model._default_manager.select_for_update().filter(pk__in=pks[start : start + 10000])
                current.update(lock.values_list("pk", "version" if versioned else "pk"))
            for row in updates:
                pk = row.instance.pk
                if pk not in current or (versioned and current[pk] != row.version):
                    message = _("“%(sheet)s”第 %(row)d 行的记录在检查之后被他人修改或删除，未导入任何数据。")
                    raise ImportConflict(message % {"sheet": sheet.name, "row": row.number})
        self.stamp(creates)
        resource.before_save(creates, [r.instance for r in updates])
        for batch in _chunks(creates):
            copy_create(model, batch)
        if updates:
            concrete = {f.name for f in model._meta.concrete_fields}
            fields = set().union(*(r.changed for r in updates)) & concrete
            self.stamp([r.instance for r in updates])
            for f in model._meta.fields:
                if f.name in ("version", "updated_by") and hasattr(updates[0].instance, "stamp"):
                    fields.add(f.name)
                if getattr(f, "auto_now", False):
                    fields.add(f.name)
                    for row in updates:
                        setattr(row.instance, f.attname, now)
            objs = [r.instance for r in updates]
            if fields:
                model._default_manager.bulk_update(objs, sorted(fields), batch_size=500)
        resource.after_save(sheet.rows)

    def stamp(self, objs):
        """The importing user recorded as the author of the records' change (`ArchiveModel.stamp`)."""
        for obj in objs:
            if hasattr(obj, "stamp"):
                obj.stamp(self.user)


def _chunks(items):
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


@dataclass
class Header:
    index: int  # position in the sheet's non-empty rows
    columns: dict  # column index → field name
    score: int


def find_header(sheet, resource):
    """The row among the first few that names the most of the resource's columns,
    provided it names the key columns."""
    best = None
    for index, (_number, values) in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        columns, used = {}, set()
        for col, value in enumerate(values):
            if is_blank(value) or not isinstance(value, str):
                continue
            name = resource.field_for_header(value)
            if name and name not in used:
                columns[col] = name
                used.add(name)
        if not resource.header_ok(used):
            continue
        if best is None or len(used) > best.score:
            best = Header(index, columns, len(used))
    return best


def as_checked(value):
    """A value as a field's rules see it: a decimal with its digits (1.0 and 1.000 are equal
    numbers, but only one may fit a field's decimal places)."""
    return str(value) if isinstance(value, Decimal) else value


def is_blank_value(value):
    return value is None or (isinstance(value, str) and not value.strip())


def same(a, b):
    if is_blank_value(a) and is_blank_value(b):
        return True
    return a == b


def show(value):
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if hasattr(value, "_meta"):
        return getattr(value, "name", None) or str(value)
    return shown(value)
