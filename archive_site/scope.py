"""Messages that name a record, naming it only to a user who may see it.

A value another record already holds (a customer's code, name or credit code,
a part number) is reported with that record — “91110000102632941M”已被“C0001
北汽福田汽车股份有限公司”使用 — only if the user may see the record
(`Model.objects.visible_to(user)`). Otherwise the message says that the value
is already used in the archive, without the record's code or name.

One rule for every path: model rules raise `taken_error` (the record holding
the value travels with the error), forms show their errors through
`for_user` (`ArchiveModelForm`, which also turns Django's own unique and
unique-constraint errors into `taken_error`s), and imports check many values
at once with `visible_among` and `taken_message`.
"""

from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _

from archive_site.models import VisibleQuerySet

TAKEN = _("“%(value)s”已被“%(other)s”使用。")
TAKEN_HIDDEN = _("“%(value)s”已被档案中的另一条记录使用（该记录不在您的查看范围内）。")
TAKEN_CODE = "taken"
CHUNK = 5000


def visible_among(user, model, pks):
    """Those of `pks` (records of `model`) that `user` may see: all of them for records without a scope."""
    pks = [pk for pk in pks if pk is not None]
    queryset = model._default_manager.all()
    if not isinstance(queryset, VisibleQuerySet) or queryset.sees_everything(user):
        return set(pks)
    visible = set()
    for start in range(0, len(pks), CHUNK):
        chunk = queryset.visible_to(user).filter(pk__in=pks[start : start + CHUNK])
        visible.update(chunk.values_list("pk", flat=True))
    return visible


def may_see(user, record):
    return user is not None and record.pk in visible_among(user, type(record), [record.pk])


def label(record):
    """A record as a message names it: its code and its name (“C0001 北汽福田汽车股份有限公司”);
    a record with a number but no name of its own (an order) with its customer's
    (“DD-B-01（C0001 北汽福田汽车股份有限公司）”)."""
    text = str(record)
    code = getattr(record, "code", None)
    text = f"{code} {text}" if code and str(code) not in text else text
    if not hasattr(record, "name") and hasattr(record, "customer_id") and record.customer_id:
        text = f"{text}（{label(record.customer)}）"
    return text


def taken_message(value, other, visible, label=label):
    """The message for `value` held by the record `other`: naming it only when `visible`."""
    if visible:
        return str(TAKEN) % {"value": value, "other": label(other)}
    return str(TAKEN_HIDDEN) % {"value": value}


def taken_error(value, record, message=TAKEN, **params):
    """The error a rule raises when `value` is already held by `record`.

    `message` may use %(value)s, %(other)s (the record's `label`) and the other
    `params`; whoever shows the error to a user passes it through `for_user` first.
    """
    params = {"value": value, "other": label(record), "record": record, **params}
    return ValidationError(message, code=TAKEN_CODE, params=params)


def for_user(user, error):
    """A single `ValidationError` as `user` may read it: a `taken_error` whose record
    `user` may not see says only that the value is used; any other error is unchanged."""
    if getattr(error, "code", None) != TAKEN_CODE or may_see(user, error.params["record"]):
        return error
    return ValidationError(TAKEN_HIDDEN, code="taken_hidden", params={"value": error.params["value"]})


def holder(instance, fields, condition=None):
    """The other record holding `instance`'s values of the unique `fields`, or None."""
    model = type(instance)
    lookup = {name: getattr(instance, model._meta.get_field(name).attname) for name in fields}
    others = model._default_manager.filter(**lookup)
    if condition is not None:
        others = others.filter(condition)
    if instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    return others.first()


def shown_value(instance, fields):
    """The values of a unique set of the record's own fields, as the user typed them."""
    values = [getattr(instance, name) for name in fields]
    return "、".join(str(v) for v in values if v not in (None, ""))


def as_taken(instance, error):
    """Django's error for a unique value of `instance` (a unique field, unique_together or a unique
    constraint), as a `taken_error` naming the record that holds it; None for any other error.

    Returns (field the error belongs to, or None for the whole form; the error).
    """
    code = getattr(error, "code", None)
    params = getattr(error, "params", None) or {}
    fields, condition = None, None
    if code in ("unique", "unique_together") and params.get("unique_check"):
        fields = tuple(params["unique_check"])
    else:
        message = str(getattr(error, "message", ""))
        unique = [c for c in type(instance)._meta.constraints if isinstance(c, UniqueConstraint) and c.fields]
        for constraint in unique:
            if message == str(constraint.get_violation_error_message()):
                fields, condition = tuple(constraint.fields), constraint.condition
                break
    if fields is None:
        return None
    if any(type(instance)._meta.get_field(f).is_relation for f in fields):
        # A value unique within a parent record (a coil number on a plan's line): the record
        # holding it sits under the same parent as the one being edited, which the user sees;
        # the constraint's own words say what is taken and where.
        return None
    other = holder(instance, fields, condition)
    if other is None:
        return None
    return fields[-1], taken_error(shown_value(instance, fields), other)
