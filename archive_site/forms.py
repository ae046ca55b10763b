"""Form pieces every app's forms are built from: archive records, their inline rows, users."""

import secrets

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Q
from django.forms import formsets
from django.utils.translation import gettext_lazy as _

from archive_site import scope
from archive_site.models import DictEntry, DictionaryForeignKey
from archive_site.validators import validate_plausible_date

STALE_EDIT = _("您打开表单后，他人已保存了这条记录。您的修改未保存：请刷新页面查看最新内容后重新修改。")
GONE = _("您打开表单后，这条记录已被他人删除。")
SUBMIT_TOKEN = "submit_token"


class StaleEdit(Exception):
    """A record changed between the check of its form (or the page of its button) and its save;
    nothing was written.

    The middleware answers it with a redirect to `redirect_to` (by default the
    form's page again, which shows the newer record) and the STALE_EDIT message.
    """

    def __init__(self, redirect_to=None):
        super().__init__(redirect_to)
        self.redirect_to = redirect_to


def new_submit_token():
    return secrets.token_hex(16)


class OneTimeSubmitMixin:
    """A form that makes a record carries a one-time token, so submitting it twice makes one record.

    The token is a hidden field named `submit_token` (whatever the form's
    prefix); `archive_site.middleware.OneTimeSubmitMiddleware` honours it. A
    form shown again with errors keeps its token, so the corrected form still
    goes through. Button forms that make a record use `{% submit_token %}`.
    """

    one_time_submit = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.one_time_submit:
            self.fields[SUBMIT_TOKEN] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=new_submit_token
            )

    def add_prefix(self, field_name):
        return SUBMIT_TOKEN if field_name == SUBMIT_TOKEN else super().add_prefix(field_name)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Many choices as a scrolling list of checkboxes with a filter box over them (names typed
    narrow the list; `static/js/app.js`). Without scripts the filter box stays hidden and the
    list works as plain checkboxes."""

    template_name = "includes/widgets/checkbox_list.html"


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


def plausible_dates(fields):
    """Date fields take dates from 1900 to 2199 only (archive_site.validators): a year 9999 or 1
    would overflow the date arithmetic the records' rules and pages do with them."""
    for field in fields.values():
        if isinstance(field, forms.DateField) and validate_plausible_date not in field.validators:
            field.validators.append(validate_plausible_date)


def limit_to_active_entries(fields, instance):
    """Offer only active dictionary entries, plus the one `instance` holds."""
    for model_field in instance._meta.get_fields():
        if isinstance(model_field, DictionaryForeignKey) and model_field.name in fields:
            current = getattr(instance, model_field.attname, None)
            fields[model_field.name].queryset = DictEntry.objects.filter(kind=model_field.kind).filter(
                Q(is_active=True) | Q(pk=current)
            )


def current_version(model, pk, lock=False):
    """The stored version of a record, None if it is gone; `lock`: held until the transaction ends."""
    rows = model._default_manager.filter(pk=pk)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("version", flat=True).first()


def save_if_unchanged(obj, seen_version, fields, user=None, redirect_to=None):
    """Save `fields` of `obj` (a button's change) if it is still at the version the page showed.

    The row is locked while its version is compared: StaleEdit (answered with
    a redirect to `redirect_to` and the STALE_EDIT message) if someone saved it
    since, or if the page sent no version.
    """
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        seen = None
    with transaction.atomic():
        if seen is None or current_version(type(obj), obj.pk, lock=True) != seen:
            raise StaleEdit(redirect_to)
        obj.version = seen
        obj.stamp(user)
        obj.save(update_fields=[*fields, "version", *(["updated_by"] if hasattr(obj, "updated_by") else [])])


class VersionedModelForm(OneTimeSubmitMixin, forms.ModelForm):
    """A model form for a record people edit (`archive_site.models.VersionedModel`).

    - A hidden version refuses a stale edit instead of overwriting someone
      else's change: `clean()` says so as a form error, and `save()` checks
      again with the row locked in a transaction of its own, so two saves
      cannot both pass whether or not the request is one transaction.
    - `save()` stamps the record (a new version; who changed it, for archive records).
    - Date fields take plausible dates only (`plausible_dates`).
    - A form that makes a new record carries a one-time token (`OneTimeSubmitMixin`).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        instance = kwargs.get("instance")
        self.one_time_submit = instance is None or instance.pk is None
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        plausible_dates(self.fields)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = current_version(type(self.instance), self.instance.pk)
            if current is None:
                raise forms.ValidationError(GONE, code="gone")
            if cleaned.get("version") != current:
                raise forms.ValidationError(STALE_EDIT, code="stale")
        return cleaned

    def validate_unique(self):
        """Django's unique checks; then every error about a value another record holds (a unique
        field or constraint, a model rule's `scope.taken_error`) names that record only if the
        user may see it."""
        super().validate_unique()
        taken = []
        for key, errors in list(self._errors.items()):
            kept = []
            for error in errors.as_data():
                field = None if key == NON_FIELD_ERRORS else key
                found = scope.as_taken(self.instance, error)
                if found is not None:
                    name, error = found
                    field = name if name in self.fields else None
                if error.code == scope.TAKEN_CODE:
                    taken.append((field, scope.for_user(self.user, error)))
                else:
                    kept.append(error)
            errors.data = kept
            if not kept:
                del self._errors[key]
        for field, error in taken:
            self.add_error(field, error)

    def save(self, commit=True):
        obj = super().save(commit=False)
        obj.stamp(self.user)
        if commit:
            with transaction.atomic():
                if obj.pk is not None:
                    locked = current_version(type(obj), obj.pk, lock=True)
                    if locked != self.cleaned_data.get("version"):
                        raise StaleEdit
                obj.save()
                self._save_m2m()
        return obj


class ArchiveModelForm(VersionedModelForm):
    """A model form for archive records (`archive_site.models.ArchiveModel`): versioned, stamped
    with who created and changed them, and offering only the active entries of each dictionary
    field's kind (and the value the record already holds, so an old record stays editable)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to_active_entries(self.fields, self.instance)


class UnitFromDictionaryMixin:
    """A row measured in its dictionary entry's unit (a demand's property, a plan's parameter):
    the choices of `unit_entry` show each entry's unit, and the row takes it instead of a typed one
    (the model's `clean()` holds the rule, `DictEntry.unit_for`)."""

    unit_entry = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.unit_entry].label_from_instance = lambda entry: entry.with_unit

    def clean(self):
        cleaned = super().clean()
        entry = cleaned.get(self.unit_entry)
        if entry is not None and entry.unit:
            self.instance.unit = entry.unit
        return cleaned


def share_choices(forms_):
    """Give every form the first form's evaluated choices of each select field."""
    cache = {}
    for form in forms_:
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, forms.Select):
                if name not in cache:
                    cache[name] = list(field.choices)
                field.choices = cache[name]


class BoundedRows:
    """A formset whose posted row count above `max_num` is refused as a whole, its rows unbuilt.

    Django builds min(posted count, max_num + 1000) rows before it refuses the count, and
    the page draws them all again with the error: a tampered count cost seconds of every
    worker's time. Here the limit is `max_num` itself, and a count beyond it builds no row;
    the formset's error says how many rows it takes.
    """

    default_error_messages = {"too_many_forms": _("最多 %(num)d 行。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = self.max_num

    def total_form_count(self):
        if self.is_bound and self.management_form.cleaned_data[formsets.TOTAL_FORM_COUNT] > self.absolute_max:
            return 0
        return super().total_form_count()


class ArchiveInlineFormSet(BoundedRows, forms.BaseInlineFormSet):
    """The rows of an archive record (composition, properties, plan parameters, contacts).

    Its forms are `ArchiveModelForm`s (pass `form_kwargs={"user": ...}`), so
    `save()` stamps each changed row once and checks its version, creates the
    new rows and deletes those marked for deletion: a view only calls it, inside
    the transaction that saves the record. Dictionary choices are fetched once
    for all rows, not once per row. A posted row count above max_num is refused
    without building that many rows.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        share_choices(self.forms + [self.empty_form])

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields.pop(SUBMIT_TOKEN, None)  # the page's own form carries the token
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields.pop(SUBMIT_TOKEN, None)
        return form
