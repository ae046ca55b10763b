from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = _("打印")

    def ready(self):
        from archive_site import registry
        from printing import (
            checks,  # noqa: F401  (registers the font and HarfBuzz checks)
            sections,
        )

        registry.customer_sections.register(
            registry.Section("printing/_customer_section.html", sections.print_section, order=50)
        )
