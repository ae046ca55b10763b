from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("订单")

    def ready(self):
        from archive_site import registry
        from orders import sections

        registry.nav.register(
            registry.NavLink(
                "orders:order-list",
                pgettext_lazy("列表", "订单"),
                ("orders.view_order",),
                id="nav-orders",
                order=25,
                namespace="orders",
            )
        )
        registry.customer_sections.register(
            registry.Section("orders/_customer_orders.html", sections.customer_orders, order=12)
        )
        registry.demand_sections.register(
            registry.Section("orders/_demand_orders.html", sections.demand_orders, order=5)
        )
