"""Accounts and roles (paper 3.1): every user changes their own password; administrators manage accounts."""

from axes.utils import reset as reset_login_failures
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.accounts.filters import UserFilter
from archive_site.accounts.forms import MANAGE_ACCOUNTS, OWN_DEACTIVATION, UserCreateForm, UserEditForm
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
