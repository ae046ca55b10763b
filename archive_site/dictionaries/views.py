"""Base dictionaries (paper 3.9): list by kind, add, edit, reorder, deactivate, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.dictionaries.forms import MEASURED_KINDS, DictEntryForm
from archive_site.forms import save_if_unchanged
from archive_site.models import DictEntry, DictKind


def _kind_or_404(kind):
    if kind not in DictKind.values:
        raise Http404
    return DictKind(kind)


@permission_required("archive_site.view_dictentry", raise_exception=True)
def dictionary_list(request, kind=DictKind.values[0]):
    kind = _kind_or_404(kind)
    counts = dict(DictEntry.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    tabs = [(k, label, counts.get(k, 0)) for k, label in DictKind.choices]
    entries = DictEntry.objects.of(kind)
    if kind == DictKind.PROCESS_PARAMETER:
        entries = entries.prefetch_related("lines")
    measured = kind in MEASURED_KINDS
    ctx = {"kind": kind, "tabs": tabs, "entries": entries, "measured": measured}
    return render(request, "archive_site/dictionary_list.html", ctx)


@permission_required("archive_site.add_dictentry", raise_exception=True)
def dictionary_create(request, kind):
    kind = _kind_or_404(kind)
    form = DictEntryForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        last = DictEntry.objects.of(kind).order_by("-sort_order").values_list("sort_order", flat=True)
        form.instance.sort_order = (last.first() or 0) + 10
        entry = form.save()
        messages.success(request, _("“%(name)s”已添加。") % {"name": entry.name})
        return redirect("dictionary-list", kind)
    return render(request, "archive_site/dictionary_form.html", {"form": form, "kind": kind})


@permission_required("archive_site.change_dictentry", raise_exception=True)
def dictionary_edit(request, pk):
    entry = get_object_or_404(DictEntry, pk=pk)
    form = DictEntryForm(request.POST or None, instance=entry, kind=entry.kind)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("“%(name)s”已保存。") % {"name": entry.name})
        return redirect("dictionary-list", entry.kind)
    ctx = {"form": form, "kind": DictKind(entry.kind), "entry": entry}
    return render(request, "archive_site/dictionary_form.html", ctx)


@require_POST
@permission_required("archive_site.change_dictentry", raise_exception=True)
def dictionary_move(request, pk, direction):
    """Swap an entry with its neighbour above or below in the display order."""
    entry = get_object_or_404(DictEntry, pk=pk)
    with transaction.atomic():
        # Lock the kind's entries so two administrators' moves cannot interleave.
        siblings = list(DictEntry.objects.of(entry.kind).select_for_update().order_by("sort_order", "code"))
        at = next(i for i, e in enumerate(siblings) if e.pk == entry.pk)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(siblings):
            siblings[at], siblings[other] = siblings[other], siblings[at]
            # Renumber so entries sharing a sort order still swap places.
            changed = []
            for position, sibling in enumerate(siblings, start=1):
                if sibling.sort_order != position * 10:
                    sibling.sort_order = position * 10
                    changed.append(sibling)
            DictEntry.objects.bulk_update(changed, ["sort_order"])
    return redirect("dictionary-list", entry.kind)


@require_POST
@permission_required("archive_site.change_dictentry", raise_exception=True)
def dictionary_set_active(request, pk, active):
    """Deactivate or reactivate an entry, unless someone changed it since the list was opened."""
    entry = get_object_or_404(DictEntry, pk=pk)
    entry.is_active = active
    save_if_unchanged(entry, request.POST.get("version"), ["is_active"], redirect_to=entry.get_absolute_url())
    if active:
        messages.success(request, _("“%(name)s”已启用。") % {"name": entry.name})
    else:
        messages.success(request, _("“%(name)s”已停用，表单中不再提供它。") % {"name": entry.name})
    return redirect("dictionary-list", entry.kind)


@permission_required("archive_site.delete_dictentry", raise_exception=True)
def dictionary_delete(request, pk):
    """Delete after confirmation, and only an entry no record uses."""
    entry = get_object_or_404(DictEntry, pk=pk)
    in_use = False
    if request.method == "POST":
        try:
            with transaction.atomic():
                entry.delete()
        except ProtectedError:
            in_use = True  # the page says so and offers to deactivate instead
        else:
            messages.success(request, _("“%(name)s”已删除。") % {"name": entry.name})
            return redirect("dictionary-list", entry.kind)
    ctx = {"entry": entry, "kind": DictKind(entry.kind), "in_use": in_use}
    return render(request, "archive_site/dictionary_confirm_delete.html", ctx)
