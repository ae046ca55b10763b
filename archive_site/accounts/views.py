"""Accounts and roles (paper 3.1): every user changes their own password; administrators manage accounts."""

from axes.utils import reset as reset_login_failures
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.accounts import matrix
from archive_site.accounts.filters import UserFilter, roles_in_order
from archive_site.accounts.forms import (
    MANAGE_ACCOUNTS,
    OWN_DEACTIVATION,
    OWN_ROLE_LOCKOUT,
    RoleForm,
    UserCreateForm,
    UserEditForm,
    keeps_account_management,
)
from archive_site.accounts.roles import ROLE_PERMISSIONS
from archive_site.forms import save_if_unchanged

PAGE_SIZE = 50


def password_change(request):
    """Every user changes their own password (Django's validators apply)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("home")
    return render(request, "archive_site/password_change.html", {"form": form})


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
    """Deactivate or reactivate an account (a deactivated user cannot log in), unless someone
    changed it since the page with the button was opened."""
    account = get_object_or_404(get_user_model(), pk=pk)
    if not active and account.pk == request.user.pk:
        messages.error(request, OWN_DEACTIVATION)
        return redirect("user-edit", pk)
    account.is_active = active
    save_if_unchanged(
        account,
        request.POST.get("version"),
        ["is_active"],
        request.user,
        redirect_to=account.get_absolute_url(),
    )
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


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def role_list(request):
    """The roles, with how many accounts hold each and how many permissions it grants."""
    groups = roles_in_order().annotate(
        members=Count("user", distinct=True), granted=Count("permissions", distinct=True)
    )
    return render(
        request, "archive_site/role_list.html", {"roles": groups, "built_in": set(ROLE_PERMISSIONS)}
    )


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def role_create(request):
    return _role_form(request, Group())


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def role_edit(request, pk):
    return _role_form(request, get_object_or_404(Group, pk=pk))


def _role_form(request, group):
    fixed = group.pk is not None and matrix.is_fixed(group)
    if fixed and request.method == "POST":
        raise PermissionDenied  # the administrators' role holds every permission
    form = RoleForm(request.POST or None, group=group, editor=request.user)
    if request.method == "POST" and form.is_valid():
        created = group.pk is None
        role = form.save()
        name = gettext(role.name)
        messages.success(
            request,
            (_("角色“%(name)s”已创建。") if created else _("角色“%(name)s”已保存。")) % {"name": name},
        )
        return redirect("role-list")
    context = {"form": form, "role": group if group.pk else None, "fixed": fixed, "columns": matrix.COLUMNS}
    return render(request, "archive_site/role_form.html", context)


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def role_delete(request, pk):
    """Delete a role after confirmation; its accounts lose what it granted (they keep their other roles)."""
    group = get_object_or_404(Group, pk=pk)
    if matrix.is_fixed(group):
        raise PermissionDenied
    members = group.user_set.order_by("username")
    if request.method == "POST":
        if not keeps_account_management(request.user, group, None):
            messages.error(request, OWN_ROLE_LOCKOUT)
            return redirect("role-edit", pk)
        name = gettext(group.name)
        group.delete()
        messages.success(request, _("角色“%(name)s”已删除。") % {"name": name})
        return redirect("role-list")
    return render(request, "archive_site/role_confirm_delete.html", {"role": group, "members": members})
