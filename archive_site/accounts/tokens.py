"""API tokens (接口令牌) for the mill's other systems: administrators issue and revoke them.

A token acts as the user it is issued for (`archive_site.api`): give a process computer a
user of its own, in the role whose permissions it needs (e.g. 工艺工程师 to post runs), and
a token for that user. The key is shown once, when issued; only its hash is stored.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from archive_site.accounts.forms import MANAGE_ACCOUNTS
from archive_site.forms import active_users
from archive_site.models import ApiToken

PAGE_SIZE = 50


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=active_users(),
        label=gettext_lazy("用户"),
        help_text=gettext_lazy("令牌以这个用户的身份工作：它的角色决定令牌能做什么、能看哪些客户。"),
    )
    name = forms.CharField(
        label=gettext_lazy("名称"), max_length=100, help_text=gettext_lazy("谁在用它，例如 连退过程计算机")
    )


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def token_list(request):
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by")
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive_site/token_list.html", {"page_obj": page})


@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def token_create(request):
    """Issue a token; the answer shows its key, once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, key = ApiToken.issue(form.cleaned_data["user"], form.cleaned_data["name"], by=request.user)
        response = render(request, "archive_site/token_issued.html", {"token": token, "key": key})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "archive_site/token_form.html", {"form": form})


@require_POST
@permission_required(MANAGE_ACCOUNTS, raise_exception=True)
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if not token.is_revoked:
        token.revoke(by=request.user)
        messages.success(request, _("令牌“%(name)s”已吊销，不能再使用。") % {"name": token.name})
    return redirect("token-list")
