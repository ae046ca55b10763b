"""`{% objection_section customer %}`: a customer's objections and sensitivity table.

Shown on the customer archive page (and wherever a page is about one customer,
e.g. its demands and plans, so whoever writes a plan sees at once what this
customer has objected to). Three queries, whatever the number of objections.
"""

from django import template

from quality.forms import JudgementForm
from quality.models import Objection, Severity
from quality.views.stats import sensitivity

register = template.Library()

RECENT = 10


@register.inclusion_tag("quality/objection_section.html", takes_context=True)
def objection_section(context, customer):
    user = context["request"].user
    if not user.has_perm("quality.view_objection"):
        return {"allowed": False}
    objections = Objection.objects.visible_to(user).filter(customer=customer)
    rows = sensitivity(objections)
    recent = objections.select_related("defect_type").order_by("-received_date", "-id")[:RECENT]
    return {
        "allowed": True,
        "customer": customer,
        "rows": rows,
        "recent": recent,
        "total": sum(r.count for r in rows),
        "severities": list(Severity),
        "perms": context.get("perms"),
    }


@register.inclusion_tag("quality/judgement_shortcut.html", takes_context=True)
def judgement_shortcut(context):
    """The judgement check as a small form on the home page, for line staff."""
    user = context["request"].user
    if not user.has_perm("quality.view_objection"):
        return {"allowed": False}
    return {"allowed": True, "form": JudgementForm(user=user)}
