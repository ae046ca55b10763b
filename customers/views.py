from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from archive_site import bulk
from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.history import describe_events, events_for
from archive_site.pagination import LateRowPaginator
from customers import completeness
from customers.filters import CustomerFilter, DemandFilter
from customers.forms import (
    BulkOwnerForm,
    BulkShareForm,
    ContactFormSet,
    CustomerForm,
    DemandAttachmentForm,
    DemandElementFormSet,
    DemandForm,
    DemandPropertyFormSet,
    DocumentForm,
)
from customers.models import (
    Customer,
    CustomerAlias,
    CustomerDocument,
    Demand,
    DemandAttachment,
    may_hand_over,
)
from customers.resources import CustomerResource
from imports.exports import export_response, get_module_for_export

PAGE_SIZE = 50
HISTORY_SIZE = 30


def _filtered_customers(request):
    queryset = Customer.objects.listed_for(request.user).select_related("category", "sales_owner")
    return CustomerFilter(request.GET, queryset=queryset, request=request)


@replica_reads
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    customer_filter = _filtered_customers(request)
    paginator = LateRowPaginator(customer_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "customers/customer_list.html", {"filter": customer_filter, "page_obj": page})


@replica_reads
def customer_export(request):
    """The rows the list's current filters and sort select, as the customers module exports them
    (the customers sheet: contacts are exported, with their own permission, by the import page)."""
    return export_response(request, "customers", _("客户列表"), resources=[CustomerResource])


# Work on the customers ticked on the list (archive_site.bulk).


def _bulk_customers(request, perm):
    """(customers, back) ticked on the list, or (None, the answer): `bulk.ticked`."""
    customers = Customer.objects.visible_to(request.user).select_related("sales_owner")
    return bulk.ticked(
        request,
        customers.prefetch_related("shared_with"),
        perm=perm,
        back=reverse("customers:customer-list"),
        none_ticked=_("请先勾选客户。"),
    )


@require_POST
def customer_bulk_owner(request):
    """Give the ticked customers to another sales owner, after a confirmation, all or none."""
    if not may_hand_over(request.user):
        raise PermissionDenied
    customers, back = _bulk_customers(request, "customers.change_customer")
    if customers is None:
        return back
    form = BulkOwnerForm(request.POST if "confirm" in request.POST else None)
    if form.is_bound and form.is_valid():
        owner = form.cleaned_data["sales_owner"]
        with transaction.atomic():
            bulk.lock_unchanged(Customer.objects, bulk.seen_versions(request, customers), back)
            Customer.objects.filter(pk__in=[c.pk for c in customers]).hand_over(owner, by=request.user)
        done = ngettext(
            "%(n)s 个客户的负责销售已改为 %(owner)s。",
            "%(n)s 个客户的负责销售已改为 %(owner)s。",
            len(customers),
        )
        messages.success(request, done % {"n": len(customers), "owner": owner})
        return redirect(back)
    return bulk.confirmation(
        request,
        title=_("更改负责销售"),
        intro=_("以下客户的负责销售将改为所选的人；确认前不会修改任何内容。"),
        rows=[(c, c.get_absolute_url(), c.sales_owner or "—", None) for c in customers],
        columns=[_("现在的负责销售")],
        submit=ngettext("确认更改 %(n)s 个客户", "确认更改 %(n)s 个客户", len(customers))
        % {"n": len(customers)},
        back=back,
        form=form,
    )


@require_POST
def customer_bulk_share(request):
    """Share the ticked customers with more users, after a confirmation, all or none."""
    customers, back = _bulk_customers(request, "customers.change_customer")
    if customers is None:
        return back
    form = BulkShareForm(request.POST if "confirm" in request.POST else None)
    if form.is_bound and form.is_valid():
        users = list(form.cleaned_data["users"])
        with transaction.atomic():
            bulk.lock_unchanged(Customer.objects, bulk.seen_versions(request, customers), back)
            Customer.objects.filter(pk__in=[c.pk for c in customers]).share_with(users, by=request.user)
        done = ngettext(
            "%(n)s 个客户已共享给 %(users)s。", "%(n)s 个客户已共享给 %(users)s。", len(customers)
        )
        messages.success(request, done % {"n": len(customers), "users": "、".join(str(u) for u in users)})
        return redirect(back)
    return bulk.confirmation(
        request,
        title=_("共享客户"),
        intro=_("以下客户将同时共享给所选的人（已有的共享保持不变）；确认前不会修改任何内容。"),
        rows=[
            (c, c.get_absolute_url(), "、".join(str(u) for u in c.shared_with.all()) or "—", None)
            for c in customers
        ],
        columns=[_("现在共享给")],
        submit=ngettext("确认共享 %(n)s 个客户", "确认共享 %(n)s 个客户", len(customers))
        % {"n": len(customers)},
        back=back,
        form=form,
    )


@require_POST
def customer_bulk_export(request):
    """The ticked customers, as the list's export writes them."""
    get_module_for_export(request.user, "customers")
    customers, back = _bulk_customers(request, "customers.view_customer")
    if customers is None:
        return back
    return bulk.export_ticked(request, customers, customer_export)


@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk):
    try:
        customer = Customer.objects.select_related(
            "category", "sales_owner", "verified_by"
        ).get_visible_or_404(request.user, pk, "customers.view_customer")
    except Http404:
        return _merged_customer(request, pk)
    log_access(request, "view", customer)
    events = events_for(*customer.history_objects(), limit=HISTORY_SIZE)  # the merged duplicates' too
    ctx = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "documents": customer.documents.all(),
        "shared_with": customer.shared_with.all(),
        "shared_with_groups": customer.shared_with_groups.order_by("pk"),
        "aliases": customer.aliases.select_related("merged_by"),
        "completeness": completeness.assess(customer, request.user),
        "history": describe_events(events),
        "followed": customer.is_followed_by(request.user),
    }
    return render(request, "customers/customer_detail.html", ctx)


@require_POST
@permission_required("customers.view_customer", raise_exception=True)
def customer_follow(request, pk):
    """关注 / 取消关注: `follow=1` follows, `follow=0` stops (the same request twice changes nothing)."""
    customer = Customer.objects.get_visible_or_404(request.user, pk, "customers.view_customer")
    if request.POST.get("follow") == "0":
        customer.unfollow(request.user)
        messages.success(request, _("已取消关注客户“%(name)s”。") % {"name": customer.name})
    else:
        customer.follow(request.user)
        message = _("已关注客户“%(name)s”：它的新质量异议会通知您。")
        messages.success(request, message % {"name": customer.name})
    return redirect(customer)


def _merged_customer(request, pk):
    """The page of a customer merged into another leads to that one, for whoever may see it."""
    alias = CustomerAlias.objects.filter(merged_customer_id=pk if str(pk).isdigit() else None).first()
    if alias is None or not Customer.objects.visible_to(request.user).filter(pk=alias.customer_id).exists():
        raise Http404
    messages.info(
        request,
        _("客户“%(name)s”（%(code)s）已于 %(when)s 并入本客户。")
        % {"name": alias.name, "code": alias.code, "when": f"{alias.merged_at:%Y-%m-%d}"},
    )
    return redirect("customers:customer-detail", alias.customer_id)


def _save_customer(request, customer):
    """The customer form and its contacts, saved together or not at all."""
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    contacts = ContactFormSet(
        request.POST or None, instance=customer, form_kwargs={"user": request.user}, prefix="contacts"
    )
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        customer = form.save()
        contacts.instance = customer
        contacts.save()
        return customer, form, contacts
    return None, form, contacts


@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request):
    saved, form, contacts = _save_customer(request, Customer(sales_owner=request.user))
    if saved:
        messages.success(request, _("客户“%(name)s”已创建。") % {"name": saved.name})
        return redirect(saved)
    return render(request, "customers/customer_form.html", {"form": form, "contacts": contacts})


def customer_edit(request, pk):
    customer = Customer.objects.get_visible_or_404(request.user, pk, "customers.change_customer")
    saved, form, contacts = _save_customer(request, customer)
    if saved:
        messages.success(request, _("客户“%(name)s”已保存。") % {"name": saved.name})
        return redirect(saved)
    ctx = {"form": form, "contacts": contacts, "customer": customer}
    return render(request, "customers/customer_form.html", ctx)


def customer_delete(request, pk):
    """Delete after confirmation, and only when no record refers to the customer."""
    customer = Customer.objects.get_visible_or_404(request.user, pk, "customers.delete_customer")
    blockers = None
    if request.method == "POST":
        files = [d.file.name for d in customer.documents.all()]
        try:
            customer.delete()
        except ProtectedError as e:
            blockers = sorted((o._meta.verbose_name, str(o)) for o in e.protected_objects)[:50]
        else:
            transaction.on_commit(lambda: [CustomerDocument.file.field.storage.delete(f) for f in files])
            messages.success(request, _("客户“%(name)s”已删除。") % {"name": customer.name})
            return redirect("customers:customer-list")
    ctx = {"customer": customer, "blockers": blockers}
    return render(request, "customers/customer_confirm_delete.html", ctx)


FILE_NOT_STORED = gettext_lazy("文件未能保存（存储空间不足或存储不可用），请稍后重试或联系管理员。")


def document_create(request, pk):
    customer = Customer.objects.get_visible_or_404(request.user, pk, "customers.add_customerdocument")
    document = CustomerDocument(customer=customer)
    kind = request.GET.get("kind")  # a link that asks for a document of one kind (completeness)
    initial = {"kind": kind} if kind in CustomerDocument.Kind.values else None
    form = DocumentForm(
        request.POST or None, request.FILES or None, instance=document, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except OSError:  # the disk or object store refused the file: no row is kept
            form.add_error("file", FILE_NOT_STORED)
        else:
            messages.success(request, _("文件已上传。"))
            return redirect(customer)
    return render(request, "customers/document_form.html", {"form": form, "customer": customer})


def _get_document_for_user(user, pk, perm):
    return CustomerDocument.objects.select_related("customer").get_visible_or_404(user, pk, perm)


def document_download(request, pk):
    document = _get_document_for_user(request.user, pk, "customers.view_customerdocument")
    filename = PurePath(document.file.name).name
    log_access(request, "download", document.customer, detail=document.title)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


@require_POST
def document_delete(request, pk):
    document = _get_document_for_user(request.user, pk, "customers.delete_customerdocument")
    name = document.file.name
    document.delete()
    transaction.on_commit(lambda: document.file.storage.delete(name))
    messages.success(request, _("文件“%(title)s”已删除。") % {"title": document.title})
    return redirect(document.customer)


# Demands

# The records a demand's page shows beside it; its dictionary entries (and its customer's) are
# loaded after the row in one query (`with_dictionaries`): joined, 15 of them made PostgreSQL
# plan the page's query for 40–70 ms.
DEMAND_RELATED = ["customer", "customer__sales_owner", "created_by", "updated_by"]


def get_demand_for_user(user, pk, perm="customers.view_demand"):
    """The demand with what its page shows, if `user` holds `perm` (else 403) and may see it (else 404)."""
    demands = Demand.objects.select_related(*DEMAND_RELATED).with_dictionaries()
    return demands.get_visible_or_404(user, pk, perm)


def _filtered_demands(request):
    queryset = Demand.objects.listed_for(request.user).select_related("customer").with_dictionaries()
    return DemandFilter(request.GET, queryset=queryset)


@replica_reads
@permission_required("customers.view_demand", raise_exception=True)
def demand_list(request):
    demand_filter = _filtered_demands(request)
    paginator = LateRowPaginator(demand_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "customers/demand_list.html", {"filter": demand_filter, "page_obj": page})


@replica_reads
def demand_export(request):
    """The rows the list's current filters and sort select, as the demands module exports them:
    the demands with their composition and property rows, a file that imports back."""
    return export_response(request, "demands", _("客户需求列表"))


@permission_required("customers.view_customer", raise_exception=True)
def customer_picker(request):
    """The customer picker's answer (customers.forms.CustomerField, static/js/customer_picker.js):
    the customers the user may see matching a term, with the basic data a demand shows.

    With `demands=1` (the plan and part forms) each customer also lists its demands, to choose from.
    """
    term = request.GET.get("q", "").strip()
    customers = list(
        Customer.objects.visible_to(request.user)
        .search(term, decide=False)  # 20 rows, uncounted: the gram index as before, no statistics read
        .select_related("category", "sales_owner")
        .order_by("code")[:20]
    )
    results = [_customer_basics(c) for c in customers]
    if request.GET.get("demands") and request.user.has_perm("customers.view_demand"):
        demands = {r["id"]: r.setdefault("demands", []) for r in results}
        rows = Demand.objects.filter(customer__in=customers).order_by("customer", "-updated_at", "-id")
        for d in rows.only("pk", "customer_id", "name", "thickness", "width", "length"):
            demands[d.customer_id].append({"id": d.pk, "name": f"{d.name}（{d.spec} mm）"})
    return JsonResponse({"results": results})


def _customer_basics(c):
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "short_name": c.short_name,
        "category": str(c.category),
        "region": c.region,
        "address": c.address,
        "phone": c.phone,
        "sales_owner": str(c.sales_owner or ""),
    }


@permission_required("customers.view_demand", raise_exception=True)
def demand_detail(request, pk):
    demand = get_demand_for_user(request.user, pk)
    log_access(request, "view", demand.customer, detail=demand.name)
    events = events_for(demand, limit=HISTORY_SIZE)
    ctx = {
        "demand": demand,
        "elements": demand.elements.select_related("element"),
        "properties": demand.properties.select_related("property"),
        "attachments": demand.attachments.all(),
        "attachment_form": DemandAttachmentForm(user=request.user),
        "history": describe_events(events),
    }
    return render(request, "customers/demand_detail.html", ctx)


def _save_demand(request, demand, initial=None):
    """The demand and its composition and property rows, saved together or not at all."""
    data = request.POST if request.method == "POST" else None
    form = DemandForm(data, instance=demand, initial=initial, user=request.user)
    kwargs = {"instance": demand, "form_kwargs": {"user": request.user}}
    elements = DemandElementFormSet(data, prefix="elements", **kwargs)
    properties = DemandPropertyFormSet(data, prefix="properties", **kwargs)
    if demand.pk and demand.plans.exists():
        form.fields["customer"].disabled = True  # its plans belong to this customer
    valid = data is not None and all([form.is_valid(), elements.is_valid(), properties.is_valid()])
    if valid:
        with transaction.atomic():
            demand = form.save()
            for formset in (elements, properties):
                formset.instance = demand
                formset.save()
        return demand, form, elements, properties
    return None, form, elements, properties


def _demand_form_page(request, form, elements, properties, demand=None):
    customer = form.fields["customer"].picked(form)
    ctx = {
        "form": form,
        "elements": elements,
        "properties": properties,
        "demand": demand,
        "picked": _customer_basics(customer) if customer else None,
    }
    return render(request, "customers/demand_form.html", ctx)


@permission_required("customers.add_demand", raise_exception=True)
def demand_create(request):
    initial, demand = None, Demand()
    if request.GET.get("customer"):
        customer = Customer.objects.get_visible_or_404(
            request.user, request.GET["customer"], "customers.view_customer"
        )
        initial = {"customer": customer.pk}
        demand.customer = customer
    saved, form, elements, properties = _save_demand(request, demand, initial)
    if saved:
        messages.success(request, _("客户需求“%(name)s”已创建。") % {"name": saved.name})
        return redirect(saved)
    return _demand_form_page(request, form, elements, properties)


def demand_edit(request, pk):
    demand = get_demand_for_user(request.user, pk, "customers.change_demand")
    saved, form, elements, properties = _save_demand(request, demand)
    if saved:
        messages.success(request, _("客户需求“%(name)s”已保存。") % {"name": saved.name})
        return redirect(saved)
    return _demand_form_page(request, form, elements, properties, demand)


@require_POST
def demand_copy(request, pk):
    """A copy of the demand with its rows, opened for editing (e.g. a similar order)."""
    demand = get_demand_for_user(request.user, pk, "customers.add_demand")
    copy = demand.copy(by=request.user)
    messages.success(request, _("已复制为新需求“%(name)s”，请修改后保存。") % {"name": copy.name})
    return redirect("customers:demand-edit", copy.pk)


def demand_delete(request, pk):
    """Delete after confirmation, and only while no plan serves the demand."""
    demand = get_demand_for_user(request.user, pk, "customers.delete_demand")
    blockers = None
    if request.method == "POST":
        files = [a.file.name for a in demand.attachments.all()]
        try:
            demand.delete()
        except ProtectedError as e:
            blockers = sorted((o._meta.verbose_name, str(o)) for o in e.protected_objects)[:50]
        else:
            storage = DemandAttachment.file.field.storage
            transaction.on_commit(lambda: [storage.delete(f) for f in files])
            messages.success(request, _("客户需求“%(name)s”已删除。") % {"name": demand.name})
            return redirect(demand.customer)
    return render(request, "customers/demand_confirm_delete.html", {"demand": demand, "blockers": blockers})


@require_POST
def demand_attachment_create(request, pk):
    demand = get_demand_for_user(request.user, pk, "customers.add_demandattachment")
    form = DemandAttachmentForm(
        request.POST, request.FILES, instance=DemandAttachment(demand=demand), user=request.user
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except OSError:  # the disk or object store refused the file: no row is kept
            form.add_error("file", FILE_NOT_STORED)
    if form.is_valid():
        messages.success(request, _("附件已上传。"))
    else:
        errors = "；".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("附件未上传：%(errors)s") % {"errors": errors})
    return redirect(demand)


def _get_attachment_for_user(user, pk, perm):
    return DemandAttachment.objects.select_related("demand__customer").get_visible_or_404(user, pk, perm)


def demand_attachment_download(request, pk):
    attachment = _get_attachment_for_user(request.user, pk, "customers.view_demandattachment")
    filename = PurePath(attachment.file.name).name
    log_access(request, "download", attachment.demand.customer, detail=attachment.title)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=filename)


@require_POST
def demand_attachment_delete(request, pk):
    attachment = _get_attachment_for_user(request.user, pk, "customers.delete_demandattachment")
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(name))
    messages.success(request, _("附件“%(title)s”已删除。") % {"title": attachment.title})
    return redirect(attachment.demand)
