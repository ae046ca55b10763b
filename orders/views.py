"""Orders and deliveries: list, export, create, detail with its deliveries, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.history import describe_events, events_for
from archive_site.pagination import LateRowPaginator
from customers.models import Customer, Demand
from imports.exports import export_response
from orders.filters import DeliveryFilter, OrderFilter
from orders.forms import DeliveryForm, OrderForm
from orders.models import Delivery, Order
from orders.resources import DeliveryResource, OrderResource

PAGE_SIZE = 50
HISTORY_SIZE = 30
DETAIL_RELATED = ("customer", "demand", "production_grade", "created_by", "updated_by")


def get_order_for_user(user, pk, perm="orders.view_order"):
    """The order, if `user` holds `perm` (else 403) and may see its customer (else 404)."""
    return Order.objects.select_related(*DETAIL_RELATED).get_visible_or_404(user, pk, perm)


@replica_reads
@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    queryset = Order.objects.listed_for(request.user).for_list().with_delivered()
    order_filter = OrderFilter(request.GET, queryset=queryset)
    page = LateRowPaginator(order_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"filter": order_filter, "page_obj": page})


@replica_reads
def order_export(request):
    """The orders the list's filters select, as the orders module exports them (a file that imports back)."""
    return export_response(request, "orders", _("订单列表"), resources=[OrderResource])


@replica_reads
@permission_required(["orders.view_order", "orders.view_delivery"], raise_exception=True)
def delivery_list(request):
    queryset = Delivery.objects.listed_for(request.user).select_related("order__customer")
    delivery_filter = DeliveryFilter(request.GET, queryset=queryset)
    page = LateRowPaginator(delivery_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/delivery_list.html", {"filter": delivery_filter, "page_obj": page})


@replica_reads
@permission_required("orders.view_delivery", raise_exception=True)
def delivery_export(request):
    """The deliveries the list's filters select, as the orders module's second sheet."""
    return export_response(request, "orders", _("交货记录列表"), resources=[DeliveryResource])


def order_detail(request, pk):
    order = get_order_for_user(request.user, pk)
    log_access(request, "view", order.customer, detail=order.number)
    deliveries = list(order.deliveries.order_by("date", "id"))
    events = events_for(order, limit=HISTORY_SIZE)  # with its deliveries
    ctx = {
        "order": order,
        "deliveries": deliveries,
        "delivered": sum((d.tons for d in deliveries), 0),
        "delivery_form": DeliveryForm(user=request.user),
        "history": describe_events(events),
    }
    return render(request, "orders/order_detail.html", ctx)


def _order_form_page(request, order, initial=None):
    form = OrderForm(request.POST or None, instance=order, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = order.pk is None
        order = form.save()
        message = _("订单 %(number)s 已创建。") if created else _("订单 %(number)s 已保存。")
        messages.success(request, message % {"number": order.number})
        return redirect(order)
    ctx = {"form": form, "order": order if order.pk else None}
    return render(request, "orders/order_form.html", ctx)


@permission_required("orders.add_order", raise_exception=True)
def order_create(request):
    """A new order: of the customer or demand whose page it came from (?customer=, ?demand=), or chosen."""
    initial, order = {}, Order()
    if demand_pk := request.GET.get("demand"):
        demand = Demand.objects.select_related("production_grade").get_visible_or_404(
            request.user, demand_pk, "customers.view_demand"
        )
        order.customer = demand.customer
        initial = {
            "customer": demand.customer_id,
            "demand": demand.pk,
            "production_grade": demand.production_grade_id,
            "thickness": demand.thickness,
            "width": demand.width,
        }
    elif customer_pk := request.GET.get("customer"):
        customer = Customer.objects.get_visible_or_404(request.user, customer_pk, "customers.view_customer")
        order.customer = customer
        initial = {"customer": customer.pk}
    return _order_form_page(request, order, initial)


def order_edit(request, pk):
    return _order_form_page(request, get_order_for_user(request.user, pk, "orders.change_order"))


def order_delete(request, pk):
    """Delete after confirmation, and only while no delivery was recorded under it."""
    order = get_order_for_user(request.user, pk, "orders.delete_order")
    blockers = None
    if request.method == "POST":
        try:
            order.delete()
        except ProtectedError as e:
            blockers = sorted((o._meta.verbose_name, str(o)) for o in e.protected_objects)[:50]
        else:
            messages.success(request, _("订单 %(number)s 已删除。") % {"number": order.number})
            return redirect(order.customer)
    return render(request, "orders/order_confirm_delete.html", {"order": order, "blockers": blockers})


@require_POST
def delivery_create(request, pk):
    """One coil shipped under the order; the order's page shows what was refused and why."""
    order = get_order_for_user(request.user, pk, "orders.add_delivery")
    form = DeliveryForm(request.POST, instance=Delivery(order=order), user=request.user)
    if form.is_valid():
        with transaction.atomic():
            delivery = form.save()
        messages.success(request, _("已登记卷号 %(coil)s 的交货。") % {"coil": delivery.coil_number})
    else:
        errors = "；".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("交货记录未保存：%(errors)s") % {"errors": errors})
    return redirect(order)


@require_POST
def delivery_delete(request, pk):
    delivery = Delivery.objects.select_related("order").get_visible_or_404(
        request.user, pk, "orders.delete_delivery"
    )
    delivery.delete()
    messages.success(request, _("卷号 %(coil)s 的交货记录已删除。") % {"coil": delivery.coil_number})
    return redirect(delivery.order)
