from axes.utils import reset as reset_login_failures
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.filters import UserFilter
from archive_site.forms import DictEntryForm
from archive_site.forms_accounts import OWN_DEACTIVATION, UserCreateForm, UserEditForm
from archive_site.models import DictEntry, DictKind

PAGE_SIZE = 50
MANAGE_ACCOUNTS = "archive_site.manage_accounts"


def home(request):
    return render(request, "archive_site/home.html")


def password_change(request):
    """Every user changes their own password (Django's validators apply)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("home")
    return render(request, "archive_site/password_change.html", {"form": form})


# Accounts and roles (paper 3.1): administrators only.


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def user_list(request):
    queryset = get_user_model().objects.prefetch_related("groups").order_by("username")
    user_filter = UserFilter(request.GET, queryset=queryset)
    page = Paginator(user_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive_site/user_list.html", {"filter": user_filter, "page_obj": page})


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("账户“%(username)s”已创建。") % {"username": user.username})
        return redirect("user-list")
    return render(request, "archive_site/user_form.html", {"form": form})


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def user_edit(request, pk):
    account = get_object_or_404(get_user_model(), pk=pk)
    form = UserEditForm(request.POST or None, instance=account, editor=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("账户“%(username)s”已保存。") % {"username": account.username})
        return redirect("user-list")
    return render(request, "archive_site/user_form.html", {"form": form, "account": account})


@require_POST
@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def user_set_active(request, pk, active):
    """Deactivate or reactivate an account (a deactivated user cannot log in)."""
    account = get_object_or_404(get_user_model(), pk=pk)
    if not active and account.pk == request.user.pk:
        messages.error(request, OWN_DEACTIVATION)
        return redirect("user-edit", pk)
    account.is_active = active
    account.save(update_fields=["is_active"])
    if active:
        messages.success(request, _("账户“%(username)s”已启用。") % {"username": account.username})
    else:
        messages.success(
            request, _("账户“%(username)s”已停用，不能再登录。") % {"username": account.username}
        )
    return redirect("user-list")


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def user_password_reset(request, pk):
    """Set another user's password; it also lifts a lockout after failed logins."""
    account = get_object_or_404(get_user_model(), pk=pk)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        reset_login_failures(username=account.username)
        if account.pk == request.user.pk:
            update_session_auth_hash(request, account)
        messages.success(
            request, _("账户“%(username)s”的密码已重置，登录锁定已解除。") % {"username": account.username}
        )
        return redirect("user-list")
    return render(request, "archive_site/user_password_reset.html", {"form": form, "account": account})


# Base dictionaries (paper 3.9).


def _kind_or_404(kind):
    if kind not in DictKind.values:
        raise Http404
    return DictKind(kind)


@permission_required("archive_site.view_dictentry", raise_exception=True)
def dictionary_list(request, kind=DictKind.values[0]):
    kind = _kind_or_404(kind)
    counts = dict(DictEntry.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    tabs = [(k, label, counts.get(k, 0)) for k, label in DictKind.choices]
    ctx = {"kind": kind, "tabs": tabs, "entries": DictEntry.objects.of(kind)}
    return render(request, "archive_site/dictionary_list.html", ctx)


@permission_required("archive_site.add_dictentry", raise_exception=True)
def dictionary_create(request, kind):
    kind = _kind_or_404(kind)
    form = DictEntryForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        last = DictEntry.objects.of(kind).order_by("-sort_order").values_list("sort_order", flat=True)
        entry.sort_order = (last.first() or 0) + 10
        entry.save()
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
    entry = get_object_or_404(DictEntry, pk=pk)
    entry.is_active = active
    entry.save(update_fields=["is_active"])
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
