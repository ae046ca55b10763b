"""Merging a duplicate customer into the one kept, and the relations that make a customer's archive.

`customer_foreign_keys()` finds every foreign key to Customer among the installed
models by introspection — contacts, documents, demands, plans, objections, parts,
orders, shares, prints, and whatever model a later module adds — so the merge moves
a new kind of record without being told, and the maintenance figures count it.
History tables are left out: the history stays as it was written, and the kept
customer's page shows the duplicate's too (`Customer.history_objects`).

`merge_customers(kept, duplicate, by=...)` moves every record of the duplicate to the
kept customer in one transaction, fills the kept customer's blank fields from the
duplicate's, records the merge (a `CustomerAlias`: the duplicate's code, name and id,
who, when, what moved — in the kept customer's history; the duplicate's history ends
with its deletion, made inside the merge's history context), and deletes the duplicate.
Its code stays an alias: imports and the customer picker still recognise it.
"""

from collections import Counter
from dataclasses import dataclass, field

import pghistory
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_site.models import ArchiveModel
from customers.models import Customer, CustomerAlias

# The kept customer's blank fields are filled from the duplicate's.
FILLED_FROM_DUPLICATE = (
    "short_name",
    "industry",
    "credit_code",
    "legal_representative",
    "region",
    "address",
    "phone",
    "website",
    "main_business",
    "annual_demand",
    "relationship_start",
    "remarks",
)


def _is_history(model):
    from pghistory.models import Event

    return issubclass(model, Event)


def customer_foreign_keys():
    """(model, field) of every foreign key to Customer, history tables left out."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if _is_history(model) or model._meta.proxy or model is Customer:
            continue
        for f in model._meta.local_concrete_fields:
            if f.is_relation and f.related_model is Customer:
                found.append((model, f))
    return sorted(found, key=lambda mf: (mf[0]._meta.label, mf[1].name))


def generic_foreign_keys():
    """(model, GenericForeignKey) of every generic relation, which may point at a customer."""
    found = []
    for model in apps.get_models():
        if _is_history(model):
            continue
        for f in model._meta.private_fields:
            if isinstance(f, GenericForeignKey):
                found.append((model, f))
    return found


def is_link_table(model):
    """A table linking users to customers (shares, follows): a row the kept customer already has
    is redundant, not a conflict."""
    return (
        model._meta.auto_created
        or getattr(model, "is_customer_link", False)  # a user's follow of a customer
        or any(f.remote_field.through is model for f in Customer._meta.many_to_many)
    )


def _unique_groups(model, fk):
    """(other fields, condition) of each uniqueness that includes the foreign key."""
    groups = []
    if fk.unique:
        groups.append(((), None))
    for names in model._meta.unique_together:
        if fk.name in names:
            groups.append((tuple(n for n in names if n != fk.name), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in (constraint.fields or ()):
            groups.append((tuple(n for n in constraint.fields if n != fk.name), constraint.condition))
    return groups


@dataclass
class Clash:
    model: type
    fk: models.Field
    values: list = field(default_factory=list)  # the values both customers' rows hold

    def __str__(self):
        shown = "、".join(" / ".join(str(v) for v in value) for value in self.values[:10]) or "—"
        return _("%(kind)s：%(values)s（两个客户都有）") % {
            "kind": self.model._meta.verbose_name,
            "values": shown,
        }


def clashes(kept, duplicate):
    """The rows of the duplicate that cannot join the kept customer's: the same part number, ..."""
    found = []
    for model, fk in customer_foreign_keys():
        for others, condition in _unique_groups(model, fk):
            rows = model._base_manager.filter(condition or Q())
            mine = set(rows.filter(**{fk.name: kept}).values_list(*others)) if others else set()
            theirs = set(rows.filter(**{fk.name: duplicate}).values_list(*others)) if others else set()
            if not others:
                both = (
                    rows.filter(**{fk.name: kept}).exists() and rows.filter(**{fk.name: duplicate}).exists()
                )
                common = [()] if both else []
            else:
                common = sorted(mine & theirs, key=str)
            if common:
                found.append((Clash(model, fk, common), others, condition))
    return found


def blocking_clashes(kept, duplicate):
    """The clashes that refuse a merge (a repeated link to a user is dropped, not refused)."""
    return [
        clash for clash, _others, _condition in clashes(kept, duplicate) if not is_link_table(clash.model)
    ]


class MergeRefused(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def records_of(customer):
    """{kind (verbose name): how many rows} of every record that refers to `customer`."""
    counts = Counter()
    for model, fk in customer_foreign_keys():
        n = model._base_manager.filter(**{fk.name: customer}).count()
        if n:
            counts[str(model._meta.verbose_name)] += n
    customer_type = ContentType.objects.get_for_model(Customer)
    for model, gfk in generic_foreign_keys():
        n = model._base_manager.filter(**{gfk.ct_field: customer_type, gfk.fk_field: customer.pk}).count()
        if n:
            counts[_("%(kind)s（指向客户）") % {"kind": model._meta.verbose_name}] += n
    return dict(counts)


def merge_customers(kept, duplicate, *, by):
    """Move everything of `duplicate` to `kept`, record the merge, delete `duplicate`. One transaction."""
    if kept.pk == duplicate.pk:
        raise MergeRefused([_("不能把客户合并到它自己。")])
    now = timezone.now()
    label = f"{duplicate.code} → {kept.code}"
    with transaction.atomic(), pghistory.context(user=by.pk, merge=label):
        locked = Customer.objects.select_for_update().filter(pk__in=[kept.pk, duplicate.pk]).order_by("pk")
        current = {c.pk: c for c in locked}
        if len(current) != 2:
            raise MergeRefused([_("要合并的客户已不存在（可能刚被他人合并或删除）。")])
        kept, duplicate = current[kept.pk], current[duplicate.pk]
        refused = []
        for clash, others, condition in clashes(kept, duplicate):
            if is_link_table(clash.model):  # already linked to the kept customer: drop the repeat
                rows = clash.model._base_manager.filter(condition or Q(), **{clash.fk.name: duplicate})
                for value in clash.values:
                    rows.filter(**dict(zip(others, value, strict=True))).delete()
            else:
                refused.append(clash)
        if refused:
            raise MergeRefused(refused)
        moved = Counter()
        for model, fk in customer_foreign_keys():
            changes = {fk.name: kept}
            if issubclass(model, ArchiveModel):  # a changed record: open edit forms of it go stale
                changes.update(version=F("version") + 1, updated_at=now, updated_by=by)
            n = model._base_manager.filter(**{fk.name: duplicate}).update(**changes)
            if n:
                moved[str(model._meta.verbose_name)] += n
        customer_type = ContentType.objects.get_for_model(Customer)
        for model, gfk in generic_foreign_keys():
            rows = model._base_manager.filter(**{gfk.ct_field: customer_type, gfk.fk_field: duplicate.pk})
            rows.update(**{gfk.fk_field: kept.pk})
        alias = CustomerAlias.objects.create(
            customer=kept,
            code=duplicate.code,
            name=duplicate.name,
            credit_code=duplicate.credit_code,
            merged_customer_id=duplicate.pk,
            merged_at=now,
            merged_by=by,
            moved=dict(moved),
        )
        duplicate.delete()
        filled = [
            f for f in FILLED_FROM_DUPLICATE if _blank(getattr(kept, f)) and not _blank(getattr(duplicate, f))
        ]
        for name in filled:
            setattr(kept, name, getattr(duplicate, name))
        if filled:
            kept.stamp(by)
            kept.save(update_fields=[*filled, "version", "updated_by", "updated_at"])
    return alias


def _blank(value):
    return value is None or value == ""
