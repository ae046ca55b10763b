"""What the customers app shows on the core's pages: the home page's customer search and a sales
user's new demands, the demands section of the customer archive page, and what the header search
finds among customers, demands and documents (registered in `CustomersConfig.ready`)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from archive_site.history import events_for, summarize
from customers.models import Customer, CustomerDocument, Demand

SECTION_SIZE = 50
RECENT_DAYS = 30
HOME_ROWS = 10
FOLLOWED_MAX = 100  # the followed customers whose changes the home page reads
FOLLOWED_CHANGES = 15


def home_search(request, obj=None):
    if not request.user.has_perm("customers.view_customer"):
        return None
    return {}


def home_new_demands(request, obj=None):
    """A sales user's customers' demands registered in the last 30 days (users whose scope is their
    customers): the count and the newest, two queries."""
    user = request.user
    if not user.has_perm("customers.view_demand") or Demand.objects.sees_everything(user):
        return None
    return new_demands(Demand.objects.visible_to(user), timezone.localdate())


def new_demands(demands, today):
    """Demands created from the start of the 30 days that end `today`, and the link to them: the
    demand list's 登记日期 filter counts from the start of its first day in local time too."""
    since = today - datetime.timedelta(days=RECENT_DAYS - 1)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    recent = demands.filter(created_at__gte=start)
    count = recent.aggregate(n=Count("pk"))["n"]
    newest = recent.select_related("customer", "production_grade").order_by("-created_at", "-id")
    rows = list(newest[:HOME_ROWS])
    url = f"{reverse('customers:demand-list')}?{urlencode({'created_after': since.isoformat()})}"
    return {"count": count, "url": url, "rows": rows, "since": since}


def home_followed(request, obj=None):
    """The latest changes to the customers the user follows and to their records (contacts,
    documents, demands, objections, plans, parts …), from the history the triggers keep: two
    queries, the followed customers (still within the user's scope) and their newest events."""
    user = request.user
    if not user.has_perm("customers.view_customer"):
        return None
    followed = list(
        Customer.objects.visible_to(user).filter(follows__user=user).order_by("name")[:FOLLOWED_MAX]
    )
    changes = []
    if followed:
        by_pk = {c.pk: c for c in followed}
        for event in events_for(*followed, limit=FOLLOWED_CHANGES):
            change = summarize(event)
            data = change["data"]
            owner = data.get("id") if change["record_model"] is Customer else data.get("customer_id")
            changes.append({**change, "customer": by_pk.get(owner)})
    return {"followed": followed, "changes": changes}


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
    return Customer.objects.listed_for(user).search(term).order_by("code")


def customer_hit(customer):
    return f"{customer.code} {customer.name}", customer.get_absolute_url()


def search_demands(user, term):
    return Demand.objects.listed_for(user).search(term).select_related("customer")


def demand_hit(demand):
    return f"{demand.code} {demand.name} · {demand.customer.name}", demand.get_absolute_url()


def search_documents(user, term):
    documents = CustomerDocument.objects.listed_for(user).search(term)
    return documents.select_related("customer").order_by("-date", "-id")


def document_hit(document):
    return f"{document.title} · {document.customer.name}", reverse(
        "customers:document-download", args=[document.pk]
    )
