import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive_site.filters import ListedChoiceField, ModelChoiceFilter
from archive_site.search import SubstringFilter


def roles_in_order():
    """The roles in the order they were created (系统管理员 first)."""
    return Group.objects.order_by("pk")


class RoleChoiceField(ListedChoiceField):
    def label_from_instance(self, obj):
        return gettext(obj.name)  # the role's name in the UI's language (archive_site.accounts.roles)


class RoleFilter(ModelChoiceFilter):
    field_class = RoleChoiceField


class UserFilter(django_filters.FilterSet):
    q = SubstringFilter(fields=["username", "name", "email"], label=_("查找"))
    role = RoleFilter(field_name="groups", queryset=roles_in_order(), label=_("角色"))
    status = django_filters.ChoiceFilter(
        choices=[("active", _("启用")), ("inactive", _("已停用"))],
        method="filter_status",
        label=_("状态"),
    )

    class Meta:
        model = get_user_model()
        fields = ["q", "role", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")
