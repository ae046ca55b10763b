"""What the orders app shows on the core's pages (registered in `OrdersConfig.ready`):
a customer's orders and latest deliveries on its archive page, and the orders placed
against a demand on the demand's page."""

from orders.models import Delivery, Order

SECTION_SIZE = 30
RECENT_DELIVERIES = 10


def customer_orders(request, customer):
    """The customer's latest orders with what was delivered of each, and its latest coils: two queries.

    The page has already checked that the user may see `customer`.
    """
    user = request.user
    if not user.has_perm("orders.view_order"):
        return None
    orders = list(
        Order.objects.filter(customer=customer)
        .select_related("demand", "production_grade")
        .with_delivered()
        .order_by("-order_date", "-id")[: SECTION_SIZE + 1]
    )
    deliveries = []
    if user.has_perm("orders.view_delivery"):
        deliveries = list(
            Delivery.objects.filter(order__customer=customer)
            .select_related("order")
            .order_by("-date", "-id")[:RECENT_DELIVERIES]
        )
    return {
        "customer": customer,
        "orders": orders[:SECTION_SIZE],
        "more": len(orders) > SECTION_SIZE,
        "deliveries": deliveries,
    }


def demand_orders(request, demand):
    """The orders placed against the demand, with their delivered tons: one query."""
    if not request.user.has_perm("orders.view_order"):
        return None
    orders = list(
        Order.objects.filter(demand=demand)
        .select_related("production_grade")
        .with_delivered()
        .order_by("-order_date", "-id")[: SECTION_SIZE + 1]
    )
    return {"demand": demand, "orders": orders[:SECTION_SIZE], "more": len(orders) > SECTION_SIZE}
