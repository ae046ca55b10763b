from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("产品")

    def ready(self):
        from archive_site import registry
        from products import sections

        registry.nav.register(
            registry.NavLink(
                "products:part-list",
                pgettext_lazy("列表", "零件"),
                ("products.view_part",),
                id="nav-parts",
                order=60,
                namespace="products",
                exclude=("statistics",),
            )
        )
        registry.nav.register(
            registry.NavLink(
                "products:statistics",
                pgettext_lazy("导航", "供货统计"),
                ("products.view_part",),
                id="nav-supply-statistics",
                order=65,
                namespace="products",
                prefixes=("statistics",),
            )
        )
        registry.customer_sections.register(
            registry.Section("products/_customer_parts.html", sections.customer_parts, order=40)
        )
        registry.search_sources.register(
            registry.SearchSource(
                "parts",
                _("零件"),
                "products.view_part",
                sections.search_parts,
                sections.part_hit,
                "products:part-list",
                order=50,
            )
        )
