"""Lessons spread to similar customers (举一反三): from an objection, the customers like its own
that have not complained, and the alerts quality staff attach to their archives."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Customer
from quality.forms.decisions import AlertForm
from quality.models import Alert, similar_customers
from quality.views.objections import get_objection_for_user


@permission_required("quality.view_alert", raise_exception=True)
def objection_lessons(request, pk):
    """The similar customers of an objection, and (for quality staff) the form that alerts them."""
    objection = get_objection_for_user(request.user, pk)
    similar = similar_customers(objection, Customer.objects.visible_to(request.user))
    may_alert = request.user.has_perm("quality.add_alert")
    form = None
    if may_alert:
        form = AlertForm(request.POST or None, objection=objection, similar=similar)
    if request.method == "POST":
        if not may_alert:
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                for alert in form.new_alerts:
                    alert.stamp(request.user)
                    alert.save()
            names = "、".join(a.customer.name for a in form.new_alerts)
            messages.success(request, _("已向 %(names)s 发出预警。") % {"names": names})
            return redirect("quality:objection-lessons", objection.pk)
    alerts = objection.alerts.select_related("customer", "created_by").order_by("-created_at")
    ctx = {"objection": objection, "similar": similar, "form": form, "alerts": alerts}
    return render(request, "quality/objection_lessons.html", ctx)


@require_POST
def alert_withdraw(request, pk):
    alerts = Alert.objects.select_related("customer", "objection")
    alert = alerts.get_visible_or_404(request.user, pk, "quality.change_alert")
    if alert.active:
        alert.withdraw(by=request.user)
        messages.success(request, _("预警已撤销。"))
    # Back to the page the button was on: a path of this site, never a view name to resolve.
    back = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    if not (allowed and back.startswith("/")):
        back = alert.customer.get_absolute_url()
    return HttpResponseRedirect(back)
