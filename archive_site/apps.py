from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArchiveSiteConfig(AppConfig):
    name = "archive_site"
    verbose_name = _("系统管理")

    def ready(self):
        from archive_site.dictionaries import seed_dictionaries
        from archive_site.roles import sync_roles

        # Runs after every migrate and after test flushes; both are idempotent.
        post_migrate.connect(_after_migrate(sync_roles, seed_dictionaries), sender=self, weak=False)


def _after_migrate(*steps):
    def handler(sender, **kwargs):
        for step in steps:
            step()

    return handler
