from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArchiveSiteConfig(AppConfig):
    default = True
    name = "archive_site"
    verbose_name = _("系统管理")

    def ready(self):
        from archive_site import lookups, registry  # noqa: F401  (lookups: registers `__any`)
        from archive_site.accounts.roles import after_migrate
        from archive_site.dictionaries import resources  # noqa: F401  (registers the dictionaries' import)
        from archive_site.dictionaries.seed import seed_dictionaries

        # Runs after every migrate and after test flushes; both are idempotent and neither
        # changes a role an administrator has set (archive_site.accounts.roles).
        post_migrate.connect(_after_migrate(after_migrate, seed_dictionaries), sender=self, weak=False)

        registry.nav.register(
            registry.NavLink(
                "access-log",
                _("访问日志"),
                ("archive_site.view_accesslog",),
                id="nav-access-log",
                menu=registry.ADMINISTRATION,
                order=50,
                prefixes=("access-log",),
            )
        )
        registry.nav.register(
            registry.NavLink(
                "dictionary-list",
                _("基础数据"),
                ("archive_site.view_dictentry",),
                id="nav-dictionaries",
                menu=registry.ADMINISTRATION,
                order=80,
                prefixes=("dictionary",),
            )
        )
        registry.nav.register(
            registry.NavLink(
                "user-list",
                _("账户管理"),
                ("archive_site.manage_accounts",),
                id="nav-accounts",
                order=90,
                prefixes=("user", "token"),
                menu=registry.ADMINISTRATION,
            )
        )
        registry.nav.register(
            registry.NavLink(
                "role-list",
                _("角色与权限"),
                ("archive_site.manage_accounts",),
                id="nav-roles",
                order=92,
                prefixes=("role",),
                menu=registry.ADMINISTRATION,
            )
        )
        registry.customer_sections.register(
            registry.Section("archive_site/access_log_link.html", _access_log_link, order=30)
        )


class ArchiveAdminConfig(admin_apps.AdminConfig):
    """Django's admin site, read-only (`archive_site.admin_site`)."""

    default = False
    default_site = "archive_site.admin_site.ReadOnlyAdminSite"


def _access_log_link(request, customer):
    if not request.user.has_perm("archive_site.view_accesslog"):
        return None
    return {"customer": customer}


def _after_migrate(*steps):
    def handler(sender, **kwargs):
        for step in steps:
            step()

    return handler
