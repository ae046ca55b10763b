"""What a list page spends drawing its rows and its filter form, against the paths before, on the
generated archive:

- `get_<field>_display()` (a row's severity and status): the records' own
  (`VersionedModel._get_FIELD_display`) against Django's, which hashes every choice's label;
- a filter form's model selects: their choices read in one plain query (`ListedChoiceIterator`)
  against django-filter's iterator (Django's `iterator()`, a server-side cursor);
- the people selects (handlers, sales owners: `User.holding`): the users holding a permission
  found by one SQL subquery, against four querysets joined by IN (…) (`querysets_holding`) and
  EXISTS on each user (`former_holding`), both kept verbatim;
- the objection and customer lists (as they open, and searched), alternated with all of these
  put back (`bench.common.alternated`).

    make bench BENCH=list_drawing
    python -m bench.list_drawing      # DATABASE_URL from the environment
"""

import copy
import os
import statistics
import time
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_COLUMNS,
    alternated,
    alternated_row,
    bench_users,
    compared,
    ensure_archive,
    load,
    setup_django,
    table,
)

TIMES = 2000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 20))


def former_holding(cls, perm, keep=None):
    """`User.holding` as it was: each user's roles and own permissions asked by EXISTS."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Exists, OuterRef, Q

    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    permission = permission.values("pk")
    roles = Group.permissions.through.objects.filter(permission__in=permission).values("group_id")
    by_role = cls.groups.through.objects.filter(user=OuterRef("pk"), group_id__in=roles)
    own = cls.user_permissions.through.objects.filter(user=OuterRef("pk"), permission__in=permission)
    chosen = Q(is_active=True) & (Exists(by_role) | Exists(own) | Q(is_superuser=True))
    if keep is not None:
        chosen |= Q(pk=keep)
    return cls.objects.filter(chosen).order_by("username")


def querysets_holding(cls, perm, keep=None):
    """`User.holding` as it was next: the role and own-permission paths as querysets, by IN (…)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    permission = permission.values("pk")
    roles = Group.permissions.through.objects.filter(permission__in=permission).values("group_id")
    members = cls.groups.through.objects.filter(group_id__in=roles).values("user_id")
    own = cls.user_permissions.through.objects.filter(permission__in=permission).values("user_id")
    chosen = Q(is_active=True) & (Q(pk__in=members) | Q(pk__in=own) | Q(is_superuser=True))
    if keep is not None:
        chosen |= Q(pk=keep)
    return cls.objects.filter(chosen).order_by("username")


@contextmanager
def drawn_as_before():
    """Django's `_get_FIELD_display`, django-filter's choice iterator and the former
    `User.holding` put back."""
    from unittest import mock

    from django.db import models
    from django_filters.fields import ModelChoiceIterator

    from archive_site.filters import ListedChoiceField
    from archive_site.models import User, VersionedModel

    with (
        mock.patch.object(VersionedModel, "_get_FIELD_display", models.Model._get_FIELD_display),
        mock.patch.object(ListedChoiceField, "iterator", ModelChoiceIterator),
        mock.patch.object(User, "holding", classmethod(former_holding)),
    ):
        yield


def timed(fn, times):
    """Median µs of `fn()`, called `times` times."""
    values = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1e6)
    return statistics.median(values)


def main():
    setup_django()
    ensure_archive()
    from django.db import models
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import translation
    from django_filters.fields import ModelChoiceIterator

    from archive_site.filters import ListedChoiceIterator
    from quality.filters.objections import ObjectionFilter
    from quality.models import Objection

    translation.activate("zh-hans")
    admin, _sales = bench_users()
    print(f"{load()}")

    rows = []
    objection = Objection.objects.first()
    for name in ("severity", "status"):
        field = Objection._meta.get_field(name)
        ours = getattr(objection, f"get_{name}_display")
        assert ours() == models.Model._get_FIELD_display(objection, field)
        before = timed(lambda field=field: models.Model._get_FIELD_display(objection, field), TIMES)
        now = timed(ours, TIMES)
        rows.append([f"get_{name}_display()", f"{before:.1f}", f"{now:.1f}", compared(before, now)])
    print(f"\nA row's label of a choice (µs per call, {TIMES} calls)")
    print(table(["call", "Django's", "ours", "ratio"], rows))

    request = RequestFactory().get("/")
    request.user = admin
    form = ObjectionFilter({}, queryset=Objection.objects.all(), request=request).form
    rows = []
    for name in ("defect_type", "production_grade", "responsible_line", "handler"):
        field = form.fields[name]
        assert list(ModelChoiceIterator(field)) == list(ListedChoiceIterator(field))
        before, now = [], []
        for i in range(200):
            for mode, values in (
                (("before", before), ("now", now)) if i % 2 else (("now", now), ("before", before))
            ):
                iterator = ModelChoiceIterator if mode == "before" else ListedChoiceIterator
                fresh = copy.deepcopy(field)  # as each request's form: its queryset not read yet
                started = time.perf_counter()
                list(iterator(fresh))
                values.append((time.perf_counter() - started) * 1000)
        b, n = statistics.median(before), statistics.median(now)
        rows.append([f"{name} ({len(field.choices) - 1})", f"{b:.2f}", f"{n:.2f}", compared(b, n)])
    print("\nThe objection list's model selects: reading their choices (ms, 200 each way, in turn)")
    print(table(["select (options)", "iterator()", "one query", "ratio"], rows))

    from archive_site.models import User
    from customers.models import SALES_OWNER_PERMISSION, Customer
    from quality.models.objections import HANDLE_PERMISSION

    rows = []
    for label, people, perm in (
        ("handlers", Objection.handlers, HANDLE_PERMISSION),
        ("sales owners", Customer.sales_owners, SALES_OWNER_PERMISSION),
    ):
        assert list(people()) == list(former_holding(User, perm)) == list(querysets_holding(User, perm))
        paths = {
            "exists": lambda perm=perm: former_holding(User, perm),
            "querysets": lambda perm=perm: querysets_holding(User, perm),
            "now": people,
        }
        times = {name: [] for name in paths}
        for i in range(200):
            for name in list(paths)[i % 3 :] + list(paths)[: i % 3]:
                started = time.perf_counter()
                list(paths[name]())
                times[name].append((time.perf_counter() - started) * 1000)
        e, q, n = (statistics.median(times[name]) for name in paths)
        label = f"{label} ({len(list(people()))})"
        rows.append([label, f"{e:.2f}", f"{q:.2f}", f"{n:.2f}", compared(e, n), compared(q, n)])
    print("\nThe people selects: the users holding a permission (ms, 200 each way, in turn)")
    columns = ["select (users)", "EXISTS per user", "IN (…) querysets", "one subquery", "vs EXISTS"]
    print(table([*columns, "vs querysets"], rows))

    client = Client()
    client.force_login(admin)
    rows = []
    for label, url, params in (
        ("异议列表", reverse("quality:objection-list"), {}),
        ("异议列表 ?q=划伤", reverse("quality:objection-list"), {"q": "划伤"}),
        ("客户列表", reverse("customers:customer-list"), {}),
    ):
        times, db = alternated(client, url, params, drawn_as_before, ROUNDS + 1)
        rows.append(alternated_row(label, times, db))
    print("\nThe objection and customer lists (admin), alternated with all these paths as before (ms)")
    print(table(["page", *ALTERNATED_COLUMNS], rows))


if __name__ == "__main__":
    main()
