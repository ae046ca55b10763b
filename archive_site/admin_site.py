"""Django's admin site, read-only: a superuser's window on the tables, never a way to change them.

Records are changed through the app's pages only, where the model rules, the record
scope, stale-edit checks and the change history apply; the admin site would bypass
the forms' checks and the roles page's guards. It is not linked from the app's menu.
Every model registered on it (the app's and the libraries': roles, login attempts,
tasks) is shown without add, change or delete.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def _refuse(*args, **kwargs):
    return False


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, *args, **kwargs):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.has_add_permission = inline.has_change_permission = inline.has_delete_permission = _refuse
        return inlines


class ReadOnlyAdminSite(admin.AdminSite):
    site_header = _("客户档案管理系统（只读数据查看）")
    site_title = _("只读数据查看")
    index_title = _("数据表（只读：记录请在系统页面中修改）")

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        read_only = type(f"ReadOnly{base.__name__}", (ReadOnlyAdminMixin, base), {})
        super().register(model_or_iterable, read_only, **options)
