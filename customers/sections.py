"""What the customers app shows on the core's pages: the home page's customer search,
the demands section of the customer archive page, and what the header search finds among
customers, demands and documents (registered in `CustomersConfig.ready`)."""

from django.urls import reverse

from archive_site.search import substring_search
from customers.models import Customer, CustomerDocument, Demand

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


# The header search (`archive_site.registry.SearchSource`) ---------------------


def search_customers(user, term):
    return Customer.objects.visible_to(user).search(term, user=user).order_by("code")


def customer_hit(customer):
    return f"{customer.code} {customer.name}", customer.get_absolute_url()


def search_demands(user, term):
    return Demand.objects.visible_to(user).search(term).select_related("customer")


def demand_hit(demand):
    return f"{demand.code} {demand.name} · {demand.customer.name}", demand.get_absolute_url()


def search_documents(user, term):
    documents = CustomerDocument.objects.visible_to(user).select_related("customer")
    return substring_search(documents, term, ("title",)).order_by("-date", "-id")


def document_hit(document):
    return f"{document.title} · {document.customer.name}", reverse(
        "customers:document-download", args=[document.pk]
    )
