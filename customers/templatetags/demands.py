"""The customer archive page's section of demands and plans (issue 3)."""

from django import template

from customers.models import Demand

register = template.Library()

SECTION_SIZE = 50


@register.inclusion_tag("customers/_demand_section.html", takes_context=True)
def demand_section(context, customer):
    """The customer's demands and the plans serving it: three queries whatever their number."""
    from quality.models import ProcessPlan

    user = context["request"].user
    demands, plans = [], []
    if user.has_perm("customers.view_demand"):
        demands = list(
            Demand.objects.visible_to(user)
            .filter(customer=customer)
            .select_related("production_grade", "surface_quality", "end_use")[:SECTION_SIZE]
        )
    if user.has_perm("quality.view_processplan"):
        plans = list(
            ProcessPlan.objects.visible_to(user)
            .filter(customer=customer)
            .select_related("demand")
            .with_current()[:SECTION_SIZE]
        )
    return {"customer": customer, "demands": demands, "plans": plans, "perms": context.get("perms")}
