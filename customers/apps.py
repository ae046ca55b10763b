from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("客户")

    def ready(self):
        from archive_site import registry
        from customers import sections

        registry.nav.register(
            registry.NavLink(
                "customers:customer-list",
                pgettext_lazy("列表", "客户"),
                ("customers.view_customer",),
                id="nav-customers",
                order=10,
                namespace="customers",
                prefixes=("customer", "document", "completeness", "maintenance"),
            )
        )
        registry.nav.register(
            registry.NavLink(
                "customers:demand-list",
                _("需求"),
                ("customers.view_demand",),
                id="nav-demands",
                order=20,
                namespace="customers",
                prefixes=("demand",),
            )
        )
        registry.home_panels.register(
            registry.Section("customers/_home_search.html", sections.home_search, order=10)
        )
        registry.home_panels.register(
            registry.Section("customers/_home_new_demands.html", sections.home_new_demands, order=36)
        )
        registry.home_panels.register(
            registry.Section("customers/_home_followed.html", sections.home_followed, order=50)
        )
        registry.customer_sections.register(
            registry.Section("customers/_demand_section.html", sections.customer_demands, order=10)
        )
        for source in [
            registry.SearchSource(
                "customers",
                pgettext_lazy("列表", "客户"),
                "customers.view_customer",
                sections.search_customers,
                sections.customer_hit,
                "customers:customer-list",
                order=10,
            ),
            registry.SearchSource(
                "demands",
                _("客户需求"),
                "customers.view_demand",
                sections.search_demands,
                sections.demand_hit,
                "customers:demand-list",
                order=20,
            ),
            registry.SearchSource(
                "documents",
                _("客户文件"),
                "customers.view_customerdocument",
                sections.search_documents,
                sections.document_hit,
                order=60,
            ),
        ]:
            registry.search_sources.register(source)
