from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from archive_site import registry
        from notifications import signals  # noqa: F401  (connects the receivers)
        from notifications.models import unread_count, unread_count_expression

        registry.user_annotations["unread_notifications"] = unread_count_expression
        registry.header_links.register(
            registry.HeaderLink(
                "notifications:notification-list",
                _("通知"),
                id="header-notifications",
                order=10,
                count=unread_count,
            )
        )
        registry.header_links.register(
            registry.HeaderLink(
                "notifications:preferences",
                pgettext_lazy("页眉", "通知设置"),
                id="header-notification-preferences",
                order=20,
                title=_("通知设置"),
            )
        )
