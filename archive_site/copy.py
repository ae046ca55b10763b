"""Writing many new records with COPY: what `bulk_create` does, at the database's speed.

`bulk_create` compiles one INSERT per batch with a placeholder and a prepared parameter per
value: of an objection import's 10.8 s apply (20 000 rows), ~55 % went to Django building
that statement (`field_as_sql`, `get_db_prep_save` per value) and ~30 % to the database
(bench/objections.py). `copy_create` asks the sequence for the ids, turns each column's
values into COPY's text once per value with a converter chosen once per column, and streams
the rows with `COPY … FROM STDIN`. The history triggers are statement-level and fire on COPY
as on INSERT (one pass for the batch); the history context (the acting user) is attached by
the ids query, which goes through Django's cursor in the same transaction.

Records whose values the database draws (`db_default`, such as a customer's numbered code)
are left to `bulk_create`, which lets PostgreSQL fill them in.
"""

import datetime
import decimal
import io
import json
import uuid
from operator import attrgetter

from django.db import connections, models
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

NULL = r"\N"
TEXT_FIELDS = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField", "ImageField"}
INTEGER_FIELDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
# Types whose value Django prepares as a number, a date or plain text.
PREPARED_FIELDS = {"FloatField", "UUIDField", "TimeField", "GenericIPAddressField"}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_create(model, objs, using="default"):
    """Insert `objs` (new, unsaved instances of `model`) with COPY; each gets its primary key.

    Falls back to `bulk_create` when a value is to be drawn by the database, or a field is of a
    type no converter is written for.

    The text is built a column at a time: each column's values are read with one getter, and a
    value repeated down the column (a status, a category, the importing user, the moment of the
    import) is converted once. Fields stamped with the time of writing (`auto_now`,
    `auto_now_add`) get one moment for the whole batch, as a database default `now()` gives
    every row of a transaction."""
    return CopyRows(model, objs, using).write()


class CopyRows:
    """New records of one model as COPY's text (`copy_create`), made in two steps: every column's
    text but the primary key's and the `late` fields' when the records are given, and those when
    they are written (`write`), with the primary keys drawn from the sequence then. Between the
    two, the `late` fields may still be set (an objection's number, drawn as it is written),
    and nothing else: the rest of the text is made already, each row's columns joined, and the
    COPY names the late columns last. An import's checking thread makes the first step while
    the writing thread writes the batch before (`imports.writer`), which is then left to join
    a few columns to each row."""

    def __init__(self, model, objs, using="default", late=()):
        self.model, self.objs, self.using = model, list(objs), using
        connection = connections[using]
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.generated]
        self.converters = {field: _converter(field, connection) for field in self.fields}
        take_saved_parents(model, self.objs, "copy_create")
        columns = {field: list(map(attrgetter(field.attname), self.objs)) for field in self.fields}
        drawn = any(
            issubclass(cls, DatabaseDefault) for values in columns.values() for cls in set(map(type, values))
        )
        self.copied = bool(self.objs) and None not in self.converters.values() and not drawn
        late = [meta.pk, *(meta.get_field(name) for name in late)]
        self.late = [field for field in self.fields if field in late]
        self.early = [field for field in self.fields if field not in late]
        self.rows = []  # each row's early columns, joined
        if not self.copied:
            return
        now = timezone.now()
        texts = []
        for field in self.early:
            convert = self.converters[field]
            values = columns[field]
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                stamp = now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
                for obj in self.objs:
                    setattr(obj, field.attname, stamp)
                values = [stamp] * len(self.objs)
            elif type(field).pre_save is not models.Field.pre_save and not isinstance(
                field, models.DateField
            ):
                # A field that changes its value as it is saved (a file, committed to storage).
                values = [field.pre_save(obj, True) for obj in self.objs]
            texts.append(_texts(values, convert))
        self.rows = list(map("\t".join, zip(*texts, strict=True))) if texts else [""] * len(self.objs)

    def write(self):
        """COPY the records (or `bulk_create` them, where COPY's text is not made); returns them."""
        objs, using = self.objs, self.using
        if not objs:
            return objs
        if not self.copied:
            return self.model._default_manager.using(using).bulk_create(objs)
        connection = connections[using]
        meta = self.model._meta
        pk = meta.pk
        missing = [obj for obj in objs if obj.pk is None]
        with connection.cursor() as cursor:
            # Through Django's cursor, so pghistory attaches the history context (the acting user)
            # to this transaction before the COPY; it skips statements that begin with SELECT.
            cursor.execute(
                "WITH ids AS (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id "
                "FROM generate_series(1, %s)) SELECT id FROM ids",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
            late = [_texts(list(map(attrgetter(f.attname), objs)), self.converters[f]) for f in self.late]
            lines = zip(self.rows, *late, strict=True) if self.early else zip(*late, strict=True)
            text = "\n".join(map("\t".join, lines)) + "\n"
            names = ", ".join(connection.ops.quote_name(f.column) for f in [*self.early, *self.late])
            table = connection.ops.quote_name(meta.db_table)
            with connection.wrap_database_errors:  # Django's errors, as its own statements raise
                # Read in one piece: psycopg2 takes the interpreter's lock again for every piece it
                # reads (8 kB by default), and a thread checking beside it held it for up to 5 ms
                # each time.
                cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text), len(text))
        for obj in objs:
            obj._state.adding = False
            obj._state.db = using
        return objs


def take_saved_parents(model, objs, operation_name):
    """`Model._prepare_related_fields_for_save` for many records of one model, looking only at
    its relations: a parent assigned before it was saved gives its id now, an unsaved one is
    refused (its record would lose the relation)."""
    meta = model._meta
    if any(getattr(f, "fk_field", None) for f in meta.private_fields):
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name=operation_name)
        return
    for field in meta.concrete_fields:
        if not field.is_relation:
            continue
        cache_name, attname, target = field.cache_name, field.attname, field.target_field.attname
        checked = None  # the parent last found saved (records of a batch share the acting user)
        for obj in objs:
            parent = obj._state.fields_cache.get(cache_name)
            if not parent:
                continue
            if parent is not checked:
                if not parent._is_pk_set():
                    if not field.remote_field.multiple:
                        field.remote_field.delete_cached_value(parent)
                    raise ValueError(
                        f"{operation_name}() prohibited to prevent data loss due to unsaved related object "
                        f"'{field.name}'."
                    )
                checked, parent_id = parent, getattr(parent, target)
            value = getattr(obj, attname)
            if value in field.empty_values:
                setattr(obj, field.name, parent)
                value = getattr(obj, attname)
            if parent_id != value:
                field.delete_cached_value(obj)


def _texts(values, convert):
    """Each value's text in COPY's format; a value that is the same object as the one before it
    is converted once."""
    texts = []
    append = texts.append
    last, text = None, NULL
    for value in values:
        if value is not last:
            last = value
            text = NULL if value is None else convert(value)
        append(text)
    return texts


def _converter(field, connection):
    """A function from a field's Python value (not None) to its text in COPY's text format."""
    internal = field.get_internal_type()
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return _converter(target, connection) if not target.is_relation else _prepared(field, connection)
    if internal in TEXT_FIELDS:
        return lambda value: str(value).translate(_ESCAPES)
    if internal in INTEGER_FIELDS:
        return lambda value: str(int(value))
    if internal == "BooleanField":
        return lambda value: "t" if value else "f"
    if internal == "DecimalField":
        return lambda value: str(field.to_python(value))
    if internal == "DateField":
        return lambda value: field.to_python(value).isoformat()
    if internal == "DateTimeField":
        # Django's own preparation: a naive time is taken in the default time zone, as on save.
        return lambda value: field.get_prep_value(value).isoformat()
    if internal == "ArrayField":
        # Elements are written as quoted text: only types whose text PostgreSQL reads back.
        base = field.base_field.get_internal_type()
        return _array if base in TEXT_FIELDS | INTEGER_FIELDS | {"DateField"} else None
    if internal == "JSONField":
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder).translate(_ESCAPES)
    if internal in PREPARED_FIELDS:
        return _prepared(field, connection)
    return None  # a type COPY's text is not written for here: the records go through bulk_create


def _array(values):
    """An array's literal: each element quoted (dates as ISO text), NULL unquoted."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        else:
            text = value.isoformat() if isinstance(value, datetime.date) else str(value)
            items.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ("{" + ",".join(items) + "}").translate(_ESCAPES)


def _prepared(field, connection):
    """A field of `PREPARED_FIELDS`: its value as Django prepares it for the database, as text."""

    def convert(value):
        value = field.get_db_prep_save(value, connection)
        if value is None:
            return NULL
        if isinstance(value, (decimal.Decimal, int, float, uuid.UUID)):
            return str(value)
        if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
            return value.isoformat()
        return str(value).translate(_ESCAPES)

    return convert
