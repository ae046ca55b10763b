"""Forms of the in-app account pages (paper 3.1): administrators manage users and roles."""

import hashlib

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive_site.accounts import matrix
from archive_site.accounts.filters import roles_in_order
from archive_site.accounts.roles import ROLE_PERMISSIONS
from archive_site.forms import OneTimeSubmitMixin, StaleEdit, VersionedModelForm

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


OWN_ROLE_LOCKOUT = _(
    "您不能这样修改或删除这个角色：您将失去账户管理权限，没有人能用这个账户管理角色。请让另一位系统管理员操作。"
)
ROLE_NAME_TAKEN = _("已有名为“%(name)s”的角色。")


def role_fingerprint(group):
    """What the roles page showed of `group` (its name and permissions): a role changed
    since then is not saved over (`RoleForm.save`)."""
    ids = sorted(group.permissions.values_list("pk", flat=True)) if group.pk else []
    return hashlib.sha256(f"{group.name}|{ids}".encode()).hexdigest()[:32]


def keeps_account_management(editor, group, permissions):
    """Whether `editor` still manages accounts once `group` holds `permissions` (None: is deleted)."""
    if editor.is_superuser or group.pk is None or not editor.groups.filter(pk=group.pk).exists():
        return True  # a role the editor does not hold cannot lock them out
    app_label, codename = MANAGE_ACCOUNTS.split(".")
    grants = {"content_type__app_label": app_label, "codename": codename}
    if editor.user_permissions.filter(**grants).exists():
        return True
    others = editor.groups.exclude(pk=group.pk)
    if others.filter(**{f"permissions__{k}": v for k, v in grants.items()}).exists():
        return True
    return permissions is not None and any(
        p.content_type.app_label == app_label and p.codename == codename for p in permissions
    )


class RoleForm(OneTimeSubmitMixin, forms.Form):
    """A role's name and its permissions, ticked in the matrix (`archive_site.accounts.matrix`).

    Saving changes only the permissions the matrix shows; a role changed by another
    administrator since the page was opened is refused (`StaleEdit`), not saved over.
    The built-in roles keep their names: releases add permissions to them by name.
    """

    name = forms.CharField(label=_("名称"), max_length=150)
    permissions = forms.ModelMultipleChoiceField(
        queryset=Permission.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, group, editor, **kwargs):
        self.group = group
        self.editor = editor
        self.one_time_submit = group.pk is None
        super().__init__(*args, **kwargs)
        self.shown = matrix.shown_permissions().select_related("content_type")
        self.fields["permissions"].queryset = self.shown
        if group.pk:
            self.fields["name"].initial = gettext(group.name) if self.is_built_in() else group.name
            self.fields["fingerprint"].initial = role_fingerprint(group)
            self.fields["permissions"].initial = list(group.permissions.values_list("pk", flat=True))
        if self.is_built_in():
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("内置角色的名称不能修改。")

    def is_built_in(self):
        return self.group.pk is not None and self.group.name in ROLE_PERMISSIONS

    def checked_ids(self):
        if self.is_bound:
            return {int(v) for v in self.data.getlist("permissions") if str(v).isdigit()}
        return set(self.fields["permissions"].initial or [])

    def matrix(self):
        return matrix.build(self.checked_ids(), self.shown)

    def clean_name(self):
        if self.is_built_in():
            return self.group.name
        name = self.cleaned_data["name"].strip()
        taken = Group.objects.exclude(pk=self.group.pk).filter(name=name).exists()
        if taken or any(name in (role, gettext(role)) for role in ROLE_PERMISSIONS):
            raise forms.ValidationError(ROLE_NAME_TAKEN, code="taken", params={"name": name})
        return name

    def new_permissions(self):
        """The role's permissions after saving: those the matrix does not show stay as they are."""
        kept = self.group.permissions.exclude(pk__in=self.shown.values("pk")) if self.group.pk else []
        return [*kept, *self.cleaned_data["permissions"]]

    def clean(self):
        cleaned = super().clean()
        if self.group.pk and "permissions" in cleaned:
            perms = list(
                self.group.permissions.exclude(pk__in=self.shown.values("pk")).select_related("content_type")
            )
            if not keeps_account_management(self.editor, self.group, perms + list(cleaned["permissions"])):
                raise forms.ValidationError(OWN_ROLE_LOCKOUT, code="own_role")
        return cleaned

    def save(self):
        with transaction.atomic():
            if self.group.pk:
                locked = Group.objects.select_for_update().get(pk=self.group.pk)
                if role_fingerprint(locked) != self.cleaned_data.get("fingerprint"):
                    raise StaleEdit
            permissions = self.new_permissions()
            self.group.name = self.cleaned_data["name"]
            self.group.save()
            self.group.permissions.set(permissions)
        return self.group
