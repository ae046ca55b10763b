"""Work on the rows ticked on a list: which ones, in the user's scope, at the versions seen.

A list's rows carry checkboxes (`name="ids"`, or the list's own name) of one POST form;
its buttons post to one URL per action. The action's view:

- checks the action's permission (the same as the single-record action's), then
  `selected(request, queryset)`: the ticked records among those the user may see, in
  one query; any id outside the scope refuses the whole action (`OutOfScope`), and
  `refused(request, error)` answers it with a 404 page that names those ids
  (`ticked(...)` does these steps, and sends the user back when nothing is ticked);
- shows a confirmation page (what will change, and the versions seen) until the form
  posts `confirm`; then applies the change in one transaction, after
  `lock_unchanged(queryset, seen)` refused rows someone saved since (`StaleEdit`).

`SelectedFilter` lets a list's filter (and so its export) take the ticked ids, `?id=3,5`;
`export_ticked` answers with the list's own export of the ticked rows.
"""

import copy

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BaseCSVWidget

from archive_site.forms import StaleEdit

BULK_MAX = 500  # rows one action takes: a page holds 50; more than this is not a ticked selection


class OutOfScope(Exception):
    """Ticked ids that name no record the user may see."""

    def __init__(self, ids):
        super().__init__(ids)
        self.ids = sorted(ids)


class _HiddenCSV(BaseCSVWidget, forms.HiddenInput):
    pass


class SelectedFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """`?id=3,5,8`: only these records (a list's ticked rows, e.g. for its export)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "pk")
        kwargs.setdefault("label", _("所选记录"))
        kwargs.setdefault("widget", _HiddenCSV)
        super().__init__(**kwargs)


def ticked_ids(request, name="ids"):
    """The ids ticked in the POST, in order, once each; a value that is not an id names no
    record (404), as does a selection larger than any list page offers."""
    ids = []
    for value in request.POST.getlist(name):
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise Http404
        if int(value) not in ids:
            ids.append(int(value))
    if len(ids) > BULK_MAX:
        raise Http404
    return ids


def selected(request, queryset, name="ids"):
    """The ticked records of `queryset` (already scoped to the user), in one query, in the
    queryset's order; `OutOfScope` names the ids it does not hold."""
    ids = ticked_ids(request, name)
    rows = list(queryset.filter(pk__in=ids)) if ids else []
    missing = set(ids) - {row.pk for row in rows}
    if missing:
        raise OutOfScope(missing)
    return rows


def refused(request, error, back):
    """The page that refuses a selection with records outside the user's scope (404)."""
    ctx = {"ids": error.ids, "back": back}
    return render(request, "includes/bulk_refused.html", ctx, status=404)


def ticked(request, queryset, *, perm, back, none_ticked, name="ids"):
    """(rows, back): the ticked records of `queryset` (scoped to the user) if the user holds
    `perm` (else 403), and `back`, the list to return to. Else (None, the answer): the 404 page
    naming the ids outside the scope, or back to the list with `none_ticked` when nothing is."""
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    back = back_to(request, back)
    try:
        rows = selected(request, queryset, name)
    except OutOfScope as error:
        return None, refused(request, error, back)
    if not rows:
        messages.error(request, none_ticked)
        return None, redirect(back)
    return rows, back


def export_ticked(request, rows, export_view):
    """The list's export view (`export_view`) answering for just `rows`: `?id=…` as the
    list's `SelectedFilter` reads it, with the export's own permission, scope and format."""
    query = QueryDict(mutable=True)
    query["id"] = ",".join(str(row.pk) for row in rows)
    return export_view(with_query(request, query))


def seen_versions(request, rows):
    """{pk: version} as the confirmation page showed them (`version_<pk>` fields); a row
    without one counts as stale."""
    seen = {}
    for row in rows:
        value = request.POST.get(f"version_{row.pk}", "")
        seen[row.pk] = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    return seen


def lock_unchanged(queryset, seen, redirect_to=None):
    """Lock the rows `seen` ({pk: version}) until the transaction ends; StaleEdit (nothing
    written) if any was saved since its version was shown, or is gone. One query."""
    assert transaction.get_connection().in_atomic_block, "lock_unchanged runs inside the action's transaction"
    stored = dict(
        queryset.model._default_manager.filter(pk__in=list(seen))
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "version")
    )
    if any(stored.get(pk) != version for pk, version in seen.items()):
        raise StaleEdit(redirect_to)


def back_to(request, default):
    """The list page the selection came from (`next`, a path of this site), else `default`."""
    path = request.POST.get("next", "")
    if path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
        return path
    return str(default)


def confirmation(request, *, title, intro, rows, columns, submit, back, form=None, ids_name="ids"):
    """The page that shows what an action will change and asks to confirm it (nothing changed yet).

    `rows`: (record, link, now, after) per ticked record; `columns`: the headers of now/after.
    """
    ctx = {
        "title": title,
        "intro": intro,
        "rows": rows,
        "columns": columns,
        "submit": submit,
        "back": back,
        "form": form,
        "ids_name": ids_name,
    }
    return render(request, "includes/bulk_confirm.html", ctx)


def with_query(request, query):
    """`request` as if it asked for `query` (a QueryDict): a list's export of the ticked rows."""
    asked = copy.copy(request)
    asked.GET = query
    return asked
