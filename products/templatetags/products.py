from django import template

from products.models import Part

register = template.Library()

ARCHIVE_PARTS = 30  # parts shown on the customer archive page; the list has them all


@register.inclusion_tag("products/_customer_parts.html", takes_context=True)
def customer_parts(context, customer):
    """The customer's parts with a thumbnail each, for the archive page: one query.

    The page has already checked that the user may see `customer`.
    """
    user = context["request"].user
    ctx = {
        "customer": customer,
        "perms": context.get("perms"),
        "can_view": user.has_perm("products.view_part"),
    }
    if ctx["can_view"]:
        rows = list(
            Part.objects.filter(customer=customer)
            .select_related("car_model", "usage_location", "demand__delivery_grade")
            .with_first_photo()
            .order_by("car_model__name", "number")[: ARCHIVE_PARTS + 1]
        )
        ctx["parts"], ctx["more"] = rows[:ARCHIVE_PARTS], len(rows) > ARCHIVE_PARTS
    return ctx


@register.filter
def percent(ratio, places=1):
    """A fraction as a percentage: 0.8123 → "81.2%"; nothing for no value."""
    if ratio is None or ratio == "":
        return ""
    return f"{float(ratio) * 100:.{int(places)}f}%"
