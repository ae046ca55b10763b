"""The import's path as it was before a check kept the garbage collector to the newest
objects, before `copy_create` built COPY's text a column at a time, and before a row's cells
were read and assigned with what is worked out once per sheet: kept here verbatim as the
benchmarks' baseline (`bench.imports`, `bench.objections`: the "former" variant).

`former_import()` puts these back into the engine for the process it runs in (a bench child of
its own)."""

import io

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connections, models
from django.db.models.expressions import DatabaseDefault
from django.utils.translation import gettext as _

from archive_site.copy import NULL, _converter
from imports.engine import (
    NEW,
    UNCHANGED,
    UPDATE,
    RowResult,
    as_checked,
    error_value,
    is_blank,
    is_blank_value,
    message_of,
    same,
    show,
)
from imports.widgets import DictionaryWidget


def former_import():
    """The engine as it was: the collector with its usual thresholds during a check, the former per-row
    conversion of COPY's text, the former cell loops."""
    from imports import engine

    engine.Importer.check = engine.Importer.check.__wrapped__
    engine.copy_create = copy_create
    engine.Importer.clean_row = clean_row
    engine.Importer.check_row = check_row


def copy_create(model, objs, using="default"):
    """Insert `objs` (new, unsaved instances of `model`) with COPY; each gets its primary key.

    Falls back to `bulk_create` when a value is to be drawn by the database, or a field is of a
    type no converter is written for."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[using]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    converters = [_converter(field, connection) for field in fields]
    for obj in objs:
        # A parent saved after it was assigned gives its id now (as `bulk_create` does).
        obj._prepare_related_fields_for_save(operation_name="copy_create")
    drawn = any(isinstance(getattr(obj, f.attname, None), DatabaseDefault) for obj in objs for f in fields)
    if None in converters or drawn:
        return model._default_manager.using(using).bulk_create(objs)
    pk = meta.pk
    missing = [obj for obj in objs if obj.pk is None]
    with connection.cursor() as cursor:
        # Through Django's cursor, so pghistory attaches the history context (the acting user)
        # to this transaction before the COPY; it skips statements that begin with SELECT.
        cursor.execute(
            "WITH ids AS (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id FROM generate_series(1, %s)) "
            "SELECT id FROM ids",
            [meta.db_table, pk.column, len(missing)],
        )
        for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, value)
        # Only fields that change a value as it is saved (auto_now, files) are asked for it.
        pre_save = [type(field).pre_save is not models.Field.pre_save for field in fields]
        columns = list(zip(fields, converters, pre_save, strict=True))
        buffer = io.StringIO()
        for obj in objs:
            values = []
            for field, convert, asked in columns:
                value = field.pre_save(obj, True) if asked else getattr(obj, field.attname)
                values.append(NULL if value is None else convert(value))
            buffer.write("\t".join(values))
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def clean_row(self, resource, columns, number, values, read):
    """The row's cells read by their columns' widgets. `read` keeps what the sheet's cells
    read as so far, for widgets that read a cell by its value alone (`reads_by_value`: a
    status, a dictionary entry, a customer), so a value repeated down a column is read once."""
    raw = {name: (values[col] if col < len(values) else None) for col, name in columns.items()}
    if all(is_blank(v) for v in raw.values()):
        return None
    row = RowResult(number, {}, key_names=set(resource.key_names()))
    for name, value in raw.items():
        field_ = resource.fields[name]
        error = error_value(value)
        if error is not None:
            message = _(
                "单元格显示的是电子表格的错误值“%(value)s”（公式出错），不是数据：请改正或清空这个单元格。"
            )
            row.errors.append((resource.column_of(name), message % {"value": error}))
            row.failed.add(name)
            continue
        widget = field_.widget
        key = None
        if getattr(widget, "reads_by_value", False):
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
            row.errors.append((str(field_.column_name), message_of(cleaned)))
            row.failed.add(name)
        else:
            row.cleaned[name] = cleaned
    for name in resource.key_names():
        column = resource.column_of(name)
        if resource.blank_key_creates and all(is_blank_value(row.cleaned.get(n)) for n in row.key_names):
            break  # no key: a new record, whose key is given when it is written
        if name not in row.failed and is_blank_value(row.cleaned.get(name)):
            row.errors.append((column, _("“%(column)s”不能为空。") % {"column": column}))
            row.key_blank = True
    return row


def check_row(self, resource, row, existing, mapped, missing_required):
    key = resource.key_of(row.cleaned)
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
    for name, value in row.cleaned.items():
        field_ = resource.fields[name]
        model_field = resource.model_field(field_)
        if is_blank_value(value) and model_field is not None and model_field.has_default():
            continue  # a blank cell keeps the default (new) or the current value
        if value is None and model_field is not None and not model_field.null and not model_field.is_relation:
            value = "" if model_field.empty_strings_allowed else value
        field_.assign(instance, value)
    if new:
        message = resource.prepare_new(instance, row.cleaned)
        if message:
            row.errors.append(("", message))
            return
    for name, value in row.cleaned.items():
        widget = resource.fields[name].widget
        retired = isinstance(widget, DictionaryWidget) and value is not None and not value.is_active
        if retired and (new or old[name] != value):
            column = str(resource.fields[name].column_name)
            row.errors.append((column, _("“%(value)s”已停用，不能再选用。") % {"value": value.name}))
    row.instance = instance
    if new:
        row.changed.update(resource.fields[name].attribute for name in row.cleaned)
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
