"""The base of every module's import resource: django-import-export's
`ModelResource`, plus what the app's import pages and bulk path need.

A resource declares its columns as `ImportField`s (attribute, Chinese column
name, English aliases, widget), its key (`Meta.import_id_fields`), and says
who may change what. django-import-export gives the declarations, the widgets
and the export of values; checking and writing a file is `engine.Importer`'s
alone (one import path: the library's per-row `import_data` is not used).
"""

from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field

from archive_site import scope
from archive_site.excel import Column
from archive_site.models import VisibleQuerySet
from imports.widgets import TextWidget, match_key, text_of

CHUNK = 5000
NUMBERED_ON_WRITE = gettext_lazy("（导入时自动编号）")


def shown(value):
    """A value of a record being imported, as the preview shows it.

    A value the database gives when the row is written (a drawn number, the
    field's `db_default`) is not known yet, and is said so.
    """
    if isinstance(value, DatabaseDefault):
        return str(NUMBERED_ON_WRITE)
    return text_of(value)


def header_key(text):
    """A header as matched: full-width forms, spaces, "*" and case ignored."""
    return match_key(text).replace("*", "")


def header_keys(text):
    """The keys a header matches by: as written, and without a trailing unit "(t)"."""
    key = header_key(text)
    keys = {key}
    if key.endswith(")") and "(" in key:
        keys.add(key[: key.rindex("(")])
    return keys


class ImportField(Field):
    """A column: `column_name` is the Chinese header; `aliases` are other
    headers it is known by (English ones). Headers match ignoring spaces,
    full-width forms and case."""

    def __init__(self, attribute, column_name, *, aliases=(), widget=None, width=14, **kwargs):
        super().__init__(
            attribute=attribute, column_name=column_name, widget=widget or TextWidget(), **kwargs
        )
        self.source_name = column_name
        self.aliases = tuple(aliases)
        self.width = width

    def assign(self, instance, value):
        """Put a cleaned value on the record being imported."""
        setattr(instance, self.attribute, value)

    def match_keys(self):
        names = [self.attribute, *self.aliases]
        with translation.override("zh-hans"):
            names.append(str(self.source_name))
        names.append(str(self.source_name))  # as translated for the current user
        return set().union(*(header_keys(n) for n in names))


class ArchiveResource(resources.ModelResource):
    """Subclass per sheet. Class attributes:

    - `title`: the sheet's name in templates and exports (Chinese);
    - `sheet_names`: other sheet names that mark a sheet as this resource's
      (matched even when the sheet is hidden); unnamed visible sheets are
      recognised by their headers;
    - `permissions`: what importing this sheet needs; `export_permissions`:
      what exporting it needs (a sheet the user may not export is left out);
    - `unique_checks`: tuples of attributes unique among all records, besides
      the key, checked in bulk against the file and the database;
    - `example`: attribute → value, the template's example row;
    - `blank_key_creates`: a row with a blank key is a new record whose key
      is given when it is written (`before_save`), e.g. a drawn number;
    - `writes_while_checked`: the new records may be written a batch at a time
      while the rest of the sheet is checked (`imports.writer`): `before_save`
      works on any batch of the sheet and sets no field of a new record but
      those of `drawn_when_written`, and the records name only records that
      exist before the import.
    """

    title = ""
    out_of_scope = _("“%(key)s”属于一个不在您客户范围内的客户，您不能修改它。")
    sheet_names = ()
    permissions = ()
    export_permissions = ()
    unique_checks = ()
    example = {}
    blank_key_creates = False
    writes_while_checked = False
    drawn_when_written = ()

    def __init__(self, user=None, pending=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # Records created or changed by the sheets before this one, by model:
        # a child sheet's rows may name a parent this same file creates.
        self.pending = {} if pending is None else pending
        for field in self.fields.values():
            if hasattr(field.widget, "bind"):
                field.widget.bind(self)
        self._headers = None
        self._column_names = {}
        self._blanks = {}  # model → (a blank record, its fields whose default is a function): `blank`

    @property
    def model(self):
        return self._meta.model

    def get_queryset(self):
        # The records a key finds come with their related rows: comparing and
        # showing old values then costs no query per row.
        related = []
        for f in self.import_fields():
            model_field = self.model_field(f)
            if model_field is not None and model_field.many_to_one:
                related.append(f.attribute)
        return super().get_queryset().select_related(*related)

    def import_fields(self):
        return [f for f in self.get_import_fields() if not f.readonly]

    def field_for_header(self, text):
        """The field a header cell names, or None."""
        if self._headers is None:
            self._headers = {}
            for name, field in self.fields.items():
                if field.readonly:
                    continue
                for key in field.match_keys():
                    self._headers.setdefault(key, name)
        for key in header_keys(text):
            if key in self._headers:
                return self._headers[key]
        return None

    def sheet_keys(self):
        names = [self.title, *self.sheet_names]
        with translation.override("zh-hans"):
            names.append(str(self.title))
        return {header_key(str(n)) for n in names if n}

    def column_of(self, name):
        """A field's column name as text, worked out once per import (not once per row)."""
        if name not in self._column_names:
            self._column_names[name] = str(self.fields[name].column_name)
        return self._column_names[name]

    def column_for_attribute(self, attribute):
        """The column of the model field `attribute`, or "" when the sheet has none."""
        for name, field in self.fields.items():
            if field.attribute == attribute:
                return self.column_of(name)
        return ""

    def key_names(self):
        """The resource field names that identify a record."""
        return list(self.get_import_id_fields())

    def header_ok(self, names):
        """Whether a row naming these fields is this resource's header row: it names the key."""
        return set(self.key_names()) <= set(names)

    def required_names(self):
        """Fields a new record cannot do without: not blank, no default."""
        names = []
        for name, field in self.fields.items():
            model_field = self.model_field(field)
            if model_field is not None and not model_field.blank and not model_field.has_default():
                names.append(name)
        return names

    def model_field(self, field):
        try:
            return self.model._meta.get_field(field.attribute)
        except Exception:
            return None

    # Identity ---------------------------------------------------------------

    def key_value(self, value):
        """A key's part, as compared: records by identity, text as written."""
        if hasattr(value, "_meta"):
            return ("pk", value.pk) if value.pk is not None else ("new", id(value))
        return value

    def key_of(self, cleaned):
        return tuple(self.key_value(cleaned.get(n)) for n in self.key_names())

    def key_of_instance(self, obj):
        return tuple(self.key_value(getattr(obj, self.fields[n].attribute)) for n in self.key_names())

    def find_existing(self, keys):
        """The records the keys name, by key: one query per few thousand keys.

        `keys` are dicts of attribute → cleaned value. Override when a key is
        not a plain match on the model's fields.
        """
        attributes = [self.fields[n].attribute for n in self.key_names()]
        found = {}
        keys = [k for k in keys if all(v is not None and getattr(v, "pk", 0) is not None for v in k.values())]
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            if len(attributes) == 1:
                (attribute,) = attributes
                query = Q(**{f"{attribute}__in": [k[attribute] for k in chunk]})
            else:
                query = Q()
                for k in chunk:
                    query |= Q(**{a: k[a] for a in attributes})
            for obj in self.get_queryset().filter(query):
                found.setdefault(self.key_of_instance(obj), []).append(obj)
        return found

    def find_visible(self, found):
        """Remember which of the records the keys found the user may see.

        Keys are unique across the archive, so a key may name a record of a
        customer outside the user's scope: the row may not change it
        (`out_of_scope_message`). Records without a customer scope (their
        queryset has no `visible_to`) are all visible.
        """
        self.visible = None
        queryset = self.model._default_manager.all()
        if not isinstance(queryset, VisibleQuerySet) or queryset.sees_everything(self.user):
            return
        pks = [obj.pk for objs in found.values() for obj in objs]
        self.visible = scope.visible_among(self.user, self.model, pks)

    def out_of_scope_message(self, instance):
        """A message if `instance` belongs to a customer outside the user's scope, else None."""
        if getattr(self, "visible", None) is None or instance.pk in self.visible:
            return None
        fields = [self.fields[n] for n in self.key_names()]
        key = "、".join(str(f.widget.render(f.get_value(instance))) for f in fields)
        return self.out_of_scope % {"key": key}

    # Rules ------------------------------------------------------------------

    def new_instance(self):
        return self.blank(self._meta.model)

    def blank(self, model):
        """A new record of `model` as `model()` makes it, for a row that creates one.

        `Model.__init__` sets each of a record's fields through its descriptor and asks it
        for its default: a fifth of an objection file's check went to making the records.
        Here one record per model and import is made so, and each new one copies its
        values; a default that is a function (today's date) is asked again for every
        record. A model something listens to as it is made (`pre_init`/`post_init`) is
        made by `model()`.
        """
        blanks = self._blanks
        if model not in blanks:
            listened = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
            called = [f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
            blanks[model] = None if listened else (model(), called)
        if blanks[model] is None:
            return model()
        template, called = blanks[model]
        record = model.__new__(model)
        record.__dict__.update(template.__dict__)
        record._state = ModelState()
        for f in called:
            setattr(record, f.attname, f.get_default())
        return record

    def check_change(self, instance):
        """A message if the user may not change this existing record (besides its scope), else None."""
        return None

    def prepare_new(self, instance, cleaned):
        """Fill in a new record's defaults; return a message to refuse the row."""
        return None

    def check_row(self, instance, new, cleaned):
        """Rules across the row's fields; a list of (column, message)."""
        return []

    def warn_row(self, instance, new, cleaned):
        """What the preview should point out without refusing the row (a likely duplicate);
        a list of (column, message)."""
        return []

    def check_columns(self, columns):
        """Messages about the sheet's columns ({column index: field name}); any refuses the sheet."""
        return []

    def label(self, instance):
        return str(instance)

    # Apply hooks (inside the import's transaction) ----------------------------

    def before_save(self, creates, updates):
        """Called with the sheet's records to create and to update, just before they are written."""

    def after_save(self, rows):
        """Called with the sheet's checked rows (`engine.RowResult`) once they are written."""

    # Export and templates ---------------------------------------------------

    def can_export(self, user):
        return user.has_perms(self.export_permissions)

    def export_queryset(self, request):
        """The records an export writes, for this request (its scope and filters)."""
        return self.get_queryset()

    def export_columns(self, options=True, template=False):
        """The columns as `archive_site.excel.Column`s: exports and templates share them.

        A template leaves out the read-only columns (computed values an export shows).
        """
        columns = []
        for field in self.get_export_fields():
            if template and field.readonly:
                continue
            choices = field.widget.options() or None if options and hasattr(field.widget, "options") else None
            columns.append(Column(str(field.column_name), _exporter(field), field.width, choices))
        return columns

    def template_rows(self):
        return [_ExampleRow(self.example)] if self.example else []

    def export_sheet(self, queryset):
        """(columns, rows) of an export of `queryset`: the rows read with `values_list`, each
        value written as its widget renders it (`export_reader`) — no record built per row.

        A sheet with a column that cannot be read that way (a computed value, a `dehydrate_`
        method, a widget without `exporter`) is written from the records instead.
        """
        readers = [export_reader(self, field) for field in self.get_export_fields()]
        if None in readers:
            return self.export_columns(), queryset.iterator(chunk_size=EXPORT_CHUNK)
        lookups, plan = ["pk"], []  # the pk keeps rows apart, whatever the queryset's distinct()
        for field_lookups, convert in readers:
            plan.append((len(lookups), len(field_lookups), convert))
            lookups.extend(field_lookups)
        columns = [
            Column(column.header, itemgetter(i), column.width, column.choices, position=i)
            for i, column in enumerate(self.export_columns())
        ]
        return columns, _converted(queryset.values_list(*lookups), plan)


class _ExampleRow:
    """An example "record" for the template: attribute lookups answer from a dict."""

    def __init__(self, values):
        self.values = values


EXPORT_CHUNK = 2000


def _converted(rows, plan):
    singles = all(count == 1 for _start, count, _convert in plan)
    for values in rows.iterator(chunk_size=EXPORT_CHUNK):
        if singles:
            yield [convert(values[start]) for start, _count, convert in plan]
        else:
            yield [convert(*values[start : start + count]) for start, count, convert in plan]


def export_reader(resource, field):
    """(lookups, function of their values) that export `field` from a `values_list` row, or None.

    None when the field is not a chain of model fields ending in a value (a property, a
    method, a reverse or many-to-many relation), the field reads its value its own way
    (`get_value`), or its widget has no `exporter` for the `render` it has.
    """
    if not field.attribute or type(field).get_value is not Field.get_value:
        return None
    widget = type(field.widget)
    exporter_owner = next((c for c in widget.__mro__ if "exporter" in vars(c)), None)
    render_owner = next(c for c in widget.__mro__ if "render" in vars(c))
    if exporter_owner is None or not issubclass(exporter_owner, render_owner):
        return None
    suffixes, convert = field.widget.exporter()
    lookups = [f"{field.attribute}{suffix}" for suffix in suffixes]
    if not all(_is_value(resource.model, lookup) for lookup in lookups):
        return None
    return lookups, convert


def _is_value(model, lookup):
    """Whether `lookup` (customer__name) follows forward relations to a concrete field's value."""
    opts = model._meta
    parts = lookup.split("__")
    for i, part in enumerate(parts):
        try:
            model_field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if model_field.many_to_many or model_field.one_to_many or not model_field.concrete:
            return False
        if i < len(parts) - 1:
            if not model_field.is_relation:
                return False
            opts = model_field.related_model._meta
        elif model_field.is_relation:
            return False
    return True


def _exporter(field):
    def value(obj):
        if isinstance(obj, _ExampleRow):
            return obj.values.get(field.attribute)
        return field.widget.render(field.get_value(obj))

    return value


def required_message(column):
    return _("“%(column)s”不能为空。") % {"column": column}
