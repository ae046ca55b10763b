"""Change history for every model, recorded by PostgreSQL triggers.

django-pghistory installs insert/update/delete triggers, so bulk_create,
QuerySet.update() and raw SQL are recorded as well as save(); the request's
user comes from pghistory's middleware context.
"""

from collections import defaultdict

import pghistory
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from pghistory.models import MiddlewareEvents


def tracked(**kwargs):
    """Decorator: record every create, change and delete of the model."""
    # New trackers for every model: pghistory fills them in per model.
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )


def events_for(*objs):
    """Events of the objects and of every row that refers to them, newest first."""
    return (
        MiddlewareEvents.objects.references(*objs)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")
    )


LABELS = {"insert": _("新建"), "update": _("修改"), "delete": _("删除")}


def describe_events(events):
    """Events ready to show: the record's kind, who, when, and each change old → new.

    Foreign keys are shown by name and choices by label; every referenced row
    is fetched in one query per model, so a page of history costs a constant
    number of queries.
    """
    wanted = defaultdict(set)  # related model -> ids
    rows = []
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
            if field is None or old in (None, "") and new in (None, ""):
                continue
            if field.is_relation and field.many_to_one:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
            changes.append((field, old, new))
        rows.append((event, model, changes))
    names = {m: _in_bulk(m, ids) for m, ids in wanted.items()}

    def show(field, value):
        if value is None or value == "":
            return ""
        if field.is_relation:
            return str(names[field.related_model].get(value, value))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return str(value)

    return [
        {
            "when": event.pgh_created_at,
            "user": event.user,
            "action": LABELS.get(event.pgh_label, event.pgh_label),
            "model": model._meta.verbose_name,
            "object": _object_label(event.pgh_data),
            "changes": [(f.verbose_name, show(f, old), show(f, new)) for f, old, new in changes],
        }
        for event, model, changes in rows
    ]


def _in_bulk(model, ids):
    """The rows by id, with the relations their names are made of (`model.str_related`),
    so that naming them costs no query per row."""
    rows = model._default_manager.all()
    related = getattr(model, "str_related", ())
    if related:  # select_related() without names would follow every foreign key
        rows = rows.select_related(*related)
    return rows.in_bulk(ids)


SKIPPED = {"id", "created_at", "updated_at", "created_by", "updated_by", "version"}


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
