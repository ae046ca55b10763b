"""What the customers app shows on the core's pages: the home page's customer search and
the demands section of the customer archive page (registered in `CustomersConfig.ready`)."""

from customers.models import Demand

SECTION_SIZE = 50


def home_search(request, obj=None):
    if not request.user.has_perm("customers.view_customer"):
        return None
    return {}


def customer_demands(request, customer):
    """The customer's demands, newest first: one query."""
    user = request.user
    if not user.has_perm("customers.view_demand"):
        return None
    demands = list(
        Demand.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("production_grade", "surface_quality", "end_use")[:SECTION_SIZE]
    )
    return {"customer": customer, "demands": demands, "section_size": SECTION_SIZE}
