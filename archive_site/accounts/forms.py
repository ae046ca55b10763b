"""Forms of the in-app account pages (paper 3.1): administrators manage users and roles."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive_site.accounts.filters import roles_in_order
from archive_site.forms import OneTimeSubmitMixin, VersionedModelForm

MANAGE_ACCOUNTS = "archive_site.manage_accounts"

OWN_ADMIN_ROLE = _(
    "您不能移除自己的账户管理角色，否则将没有人能用这个账户管理账户。请让另一位系统管理员修改。"
)
OWN_DEACTIVATION = _("您不能停用自己的账户。请让另一位系统管理员操作。")


def roles_grant_account_management(groups):
    """Whether any of `groups` holds the permission to manage accounts."""
    app_label, codename = MANAGE_ACCOUNTS.split(".")
    return Group.objects.filter(
        pk__in=[g.pk for g in groups],
        permissions__content_type__app_label=app_label,
        permissions__codename=codename,
    ).exists()


class RolesField(forms.ModelMultipleChoiceField):
    """Roles (groups, also departments such as 技术研究院) ticked in a list, named in the UI's language."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", roles_in_order())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("角色"))
        kwargs.setdefault("help_text", _("用户的权限由角色决定，可以选多个角色。"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return gettext(obj.name)  # the role's name in the UI's language (archive_site.accounts.roles)


class UserCreateForm(OneTimeSubmitMixin, UserCreationForm):
    """A new account: its details, its roles, and an initial password typed twice."""

    groups = RolesField()

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "name", "email", "groups"]
        field_classes = {"username": UsernameField}


class UserEditForm(VersionedModelForm):
    """An account's details, roles and status. An administrator cannot lock themselves out;
    a form opened before another administrator's change is refused, not saved over it."""

    groups = RolesField()

    class Meta:
        model = get_user_model()
        fields = ["name", "email", "groups", "is_active"]

    def __init__(self, *args, editor, **kwargs):
        self.editor = editor
        super().__init__(*args, user=editor, **kwargs)
        self.fields["is_active"].label = _("启用")
        self.fields["is_active"].help_text = _("停用的账户不能登录；它的记录和历史都会保留。")

    def _editing_self(self):
        return self.instance.pk == self.editor.pk

    def clean_is_active(self):
        is_active = self.cleaned_data["is_active"]
        if self._editing_self() and not is_active:
            raise forms.ValidationError(OWN_DEACTIVATION, code="own_deactivation")
        return is_active

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if (
            self._editing_self()
            and not self.instance.is_superuser
            and not roles_grant_account_management(groups)
        ):
            raise forms.ValidationError(OWN_ADMIN_ROLE, code="own_admin_role")
        return groups
