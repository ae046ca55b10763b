"""The customer archive page's parts section (registered in `ProductsConfig.ready`)."""

from products.models import Part

ARCHIVE_PARTS = 30  # parts shown on the customer archive page; the list has them all


def customer_parts(request, customer):
    """The customer's parts with a thumbnail each: one query.

    The page has already checked that the user may see `customer`.
    """
    if not request.user.has_perm("products.view_part"):
        return None
    rows = list(
        Part.objects.filter(customer=customer)
        .select_related("car_model", "usage_location", "demand__delivery_grade")
        .with_first_photo()
        .order_by("car_model__name", "number")[: ARCHIVE_PARTS + 1]
    )
    return {"customer": customer, "parts": rows[:ARCHIVE_PARTS], "more": len(rows) > ARCHIVE_PARTS}


def search_parts(user, term):
    """What the header search finds among parts (`archive_site.registry.SearchSource`)."""
    return Part.objects.listed_for(user).search(term).select_related("customer")


def part_hit(part):
    return f"{part.number} {part.name} · {part.customer.name}", part.get_absolute_url()
