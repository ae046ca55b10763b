"""Change history for every model, recorded by PostgreSQL triggers.

django-pghistory installs insert/update/delete triggers, so bulk_create,
QuerySet.update() and raw SQL are recorded as well as save(); the request's
user comes from pghistory's middleware context (an import's, from the
`pghistory.context` it writes in).

The triggers are statement-level: one trigger call per INSERT, UPDATE or
DELETE statement writes the events of all its rows in one INSERT … SELECT
from the statement's transition tables, and attaches the context once. A
bulk write of thousands of rows (an import) then costs one trigger call, not
one per row; a single save() costs what a row-level trigger did.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

import pghistory
import pghistory.core
import pghistory.utils
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from pghistory.models import Context

from archive_site.lib import numbers
from archive_site.lookups import array_literal


def tracked(**kwargs):
    """Decorator: record every create, change and delete of the model.

    The event table copies the model's columns. Of its references it indexes those a history
    is read by (`events_for`: a page asks for its record's events and those of the records
    that refer to it, a customer's contacts, an objection's photos) and not the values a
    record names: the people who made and changed it and its dictionary entries. No page reads
    history by them, and each index is one more entry to write with every event: 94 of the 138
    references of all event tables, 7 of the 8 of a customer's and a contact's. A 60 000-row
    customer import writes 5 % faster without them (its apply 11 %, bench/imports.py)."""
    # New trackers for every model: pghistory fills them in per model.
    kwargs.setdefault("level", LEVEL)

    def track(model):
        event_model = pghistory.create_event_model(
            model,
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            abstract=False,
            **kwargs,
        )
        for field in event_model._meta.fields:
            if field.many_to_one and field.name not in EVENT_KEYS:
                # A model may leave a reference's index to a longer one of its own (a part's
                # customer, to its number within the customer), which the event table lacks.
                field.db_index = not names_a_value(field)
        return model

    return track


# The event's own references: its row and its context (who, from where), every history's keys.
EVENT_KEYS = ("pgh_obj", "pgh_context")
# What a record names without being part of its history: people and dictionary entries.
VALUE_MODELS = {settings.AUTH_USER_MODEL.lower(), "archive_site.dictentry"}


def names_a_value(field):
    """Whether a reference of an event table is to a person or a dictionary entry (its model
    may still be named by a string while the models are being defined)."""
    target = field.remote_field.model
    label = target.lower() if isinstance(target, str) else target._meta.label_lower
    return label in VALUE_MODELS


LEVEL = pghistory.Statement


@dataclass(frozen=True, eq=False)  # one object per event, hashed as itself: a change is grouped by it
class Event:
    """One recorded change of one row, with the attributes pghistory's `MiddlewareEvents` gives
    it: the row as it was then (`pgh_data`), what changed since the row's previous event
    (`pgh_diff`: {column: [old, new]}, None when nothing did or there was none), and who."""

    pgh_model: str  # the event model's label: "quality.ObjectionEvent"
    pgh_id: int
    pgh_created_at: datetime.datetime
    pgh_label: str  # insert, update, delete
    pgh_obj_model: str  # the tracked model's label: "quality.Objection"
    pgh_obj_id: str
    pgh_data: dict
    pgh_diff: dict | None
    pgh_context_id: uuid.UUID | None
    user: models.Model | None

    @property
    def pgh_slug(self):
        return f"{self.pgh_model}:{self.pgh_id}"


def events_for(*objs, limit=None):
    """The events of the objects and of every row that refers to them, newest first: the newest
    `limit` of them (all without one). The objects may be of different models (a plan and its
    revisions).

    The events `pghistory.models.MiddlewareEvents.objects.references(*objs)` gives, read in one
    query that PostgreSQL plans several times sooner: pghistory's computes each event's data and
    change in SQL, in every branch of a union of all event tables, for every event of the
    objects, and a customer's history (fifteen tables refer to a customer) took 4–11 ms to plan
    before it ran. Here each table gives its newest `limit` events with the previous event of
    each row, and the changes are compared here, for the events shown alone
    (bench/history.py measures both).
    """
    db = connections[router.db_for_read(Context)]  # the replica on a page that reads from it
    wanted = defaultdict(set)  # referenced model -> primary keys
    for obj in objs:
        wanted[obj._meta.concrete_model].add(obj.pk)
    branches, params = [], []
    for event_model in pghistory.core.event_models():
        conditions = []
        for field in event_model._meta.fields:
            if (target := pghistory.utils.related_model(field)) in wanted:
                conditions.append(f"{db.ops.quote_name(field.column)} = ANY(%s::bigint[])")
                params.append(array_literal(sorted(wanted[target])))
        if conditions:
            branches.append(_event_branch(db, event_model, " OR ".join(conditions), limit))
    if not branches:
        return []
    user_model = get_user_model()
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{db.ops.quote_name(f.column)}" for f in user_model._meta.concrete_fields)
    sql = f"""
        SELECT e.*, {columns}
        FROM ({" UNION ALL ".join(branches)}) e
        LEFT JOIN {Context._meta.db_table} c ON c.id = e.pgh_context_id
        LEFT JOIN {user_model._meta.db_table} u ON u.id = (c.metadata->>'user')::bigint
        ORDER BY e.pgh_created_at DESC, e.pgh_id DESC
        {_limit(limit)}
    """
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    events = []
    user_id = user_fields.index(user_model._meta.pk.attname)
    for label, pgh_id, created_at, action, obj_id, context_id, data, previous, *user in rows:
        data = {k: v for k, v in data.items() if not k.startswith("pgh_")}
        changed = {k: [previous[k], v] for k, v in data.items() if k in (previous or ()) and previous[k] != v}
        tracked = apps.get_model(label).pgh_tracked_model._meta.label
        person = None if user[user_id] is None else user_model.from_db(db.alias, user_fields, user)
        events.append(
            Event(
                label, pgh_id, created_at, action, tracked, obj_id, data, changed or None, context_id, person
            )
        )
    return events


def _event_branch(db, event_model, condition, limit):
    """The newest events of one event table that meet `condition`, each with its row's previous
    event (`previous`, as JSON), whatever its action."""
    table = db.ops.quote_name(event_model._meta.db_table)
    return f"""(
        SELECT '{event_model._meta.label}' AS pgh_model, e.pgh_id, e.pgh_created_at, e.pgh_label,
            e.pgh_obj_id::text, e.pgh_context_id, row_to_json(e) AS data,
            (SELECT row_to_json(p) FROM {table} p WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id
             ORDER BY p.pgh_id DESC LIMIT 1) AS previous
        FROM (
            SELECT * FROM {table} WHERE {condition} ORDER BY pgh_created_at DESC, pgh_id DESC {_limit(limit)}
        ) e
    )"""


def _limit(limit):
    return f"LIMIT {int(limit)}" if limit is not None else ""


LABELS = {"insert": _("新建"), "update": _("修改"), "delete": _("删除")}


def describe_events(events, known=()):
    """History ready to show: one entry per change a person made, with each value as the pages show it.

    Events recorded in one request (one pghistory context: a demand saved with its
    composition rows, an objection with its photos) make one entry: who, when, and the
    records it touched, the main record first — each with its changes old → new. Foreign
    keys are shown by name (dictionary entries in the page's language), choices by label,
    times in local time, numbers without trailing zeros, files by name, lists joined. Every
    referenced row is fetched in one query per model, so a page of history costs a constant
    number of queries; none for the rows in `known` (records the page has loaded already: the
    record itself, which its photos and status changes name, its customer).
    """
    wanted = defaultdict(set)  # related model -> ids
    groups = {}  # context id (or the event itself, when recorded outside a request) -> records
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        if event.pgh_label == "update":
            raw = event.pgh_diff or {}
        else:
            raw = {
                k: (None, v) if event.pgh_label == "insert" else (v, None) for k, v in event.pgh_data.items()
            }
        changes = []
        for attname, (old, new) in raw.items():
            field = _field(model, attname)
            if field is None or old in (None, "", []) and new in (None, "", []):
                continue
            if field.is_relation and field.many_to_one:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
            changes.append((field, old, new))
        key = event.pgh_context_id or event
        groups.setdefault(key, []).append((event, model, changes))
    loaded = defaultdict(dict)  # model -> id -> row, of `known`
    for row in known:
        if row is not None:
            loaded[row._meta.concrete_model][row.pk] = row
    names = {}
    for model, ids in wanted.items():
        names[model] = {pk: loaded[model][pk] for pk in ids if pk in loaded[model]}
        if missing := ids - names[model].keys():
            names[model].update(_in_bulk(model, missing))

    def show(field, value):
        if value is None or value == "" or value == []:
            return ""
        if field.is_relation:
            row = names[field.related_model].get(value, value)
            if isinstance(row, ContentType):  # what was printed or linked: a kind of record
                return str(row.model_class()._meta.verbose_name) if row.model_class() else row.model
            return str(row)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, list):  # ArrayField: as the pages join coil numbers
            return " ".join(str(v) for v in value)
        if isinstance(field, models.DateTimeField):
            moment = parse_datetime(str(value))
            return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else str(value)
        if isinstance(field, models.FileField):
            return PurePosixPath(str(value)).name
        if isinstance(field, models.DecimalField | models.FloatField):
            return numbers.plain(Decimal(str(value)))  # as `num` writes them: 0.800 → 0.8
        return str(value)

    def record(event, model, changes):
        return {
            "action": LABELS.get(event.pgh_label, event.pgh_label),
            "model": model._meta.verbose_name,
            "object": _object_label(event.pgh_data),
            "changes": [(f.verbose_name, show(f, old), show(f, new)) for f, old, new in changes],
        }

    entries = []
    for rows in groups.values():
        records = [record(*row) for row in _main_first(rows)]
        first = rows[0][0]
        entries.append(
            {
                "when": first.pgh_created_at,
                "user": first.user,
                "records": records,
                # The main record's action and name, and every change of the entry, for summaries.
                "action": records[0]["action"],
                "model": records[0]["model"],
                "object": records[0]["object"],
                "changes": [change for r in records for change in r["changes"]],
            }
        )
    return entries


def summarize(event):
    """One event in a line, without a query: its action, the kind and name of the record, and the
    names of the fields it changed (the values are `describe_events`' work)."""
    model = apps.get_model(event.pgh_obj_model)
    changed = (event.pgh_diff or {}) if event.pgh_label == "update" else {}
    fields = [field for field in (_field(model, attname) for attname in changed) if field is not None]
    return {
        "when": event.pgh_created_at,
        "user": event.user,
        "action": LABELS.get(event.pgh_label, event.pgh_label),
        "model": model._meta.verbose_name,
        "object": _object_label(event.pgh_data),
        "fields": [str(f.verbose_name) for f in fields],
        "record_model": model,
        "data": event.pgh_data,
    }


def _main_first(rows):
    """The records of one change, those that belong to another record of it (rows of a demand,
    photos of an objection) after the record they belong to; otherwise in the order given."""
    present = {model for _event, model, _changes in rows}

    def belongs(model):
        return any(
            f.many_to_one and f.related_model in present and f.related_model is not model
            for f in model._meta.concrete_fields
            if f.is_relation
        )

    return sorted(rows, key=lambda row: belongs(row[1]))


def _in_bulk(model, ids):
    """The rows by id, with the relations their names are made of (`model.str_related`),
    so that naming them costs no query per row."""
    rows = model._default_manager.all()
    related = getattr(model, "str_related", ())
    if related:  # select_related() without names would follow every foreign key
        rows = rows.select_related(*related)
    return rows.in_bulk(ids)


# Bookkeeping every record has, and the thumbnail a photo's image is made into.
SKIPPED = {"id", "created_at", "updated_at", "created_by", "updated_by", "version", "thumbnail"}


def _field(model, attname):
    for field in model._meta.concrete_fields:
        if field.attname == attname and field.name not in SKIPPED:
            return field
    return None


def _object_label(data):
    for key in ("name", "title", "number", "code", "username"):
        if data.get(key):
            return data[key]
    return ""
