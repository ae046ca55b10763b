from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    label = "imports"
    verbose_name = _("导入")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive_site import registry
        from imports.modules import may_import
        from imports.modules import registry as modules

        # Each app's `resources` module registers its import modules.
        autodiscover_modules("resources", register_to=modules)
        registry.nav.register(
            registry.NavLink(
                "imports:index",
                _("导入"),
                id="nav-imports",
                order=70,
                namespace="imports",
                visible=may_import,
            )
        )
