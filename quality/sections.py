"""What the quality app shows on the core's pages (registered in `QualityConfig.ready`):
on the home page the judgement check, the key figures of the objections, a handler's
objections, an engineer's plans awaiting approval or out of limits, a sales user's new
objections (`quality.statistics.dashboard`); on the customer archive page its plans, its
objections with the sensitivity table, the alerts from similar customers and the decisions
on its coils; on a demand's page the plans serving it."""

from django.db.models import Count, Sum
from django.utils import timezone

from quality.forms.objections import JudgementForm
from quality.models import Alert, Decision, Objection, ProcessPlan, Severity
from quality.statistics import dashboard
from quality.statistics.decisions import coils as coil_count
from quality.statistics.objections import sensitivity

SECTION_SIZE = 50
RECENT = 10


def judgement_shortcut(request, obj=None):
    """The judgement check as a small form on the home page, for line staff."""
    if not request.user.has_perm("quality.view_objection"):
        return None
    return {"form": JudgementForm(user=request.user)}


def home_figures(request, obj=None):
    """The key objection figures with small charts, within the user's scope: six queries, or the
    whole archive's figures as kept (`dashboard.objection_figures`)."""
    user = request.user
    if not user.has_perm("quality.view_objection"):
        return None
    objections = Objection.objects.visible_to(user)
    keep = objections.sees_everything(user)  # the whole archive's, the same for all who see it
    return dashboard.objection_figures(objections, timezone.localdate(), keep=keep)


def home_handler_work(request, obj=None):
    """The objections the user handles (quality staff): open, overdue, awaiting verification."""
    user = request.user
    if not user.has_perm("quality.handle_objection"):
        return None
    return dashboard.handler_work(Objection.objects.visible_to(user), user, timezone.localdate())


def home_plan_work(request, obj=None):
    """Plan drafts awaiting approval and plans whose recent runs went out of limits (engineers)."""
    user = request.user
    if not (user.has_perm("quality.approve_planrevision") and user.has_perm("quality.view_processplan")):
        return None
    return dashboard.plan_work(user, timezone.localdate())


def home_new_objections(request, obj=None):
    """A sales user's customers' objections of the last 30 days (users whose scope is their customers)."""
    user = request.user
    if not user.has_perm("quality.view_objection") or Objection.objects.sees_everything(user):
        return None
    return dashboard.new_objections(Objection.objects.visible_to(user), timezone.localdate())


def _plans(user, **filters):
    plans = ProcessPlan.objects.visible_to(user).filter(**filters).select_related("demand")
    return list(plans.with_current()[:SECTION_SIZE])


def customer_plans(request, customer):
    """The customer's plans with their current revisions: two queries."""
    if not request.user.has_perm("quality.view_processplan"):
        return None
    plans = _plans(request.user, customer=customer)
    return {"customer": customer, "plans": plans, "section_size": SECTION_SIZE}


def demand_plans(request, demand):
    """The plans serving the demand, with their current revisions."""
    if not request.user.has_perm("quality.view_processplan"):
        return None
    return {"demand": demand, "plans": _plans(request.user, demand=demand)}


def customer_objections(request, customer):
    """A customer's objections and sensitivity table: three queries, whatever their number.

    Also wherever a page is about one customer, so whoever writes a plan sees at
    once what this customer has objected to.
    """
    user = request.user
    if not user.has_perm("quality.view_objection"):
        return None
    objections = Objection.objects.visible_to(user).filter(customer=customer)
    rows = sensitivity(objections)
    recent = objections.select_related("defect_type").order_by("-received_date", "-id")[:RECENT]
    return {
        "customer": customer,
        "rows": rows,
        "recent": recent,
        "total": sum(r.count for r in rows),
        "severities": list(Severity),
    }


def customer_alerts(request, customer):
    """The lessons similar customers' objections gave this customer (举一反三): one query."""
    if not request.user.has_perm("quality.view_alert"):
        return None
    alerts = list(
        Alert.objects.visible_to(request.user)
        .active()
        .filter(customer=customer)
        .select_related("defect_type", "objection__customer", "created_by")
        .order_by("-created_at", "-id")[:SECTION_SIZE]
    )
    if not alerts:
        return None
    return {"customer": customer, "alerts": alerts}


def customer_decisions(request, customer):
    """The latest decisions on this customer's coils and what they add up to: two queries."""
    if not request.user.has_perm("quality.view_decision"):
        return None
    decisions = Decision.objects.visible_to(request.user).filter(customer=customer)
    recent = list(
        decisions.select_related("defect_type", "created_by").order_by("-created_at", "-id")[:RECENT]
    )
    if not recent:
        return {"customer": customer, "recent": [], "totals": None}
    totals = decisions.downgraded().aggregate(n=Count("id"), coils=Sum(coil_count()), tons=Sum("tonnage"))
    return {"customer": customer, "recent": recent, "totals": totals}


# The header search (`archive_site.registry.SearchSource`) ---------------------


def search_plans(user, term):
    return ProcessPlan.objects.listed_for(user).search(term).select_related("customer")


def plan_hit(plan):
    return f"{plan.code} {plan.name} · {plan.customer.name}", plan.get_absolute_url()


def search_objections(user, term):
    return Objection.objects.listed_for(user).search(term).select_related("customer")


def objection_hit(objection):
    return f"{objection.number} · {objection.customer.name} · {objection.description[:40]}", (
        objection.get_absolute_url()
    )
