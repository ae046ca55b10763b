"""Who gets what from every URL: each named URL × each role → the expected answer.

HOW TO ADD A ROW — `test_every_url_has_a_row` names each URL that has none.
One `Row` per URL name (and per set of URL arguments, if one name has several routes):

    Row("quality:objection-edit", objection,
        get= (LOGIN, 200, 403, 403, 403, 200, 403),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=form_of("quality:objection-edit"),
        state=fields(Objection, "version")),

- The second argument builds the URL's kwargs from the `World` (users of every role and
  alice's customer with a contact and a document); write a small function next to your
  rows that creates your record for `w.customer` with the factories and returns
  `{"pk": record.pk}`. Always put the record in alice's customer: "owner" is alice,
  "other" is bob, a sales user outside its scope. `query=` adds a query string.
- `get` / `post`: the answer per role, in the column order of ROLES below:
    200 page · 302 redirect elsewhere · LOGIN redirect to the login page · 401 · 403 no
    permission · 404 outside the record scope (or no such record) · 405 method not allowed.
- Every URL that changes something needs `post=(...)` with `data(w, kwargs)` (a VALID
  form, so that the refusals are real refusals: `form_of(url name)` resubmits the form
  as the page renders it for an administrator) and `state(w, kwargs)` (a value read
  fresh from the database). A POST answered with `done` (302 unless the row says
  otherwise, e.g. 200 for a PDF) must change the state; any other answer must leave
  it equal. `post=READ_ONLY` for pages no POST changes anything through (lists,
  details, downloads, exports).
- What each role should get follows `archive_site/accounts/roles.py` and the record scope:
  sales users see only their own and shared customers; holders of
  customers.view_all_customers (admin, engineer, quality, and the viewer, who reads the
  whole archive) see all. A view checks the permission before the scope, so a role
  without the permission gets 403 even outside its scope.

Each role's request runs in its own rolled-back savepoint, so a done POST does not
disturb the next role's.
"""

import datetime
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook
from PIL import Image

from archive_site.accounts import roles
from archive_site.models import DictEntry, DictKind
from customers.models import Customer, CustomerDocument, Follow
from tests.factories import (
    PASSWORD,
    entry,
    make_contact,
    make_customer,
    make_demand,
    make_objection,
    make_order,
    make_part,
    make_plan,
    make_run,
    make_user,
)

ROLES = ("anon", "admin", "owner", "other", "engineer", "quality", "viewer")
ROLE_FIXTURES = {
    "admin": "admin_user",
    "owner": "alice",  # sales, owns the customer every row's record belongs to
    "other": "bob",  # sales, outside that customer's scope
    "engineer": "engineer",
    "quality": "quality",
    "viewer": "viewer",
}
LOGIN = "→login"
READ_ONLY = None
_seq = itertools.count(1)

# Framework URLs the matrix does not cover (Django's admin has its own staff check).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}  # login-free by design: only sets a language cookie


@dataclass
class World:
    users: dict  # role -> user; "anon" -> None
    customer: Customer  # alice's
    document: CustomerDocument  # of alice's customer
    actor: Any = None  # the user making the current request (None: anonymous)


@dataclass
class Row:
    name: str
    kwargs: Callable[[World], dict]
    get: tuple
    post: tuple | None
    data: Callable[[World, dict], dict] | None = None
    state: Callable[[World, dict], Any] | None = None
    query: Callable[[World], dict] | None = None
    done: int = 302  # the answer of a POST that was carried out

    def __str__(self):
        return f"{self.name}({self.kwargs.__name__})"

    def url(self, w, kwargs):
        url = reverse(self.name, kwargs=kwargs)
        return f"{url}?{urlencode(self.query(w))}" if self.query else url


# Small files the upload forms accept.


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def jpeg_upload(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_upload(name="part.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


# Generic data and state builders.


class _FormValues(HTMLParser):
    """What a browser submits from the first POST form in <main> (file inputs and buttons aside)."""

    def __init__(self):
        super().__init__()
        self.values = []
        self.stage = "before"  # → "in" → "after"
        self.in_main = self.in_template = False
        self.select = self.textarea = self.option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "template":
            self.in_template = True
        elif (
            tag == "form"
            and a.get("method", "").lower() == "post"
            and self.stage == "before"
            and self.in_main
        ):
            self.stage = "in"
        if self.stage != "in" or self.in_template or "disabled" in a:
            return
        name = a.get("name")
        kind = a.get("type", "text").lower()
        if tag == "input" and name and kind not in ("file", "submit", "button", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.values.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "form" and self.stage == "in" and not self.in_template:
            self.stage = "after"
        elif tag == "option" and self.option is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            if self.select["first"] is None:
                self.select["first"] = value
            if self.option["selected"]:
                self.select["chosen"].append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            self.values.extend((self.select["name"], v) for v in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.values.append((self.textarea["name"], self.textarea["text"].removeprefix("\n")))
            self.textarea = None


def form_values(html):
    parser = _FormValues()
    parser.feed(html)
    data = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


def form_of(page, source=None, **changes):
    """Data builder: the form of URL `page` as an administrator sees it, with `changes`.

    `page` gets the row's kwargs, or those of `source(w)` (e.g. an edit page of another
    record, to build a valid "create" form). A change may be a function of (w, kwargs).
    """

    def data(w, kw):
        client = Client()
        client.force_login(w.users["admin"])
        response = client.get(reverse(page, kwargs=source(w) if source else kw))
        assert response.status_code == 200, f"{page} answered {response.status_code} to the administrator"
        values = form_values(response.content.decode())
        values.update({k: v(w, kw) if callable(v) else v for k, v in changes.items()})
        return values

    data.__name__ = f"form_of({page})"
    return data


def fields(model, *names):
    """State builder: the named fields of the row's record (None once it is deleted)."""

    def state(w, kw):
        return model.objects.filter(pk=kw["pk"]).values_list(*names).first()

    return state


def count(model):
    """State builder: how many rows `model` has."""

    def state(w, kw):
        return model.objects.count()

    return state


def no_args(w):
    return {}


def no_data(w, kw):
    return {}


# Core: own password.


def own_password(w, kw):
    return get_user_model().objects.filter(pk=getattr(w.actor, "pk", None)).values_list("password").first()


def password_change_form(w, kw):
    new = "Brand-New-Pass-77"
    return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


# Accounts (administrators only).


def account(w):
    return {"pk": make_user(None, roles.VIEWER, name="目标用户").pk}


def inactive_account(w):
    return {"pk": make_user(None, roles.VIEWER, is_active=False).pk}


def role_pk(name):
    return Group.objects.get(name=name).pk


def user_create_form(w, kw):
    return {
        "username": "newcomer",
        "name": "新同事",
        "email": "",
        "groups": [role_pk(roles.VIEWER)],
        "password1": "Brand-New-Pass-77",
        "password2": "Brand-New-Pass-77",
    }


def user_edit_form(w, kw):
    version = get_user_model().objects.get(pk=kw["pk"]).version
    return {
        "name": "改过的名字",
        "email": "",
        "groups": [role_pk(roles.VIEWER)],
        "is_active": "on",
        "version": version,
    }


def custom_role(w):
    """A role an administrator made (技术研究院: reads customers and objections)."""
    group = Group.objects.create(name=f"技术研究院{next(_seq)}")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_objection"]),
    )
    return {"pk": group.pk}


def admin_role(w):
    return {"pk": role_pk(roles.ADMIN)}


def role_fields(w, kw):
    group = Group.objects.filter(pk=kw["pk"]).first()
    return group and (group.name, sorted(group.permissions.values_list("pk", flat=True)))


def role_count(w, kw):
    return Group.objects.count()


def version_of(model):
    """Data builder: the record's version, as the page of its button sends it."""

    def data(w, kw):
        return {"version": model.objects.get(pk=kw["pk"]).version}

    data.__name__ = f"version_of({model.__name__})"
    return data


def password_reset_form(w, kw):
    return {"new_password1": "Brand-New-Pass-77", "new_password2": "Brand-New-Pass-77"}


account_fields = fields(get_user_model(), "name", "is_active", "password")


# Base dictionaries.


def kind(w):
    return {"kind": DictKind.DEFECT_TYPE.value}


def dict_entry(w, **extra):
    extra.setdefault("sort_order", 10_000)  # last of its kind
    n = next(_seq)
    created = DictEntry.objects.create(kind=DictKind.DEFECT_TYPE, code=f"ZZ{n}", name=f"测试缺陷{n}", **extra)
    return {"pk": created.pk}


def first_dict_entry(w):
    return dict_entry(w, sort_order=0)


def inactive_dict_entry(w):
    return dict_entry(w, is_active=False)


def defect_type_count(w, kw):
    return DictEntry.objects.of(DictKind.DEFECT_TYPE).count()


def dict_entry_form(w, kw):
    form = {"code": "ZZ-NEW", "name": "改过的缺陷", "name_en": "Changed", "is_active": "on"}
    if "pk" in kw:
        form["version"] = DictEntry.objects.get(pk=kw["pk"]).version
    return form


dict_entry_fields = fields(DictEntry, "code", "name", "sort_order", "is_active")


# Customers.


def customer(w):
    return {"pk": w.customer.pk}


# Work on ticked rows of a list (archive_site.bulk): alice's customer, confirmed.


def _ticked(record, **more):
    return {"ids": [record.pk], f"version_{record.pk}": type(record).objects.get(pk=record.pk).version} | more


def ticked_customer_to_bob(w, kw):
    return _ticked(w.customer, sales_owner=w.users["other"].pk, confirm="1")


def ticked_customer_shared_with_engineer(w, kw):
    return _ticked(w.customer, users=[w.users["engineer"].pk], confirm="1")


def ticked_customer(w, kw):
    return _ticked(w.customer)


def customer_owner_and_shares(w, kw):
    customer = Customer.objects.get(pk=w.customer.pk)
    return (
        customer.sales_owner_id,
        sorted(customer.shares.values_list("user_id", flat=True)),
        customer.version,
    )


def ticked_objection_to_quality(w, kw):
    return _ticked(make_objection(w.customer), handler=w.users["quality"].pk, note="批量指派", confirm="1")


def ticked_objection(w, kw):
    return _ticked(make_objection(w.customer))


def objection_handlers(w, kw):
    from quality.models import Objection

    return sorted(Objection.objects.filter(customer=w.customer).values_list("pk", "handler_id", "version"))


def exports_logged(w, kw):
    from archive_site.models import AccessLog

    return AccessLog.objects.filter(action="export").count()


def document(w):
    return {"pk": w.document.pk}


def of_customer(w):
    return {"customer": w.customer.pk}


def customer_form(w, kw):
    """A valid customer form: of the row's customer, or a new one."""
    c = Customer.objects.filter(pk=kw.get("pk")).first()
    return {
        "code": c.code if c else "C9001",
        "name": c.name if c else "安徽江淮汽车集团股份有限公司",
        "category": entry(DictKind.CUSTOMER_CATEGORY, "AUTO").pk,
        "status": "active",
        "region": "改过的地区",
        "sales_owner": c.sales_owner_id if c else "",
        "version": c.version if c else "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }


def document_form(w, kw):
    return {"kind": "drawing", "title": "图纸", "file": SimpleUploadedFile("part.png", png_bytes())}


customer_fields = fields(Customer, "name", "region", "version")


# Demands.


def demand(w):
    return {"pk": make_demand(w.customer).pk}


def demand_attachment(w):
    from customers.models import DemandAttachment

    attachment = DemandAttachment(demand=make_demand(w.customer), title="图纸")
    attachment.file.save("drawing.png", ContentFile(png_bytes()), save=True)
    return {"pk": attachment.pk}


def demand_count(w, kw):
    from customers.models import Demand

    return Demand.objects.count()


def attachment_count(w, kw):
    from customers.models import DemandAttachment

    return DemandAttachment.objects.count()


def attachment_form(w, kw):
    return {"title": "图纸", "file": SimpleUploadedFile("drawing.png", png_bytes())}


def demand_fields(w, kw):
    from customers.models import Demand

    return fields(Demand, "name", "version")(w, kw)


def attachment_exists(w, kw):
    from customers.models import DemandAttachment

    return DemandAttachment.objects.filter(pk=kw["pk"]).exists()


# Quality objections.


def objection(w):
    return {"pk": make_objection(w.customer).pk}


def _objection_photo(w):
    from archive_site.photos import process_upload, save_photos
    from quality.models import ObjectionPhoto

    objection = make_objection(w.customer)
    (photo,) = save_photos(ObjectionPhoto, [process_upload(jpeg_upload())], objection=objection)
    return photo


def objection_photo(w):
    return {"pk": _objection_photo(w).pk}


def objection_photo_thumb(w):
    return {"pk": _objection_photo(w).pk, "size": "thumb"}


def objection_count(w, kw):
    from quality.models import Objection

    return Objection.objects.count()


def objection_fields(w, kw):
    from quality.models import Objection

    return fields(Objection, "status", "description", "version")(w, kw)


def objection_photo_count(w, kw):
    from quality.models import ObjectionPhoto

    return ObjectionPhoto.objects.count()


def objection_photo_exists(w, kw):
    from quality.models import ObjectionPhoto

    return ObjectionPhoto.objects.filter(pk=kw["pk"]).exists()


def transition_form(w, kw):
    from quality.models import Objection

    return {"to_status": "investigating", "note": "", "version": Objection.objects.get(pk=kw["pk"]).version}


def assign_form(w, kw):
    from quality.models import Objection

    version = Objection.objects.get(pk=kw["pk"]).version
    return {"handler": w.users["quality"].pk, "note": "由质量人员处理", "version": version}


def objection_handler(w, kw):
    from quality.models import Objection

    return fields(Objection, "handler", "version")(w, kw)


def deadline_rule(w):
    from quality.models import DeadlineRule

    days = {"response_days": 1, "containment_days": 1, "cause_days": 5, "closure_days": 9}
    rule, _ = DeadlineRule.objects.get_or_create(severity=1, customer=w.customer, defaults=days)
    return {"pk": rule.pk}


def deadline_rule_form(w, kw):
    days = {"response_days": 1, "containment_days": 2, "cause_days": 6, "closure_days": 12}
    return {"severity": 4, "customer": w.customer.code, **days}


def deadline_rule_count(w, kw):
    from quality.models import DeadlineRule

    return DeadlineRule.objects.count()


def deadline_rule_fields(w, kw):
    from quality.models import DeadlineRule

    return fields(DeadlineRule, "closure_days", "version")(w, kw)


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _objection_attachment(w):
    from quality.models import ObjectionAttachment

    attachment = ObjectionAttachment(objection=make_objection(w.customer), title="客户来函")
    attachment.file.save("letter.pdf", ContentFile(pdf_bytes()), save=True)
    return attachment


def objection_attachment(w):
    return {"pk": _objection_attachment(w).pk}


def objection_attachment_form(w, kw):
    return {"kind": "letter", "title": "客户来函", "file": SimpleUploadedFile("letter.pdf", pdf_bytes())}


def objection_attachment_count(w, kw):
    from quality.models import ObjectionAttachment

    return ObjectionAttachment.objects.count()


def objection_attachment_exists(w, kw):
    from quality.models import ObjectionAttachment

    return ObjectionAttachment.objects.filter(pk=kw["pk"]).exists()


def comment_form(w, kw):
    return {"text": "客户要求周五前回复 8D 报告"}


def objection_comment_count(w, kw):
    from quality.models import ObjectionComment

    return ObjectionComment.objects.count()


def photo_upload_form(w, kw):
    return {"photos": [jpeg_upload()], "caption": "边部划伤"}


def judgement_query(w):
    return {"customer": w.customer.code, "defect": "SCRATCH", "severity": "2"}


def search_query(w):
    return {"q": "划伤"}


# Process-control plans and runs.

PARAMETERS = [("CAL", "SPM_EL", 1.2, 0.8, 1.6, "%")]


def plan(w):
    return {"pk": make_plan(w.customer, parameters=PARAMETERS).plan_id}


def draft_revision(w):
    return {"pk": make_plan(w.customer, parameters=PARAMETERS).pk}


def approved_revision(w):
    return {"pk": make_plan(w.customer, parameters=PARAMETERS, approved_by=w.users["engineer"]).pk}


def approved_revision_with_runs(w):
    from quality.models import PlanRevision

    revision = make_plan(w.customer, parameters=PARAMETERS, approved_by=w.users["engineer"])
    for day, value in enumerate((1.1, 1.3, 1.25), start=1):
        make_run(revision, f"C{day:04d}", day=day, SPM_EL=value)
    return {"pk": PlanRevision.objects.get(pk=revision.pk).pk}


def plan_run(w):
    revision = make_plan(w.customer, parameters=PARAMETERS, approved_by=w.users["engineer"])
    return {"pk": make_run(revision, "C0001", SPM_EL=1.2).pk}


def for_demand(w):
    return {"demand": make_demand(w.customer).pk}


def revision_count(w, kw):
    from quality.models import PlanRevision

    return PlanRevision.objects.count()


def revision_fields(w, kw):
    from quality.models import PlanRevision

    return fields(PlanRevision, "status", "version")(w, kw)


def run_count(w, kw):
    from quality.models import PlanRun

    return PlanRun.objects.count()


def plan_count(w, kw):
    from quality.models import ProcessPlan

    return ProcessPlan.objects.count()


def run_form(w, kw):
    from quality.models import PlanRevision

    revision = PlanRevision.objects.get(pk=kw["pk"])
    data = form_of("quality:run-create")(w, kw)
    data.update(coil_number="C7777", produced_on="2025-03-05", line=entry(DictKind.PRODUCTION_LINE, "CAL").pk)
    for p in revision.parameters.all():
        data.update({name: "1.2" for name in data if name.endswith(str(p.pk))})
    return data


def run_upload_form(w, kw):
    """The runs template as served, with one filled row."""
    client = Client()
    client.force_login(w.users["admin"])
    template = client.get(reverse("quality:run-template", kwargs=kw))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    row = []
    for header in headers:
        h = str(header or "")
        row.append(
            "C8888"
            if "卷号" in h
            else datetime.date(2025, 3, 6)
            if "日期" in h
            else "CAL"
            if "产线" in h or "生产线" in h
            else None
            if h in ("表面等级", "判定结果")  # what came out of the line: optional
            else 1.2
        )
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("runs.xlsx", out.getvalue())}


def plan_create_form(w, kw):
    return {
        "plan-code": f"GK-N{next(_seq)}",
        "plan-name": "新方案",
        "plan-customer": w.customer.code,
        "plan-demand": make_demand(w.customer).pk,
        "rev-production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "rev-thickness_min": "0.6",
        "rev-thickness_max": "1.0",
        "rev-width_min": "1000",
        "rev-width_max": "1600",
        "params-TOTAL_FORMS": "1",
        "params-INITIAL_FORMS": "0",
        "params-MIN_NUM_FORMS": "0",
        "params-MAX_NUM_FORMS": "200",
        "params-0-line": entry(DictKind.PRODUCTION_LINE, "CAL").pk,
        "params-0-parameter": entry(DictKind.PROCESS_PARAMETER, "SPM_EL").pk,
        "params-0-target": "1.2",
        "params-0-lower": "0.8",
        "params-0-upper": "1.6",
        "params-0-unit": "%",
    }


def plan_apply_form(w, kw):
    return {"demand": make_demand(w.customer).pk, "code": f"GK-NEW{next(_seq)}", "name": "应用的方案"}


# Decisions, lessons (alerts), the run grid and the API.


def _decision(w):
    from quality.models import Decision

    return Decision.objects.create(
        customer=w.customer,
        defect_type=entry(DictKind.DEFECT_TYPE, "SCRATCH"),
        severity=2,
        verdict="acceptable",
        answer="…",
        coil_numbers=["C0001"],
        disposition="stock",
    )


def decision(w):
    return {"pk": _decision(w).pk}


def decision_count(w, kw):
    from quality.models import Decision

    return Decision.objects.count()


def decision_form(w, kw):
    return {"coil_numbers": "C0009", "tonnage": "12.5", "disposition": "agreement", "measure": "none"}


def objection_with_a_similar_customer(w):
    grade = entry(DictKind.PRODUCTION_GRADE, "DC04")
    objection = make_objection(w.customer, demand=make_demand(w.customer, production_grade=grade))
    make_demand(make_customer(code="C7001", name="同类客户有限公司"), production_grade=grade)
    return {"pk": objection.pk}


def alert_form(w, kw):
    return {"customers": [Customer.objects.get(code="C7001").pk], "message": "对划伤敏感"}


def alert_count(w, kw):
    from quality.models import Alert

    return Alert.objects.count()


def alert(w):
    from quality.models import Alert

    objection = make_objection(make_customer())
    created = Alert.objects.create(
        customer=w.customer, objection=objection, defect_type=objection.defect_type, message="对划伤敏感"
    )
    return {"pk": created.pk}


def alert_fields(w, kw):
    from quality.models import Alert

    return fields(Alert, "active")(w, kw)


def run_grid_form(w, kw):
    from quality.models import PlanRevision

    revision = PlanRevision.objects.get(pk=kw["pk"])
    (parameter,) = revision.parameters.all()
    return {
        "coils-TOTAL_FORMS": "1",
        "coils-INITIAL_FORMS": "0",
        "coils-MIN_NUM_FORMS": "1",
        "coils-MAX_NUM_FORMS": "100",
        "coils-0-coil_number": "C6666",
        "coils-0-produced_on": "2025-03-07",
        f"coils-0-p{parameter.pk}": "1.2",
    }


def token(w):
    from archive_site.models import ApiToken

    return {"pk": ApiToken.issue(w.users["engineer"], "连退过程计算机", by=None)[0].pk}


def token_form(w, kw):
    return {"user": w.users["engineer"].pk, "name": "连退过程计算机"}


def token_count(w, kw):
    from archive_site.models import ApiToken

    return ApiToken.objects.count()


def token_fields(w, kw):
    from archive_site.models import ApiToken

    return fields(ApiToken, "revoked_at")(w, kw)


# Parts.


def part(w):
    return {"pk": make_part(w.customer).pk}


def _part_photo(w):
    from archive_site.photos import process_upload, save_photos
    from products.models import PartPhoto

    (photo,) = save_photos(PartPhoto, [process_upload(jpeg_upload("part.jpg"))], part=make_part(w.customer))
    return photo


def part_photo(w):
    return {"pk": _part_photo(w).pk}


def part_photo_thumb(w):
    return {"pk": _part_photo(w).pk, "size": "thumb"}


def part_count(w, kw):
    from products.models import Part

    return Part.objects.count()


def part_fields(w, kw):
    from products.models import Part

    return fields(Part, "name", "version")(w, kw)


def part_photo_fields(w, kw):
    from products.models import PartPhoto

    return fields(PartPhoto, "caption")(w, kw)


def part_photo_count(w, kw):
    from products.models import PartPhoto

    return PartPhoto.objects.count()


def part_form(w, kw):
    return {
        "name": "前门外板",
        "number": f"5401011-A{next(_seq):02d}",
        "car_model": entry(DictKind.CAR_MODEL, "OLLIN").pk,
        "usage_location": entry(DictKind.USAGE_LOCATION, "DOOR_OUT").pk,
        "demand": "",
        "blank_thickness": "0.8",
        "blank_width": "1250",
        "blank_length": "1600",
        "gross_weight": "12.560",
        "material_quota": "13.100",
        "net_weight": "8.300",
        "remarks": "",
    }


def part_caption_form(w, kw):
    from products.models import PartPhoto

    return {"caption": "改过的说明", "version": PartPhoto.objects.get(pk=kw["pk"]).version}


def part_edit_form(w, kw):
    return form_of("products:part-edit", name="改过的零件")(w, kw)


# Printing.


def customer_with_part(w):
    make_part(w.customer)
    return {"pk": w.customer.pk}


def print_count(w, kw):
    from printing.models import PrintLog

    return PrintLog.objects.count()


def print_job_count(w, kw):
    from printing.models import PrintJob

    return PrintJob.objects.count()


def ticked_part(w, kw):
    return {"part": [make_part(w.customer).pk]}


def print_job(w):
    """A finished batch of alice's: hers alone to follow and download (it carries her name)."""
    from printing.models import PrintJob

    job = PrintJob.objects.create(
        user=w.users["owner"],
        customer=w.customer,
        label="批量",
        part_ids=[],
        language="zh-hans",
        status=PrintJob.Status.DONE,
    )
    job.file.save("sheets.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=True)
    return {"pk": job.pk}


# Orders and deliveries.


def order(w):
    return {"pk": make_order(w.customer).pk}


def delivery(w):
    order = make_order(w.customer, deliveries=[("26C00001", datetime.date(2025, 2, 1), 21.5)])
    return {"pk": order.deliveries.get().pk}


def order_count(w, kw):
    from orders.models import Order

    return Order.objects.count()


def delivery_count(w, kw):
    from orders.models import Delivery

    return Delivery.objects.count()


def delivery_exists(w, kw):
    from orders.models import Delivery

    return Delivery.objects.filter(pk=kw["pk"]).exists()


def order_fields(w, kw):
    from orders.models import Order

    return fields(Order, "remarks", "version")(w, kw)


def order_create_form(w, kw):
    return {
        "number": f"DD-NEW-{next(_seq)}",
        "customer": w.customer.code,
        "demand": "",
        "production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "thickness": "0.8",
        "width": "1250",
        "quantity": "300",
        "order_date": "2025-03-01",
        "requested_date": "2025-04-15",
        "status": "placed",
    }


def delivery_form(w, kw):
    return {"coil_number": f"26C{next(_seq):05d}", "date": "2025-03-10", "tons": "20.5"}


# Archive health: verification, merge.


def customer_verified(w, kw):
    return fields(Customer, "verified_at")(w, kw)


def follow_form(w, kw):
    return {"follow": "1"}


def follow_count(w, kw):
    return Follow.objects.filter(customer_id=kw["pk"]).count()


def merge_form(w, kw):
    """A duplicate of alice's customer, to merge into it."""
    duplicate = make_customer(name="青岛海尔股份有限责任公司", sales_owner=w.users["owner"])
    make_contact(duplicate, name="重复客户的联系人")
    return {"duplicate": duplicate.code}


customer_count = count(Customer)


# Imports.


def customers_module(w):
    return {"module": "customers"}


def _import_file():
    book = Workbook()
    book.active.append(["客户代码", "客户名称", "客户类别", "状态"])
    book.active.append(["C5001", "烟台汽车配件有限公司", "AUTO", "active"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_run(w):
    """A checked file of alice's, waiting for her confirmation."""
    from imports.models import ImportRun

    run = ImportRun(module="customers", user=w.users["owner"], file_name="客户.xlsx", file_size=10)
    run.status = ImportRun.Status.CHECKED
    run.file.save("客户.xlsx", ContentFile(_import_file()), save=True)
    return {"pk": run.pk}


def import_upload_form(w, kw):
    return {"file": SimpleUploadedFile("客户.xlsx", _import_file())}


def import_run_count(w, kw):
    from imports.models import ImportRun

    return ImportRun.objects.count()


def import_run_status(w, kw):
    from imports.models import ImportRun

    return fields(ImportRun, "status")(w, kw)


# Notifications: each user's own; the owner's notification is alice's.


def notification(w):
    from notifications.models import Kind, Notification

    objection = make_objection(w.customer)
    args = {"number": objection.number, "customer": w.customer.name, "by": "管理员", "note": ""}
    note = Notification.objects.create(
        recipient=w.users["owner"], kind=Kind.ASSIGNED, objection=objection, args=args
    )
    return {"pk": note.pk}


def notification_read_at(w, kw):
    from notifications.models import Notification

    return fields(Notification, "read_at")(w, kw)


def an_unread_notification(w, kw):
    """The actor has one unread notification to mark read."""
    from notifications.models import Kind, Notification

    if w.actor is not None:
        Notification.objects.create(recipient=w.actor, kind=Kind.CLOSED, args={})
    return {}


def unread_notifications(w, kw):
    from notifications.models import Notification

    return Notification.objects.unread().count()


def preference_form(w, kw):
    return {"email": ["assigned", "closed"], "language": "en"}


def actors_preference(w, kw):
    from notifications.models import Preference

    return list(Preference.objects.filter(user=w.actor).values_list("email_off", "language"))


# fmt: off
# Columns of get= and post=: (anon, admin, owner, other, engineer, quality, viewer) — see ROLES.
TABLE = [
    # Core: home, login, own password.
    Row("home", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("search", no_args,  # each user finds what their scope and permissions show
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY, query=search_query),
    Row("login", no_args,  # logged-in users are sent on to the home page
        get= (200,   302, 302, 302, 302, 302, 302), post=READ_ONLY),  # changes only the session
    Row("logout", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405), post=READ_ONLY),  # changes only the session
    Row("password-change", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200),
        post=(LOGIN, 302, 302, 302, 302, 302, 302), data=password_change_form, state=own_password),
    Row("access-log", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403), post=READ_ONLY),

    # Accounts: administrators only.
    Row("user-list", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403), post=READ_ONLY),
    Row("user-create", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=user_create_form, state=count(get_user_model())),
    Row("user-edit", account,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=user_edit_form, state=account_fields),
    Row("user-password-reset", account,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=password_reset_form, state=account_fields),
    Row("user-deactivate", account,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=version_of(get_user_model()), state=account_fields),
    Row("user-reactivate", inactive_account,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=version_of(get_user_model()), state=account_fields),
    Row("role-list", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403), post=READ_ONLY),
    Row("role-create", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403),
        data=form_of("role-create", name="销售公司"), state=role_count),
    Row("role-edit", custom_role,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403),
        data=form_of("role-edit", name="汽车技术研究院"), state=role_fields),
    Row("role-edit", admin_role,  # the administrators' role holds every permission: not changed here
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 403, 403, 403, 403, 403, 403), data=lambda w, kw: {"name": "x"}, state=role_fields),
    Row("role-delete", custom_role,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=role_fields),
    Row("token-list", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403), post=READ_ONLY),
    Row("token-create", no_args,  # the answer is the page that shows the new key once
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 200, 403, 403, 403, 403, 403), done=200, data=token_form, state=token_count),
    Row("token-revoke", token,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=token_fields),

    # Base dictionaries: everyone reads, administrators maintain.
    Row("dictionary-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("dictionary-list", kind,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("dictionary-create", kind,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=dict_entry_form, state=defect_type_count),
    Row("dictionary-edit", dict_entry,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=dict_entry_form, state=dict_entry_fields),
    Row("dictionary-up", dict_entry,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=dict_entry_fields),
    Row("dictionary-down", first_dict_entry,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=dict_entry_fields),
    Row("dictionary-deactivate", dict_entry,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=version_of(DictEntry), state=dict_entry_fields),
    Row("dictionary-reactivate", inactive_dict_entry,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=version_of(DictEntry), state=dict_entry_fields),
    Row("dictionary-delete", dict_entry,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=dict_entry_fields),

    # Customers: sales keep their own; engineers, quality and the viewer read all.
    Row("customers:customer-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:customer-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    # The customers ticked on the list: handed over (who sees all and may edit), shared, exported.
    Row("customers:customer-bulk-owner", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=ticked_customer_to_bob,
        state=customer_owner_and_shares),
    Row("customers:customer-bulk-share", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=ticked_customer_shared_with_engineer,
        state=customer_owner_and_shares),
    Row("customers:customer-bulk-export", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 200, 404, 200, 200, 403), done=200, data=ticked_customer, state=exports_logged),
    Row("customers:customer-create", no_args,
        get= (LOGIN, 200, 200, 200, 403, 403, 403),
        post=(LOGIN, 302, 302, 302, 403, 403, 403), data=customer_form, state=count(Customer)),
    Row("customers:customer-detail", customer,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("customers:customer-edit", customer,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=customer_form, state=customer_fields),
    Row("customers:customer-delete", customer,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=fields(Customer, "pk")),
    Row("customers:document-create", customer,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=document_form, state=count(CustomerDocument)),
    Row("customers:document-download", document,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("customers:document-delete", document,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=fields(CustomerDocument, "pk")),

    # Demands: everyone reads in scope; sales keep them.
    Row("customers:demand-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:demand-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:customer-picker", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:demand-create", no_args, query=of_customer,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403),
        data=form_of("customers:demand-edit", source=demand, name="新需求"), state=demand_count),
    Row("customers:demand-detail", demand,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("customers:demand-edit", demand,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403),
        data=form_of("customers:demand-edit", name="改过的需求"), state=demand_fields),
    Row("customers:demand-copy", demand,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=demand_count),
    Row("customers:demand-delete", demand,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=demand_count),
    Row("customers:demand-attachment-create", demand,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=attachment_form, state=attachment_count),
    Row("customers:demand-attachment-download", demand_attachment,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("customers:demand-attachment-delete", demand_attachment,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=attachment_exists),

    # Archive health: everyone sees the completeness of the customers they may see; sales
    # owners (and administrators) confirm a customer's data; only administrators merge.
    Row("customers:completeness-report", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:completeness-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("customers:completeness-rules", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:maintenance", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("customers:customer-verify", customer,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=customer_verified),
    # Anyone who may see the customer follows it.
    Row("customers:customer-follow", customer,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 302, 302, 302), data=follow_form, state=follow_count),
    Row("customers:customer-merge", customer,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=merge_form, state=customer_count),

    # Orders and deliveries: everyone reads in scope; sales keeps them; all but viewers export.
    Row("orders:order-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("orders:order-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("orders:order-create", no_args, query=of_customer,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=order_create_form, state=order_count),
    Row("orders:order-detail", order,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("orders:order-edit", order,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403),
        data=form_of("orders:order-edit", remarks="改过的备注"), state=order_fields),
    Row("orders:order-delete", order,
        get= (LOGIN, 200, 200, 404, 403, 403, 403),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=order_count),
    Row("orders:delivery-create", order,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=delivery_form, state=delivery_count),
    Row("orders:delivery-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("orders:delivery-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("orders:delivery-delete", delivery,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 403, 403), data=no_data, state=delivery_exists),

    # Quality objections: everyone reads in scope and runs the judgement check; sales
    # registers them for its own customers (another's customer is refused by the form);
    # quality staff keep objections and photos and reassign them; engineers and quality export.
    Row("quality:objection-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:objection-list", no_args, query=lambda w: {"queue": "overdue"},
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:objection-export", no_args,
        get= (LOGIN, 200, 403, 403, 200, 200, 403), post=READ_ONLY),
    # The objections ticked on the list: assigned (the single assignment's permission), exported.
    Row("quality:objection-bulk-assign", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=ticked_objection_to_quality,
        state=objection_handlers),
    Row("quality:objection-bulk-export", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 403, 403, 200, 200, 403), done=200, data=ticked_objection, state=exports_logged),
    Row("quality:objection-create", no_args,
        get= (LOGIN, 200, 200, 200, 403, 200, 403),
        post=(LOGIN, 302, 302, 200, 403, 302, 403),
        data=form_of("quality:objection-edit", source=objection, customer=lambda w, kw: w.customer.code),
        state=objection_count),
    Row("quality:objection-detail", objection,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:objection-edit", objection,
        get= (LOGIN, 200, 403, 403, 403, 200, 403),
        post=(LOGIN, 302, 403, 403, 403, 302, 403),
        data=form_of("quality:objection-edit", description="改过的描述"), state=objection_fields),
    Row("quality:objection-transition", objection,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=transition_form, state=objection_fields),
    Row("quality:objection-assign", objection,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=assign_form, state=objection_handler),
    Row("quality:photo-upload", objection,
        get= (LOGIN, 200, 200, 404, 403, 200, 403),
        post=(LOGIN, 302, 302, 404, 403, 302, 403), data=photo_upload_form, state=objection_photo_count),
    Row("quality:photo", objection_photo_thumb,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:photo-delete", objection_photo,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=no_data, state=objection_photo_exists),
    # Files that are not photos: sales adds them (the customer's letter) as it adds photos,
    # quality staff add and remove them; everyone who reads the objection downloads them.
    Row("quality:attachment-upload", objection,
        get= (LOGIN, 200, 200, 404, 403, 200, 403),
        post=(LOGIN, 302, 302, 404, 403, 302, 403),
        data=objection_attachment_form, state=objection_attachment_count),
    Row("quality:attachment-file", objection_attachment,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:attachment-delete", objection_attachment,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=no_data, state=objection_attachment_exists),
    # The discussion: read by all who read the objection, written by those who handle it
    # (quality) or own its customer (sales, in scope).
    Row("quality:comment-create", objection,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 403, 302, 403), data=comment_form, state=objection_comment_count),
    Row("quality:objection-stats", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:objection-stats-export", no_args,
        get= (LOGIN, 200, 403, 403, 200, 200, 403), post=READ_ONLY),
    # Objection handling statistics: as the objection statistics.
    Row("quality:work-stats", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:work-stats-export", no_args,
        get= (LOGIN, 200, 403, 403, 200, 200, 403), post=READ_ONLY),
    # Deadline rules: administrators keep them, quality staff read them.
    Row("quality:deadline-rule-list", no_args,
        get= (LOGIN, 200, 403, 403, 403, 200, 403), post=READ_ONLY),
    Row("quality:deadline-rule-create", no_args,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=deadline_rule_form, state=deadline_rule_count),
    Row("quality:deadline-rule-edit", deadline_rule,
        get= (LOGIN, 200, 403, 403, 403, 403, 403),
        post=(LOGIN, 302, 403, 403, 403, 403, 403),
        data=form_of("quality:deadline-rule-edit", closure_days=20), state=deadline_rule_fields),
    Row("quality:deadline-rule-delete", deadline_rule,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 403, 403), data=no_data, state=deadline_rule_fields),
    Row("quality:judgement", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:judgement-api", no_args, query=judgement_query,  # a machine gets 401, not the login page
        get= (401,   200, 200, 404, 200, 200, 200), post=READ_ONLY),

    # Process-control plans: everyone reads in scope; engineers keep plans and runs.
    Row("quality:plan-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:plan-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:plan-reuse", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:plan-create", no_args, query=for_demand,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403),
        data=plan_create_form, state=plan_count),
    Row("quality:plan-detail", plan,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:revision-detail", draft_revision,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:revision-edit", draft_revision,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403),
        data=form_of("quality:revision-edit"), state=revision_fields),
    Row("quality:revision-approve", draft_revision,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=revision_fields),
    Row("quality:revision-new", approved_revision,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=revision_count),
    Row("quality:revision-adopt", approved_revision_with_runs,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=revision_count),
    Row("quality:revision-delete", draft_revision,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=revision_count),
    Row("quality:plan-apply", approved_revision, query=for_demand,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=plan_apply_form, state=plan_count),
    Row("quality:run-create", approved_revision,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=run_form, state=run_count),
    Row("quality:run-upload", approved_revision,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=run_upload_form, state=run_count),
    Row("quality:run-template", approved_revision,
        get= (LOGIN, 200, 403, 403, 200, 403, 403), post=READ_ONLY),
    Row("quality:run-delete", plan_run,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=run_count),
    Row("quality:run-grid", approved_revision,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=run_grid_form, state=run_count),
    # The process computers' door: runs are posted with a token only, so every session gets 401.
    Row("quality:runs-api", no_args,
        get= (405,   405, 405, 405, 405, 405, 405),
        post=(401,   401, 401, 401, 401, 401, 401), data=no_data, state=run_count),

    # Decisions: everyone reads in scope; quality staff record them; engineers and quality export.
    Row("quality:decision-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:decision-export", no_args,
        get= (LOGIN, 200, 403, 403, 200, 200, 403), post=READ_ONLY),
    Row("quality:decision-create", no_args, query=judgement_query,
        get= (LOGIN, 200, 403, 403, 403, 200, 403),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=decision_form, state=decision_count),
    Row("quality:decision-detail", decision,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("quality:decision-stats", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("quality:decision-stats-export", no_args,
        get= (LOGIN, 200, 403, 403, 200, 200, 403), post=READ_ONLY),
    # Lessons spread to similar customers: everyone reads in scope; quality staff send alerts.
    Row("quality:objection-lessons", objection_with_a_similar_customer,
        get= (LOGIN, 200, 200, 404, 200, 200, 200),
        post=(LOGIN, 302, 403, 404, 403, 302, 403), data=alert_form, state=alert_count),
    Row("quality:alert-withdraw", alert,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 403, 302, 403), data=no_data, state=alert_fields),

    # Parts: everyone reads in scope and exports (no personal data); engineers keep them.
    Row("products:part-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("products:part-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("products:part-bulk-export", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 200, 404, 200, 200, 200), done=200, data=ticked_part, state=exports_logged),
    Row("products:part-create", no_args, query=of_customer,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=part_form, state=part_count),
    Row("products:part-detail", part,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("products:part-edit", part,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=part_edit_form, state=part_fields),
    Row("products:part-copy", part,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=part_form, state=part_count),
    Row("products:part-delete", part,
        get= (LOGIN, 200, 403, 403, 200, 403, 403),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=part_count),
    Row("products:photo-upload", part,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403),
        data=lambda w, kw: {"photos": [png_upload()], "caption": "冲压后"}, state=part_photo_count),
    Row("products:photo", part_photo_thumb,
        get= (LOGIN, 200, 200, 404, 200, 200, 200), post=READ_ONLY),
    Row("products:photo-caption", part_photo,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403),
        data=part_caption_form, state=part_photo_fields),
    Row("products:photo-delete", part_photo,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 403, 403, 302, 403, 403), data=no_data, state=part_photo_count),
    Row("products:statistics", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("products:statistics-export", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),

    # Printing: sales, engineers and quality staff print (quality staff the 8D reports of
    # the objections they handle), in scope; each print is logged.
    Row("printing:technical-sheet", part,
        get= (LOGIN, 200, 200, 404, 200, 200, 403), post=READ_ONLY),
    Row("printing:technical-sheet-pdf", part,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 200, 404, 200, 200, 403), done=200, data=no_data, state=print_count),
    Row("printing:process-card", demand,
        get= (LOGIN, 200, 200, 404, 200, 200, 403), post=READ_ONLY),
    Row("printing:process-card-pdf", demand,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 200, 404, 200, 200, 403), done=200, data=no_data, state=print_count),
    Row("printing:eight-d", objection,
        get= (LOGIN, 200, 200, 404, 200, 200, 403), post=READ_ONLY),
    Row("printing:eight-d-pdf", objection,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 200, 200, 404, 200, 200, 403), done=200, data=no_data, state=print_count),
    # A batch is queued for the worker (its page follows it), then downloaded by who asked for it.
    Row("printing:customer-sheets", customer_with_part,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 302, 302, 403), data=no_data, state=print_job_count),
    Row("printing:selected-sheets", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 404, 302, 302, 403), data=ticked_part, state=print_job_count),
    Row("printing:batch-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("printing:batch-detail", print_job,
        get= (LOGIN, 404, 200, 404, 404, 404, 403), post=READ_ONLY),
    Row("printing:batch-status", print_job,
        get= (LOGIN, 404, 200, 404, 404, 404, 403), post=READ_ONLY),
    Row("printing:batch-pdf", print_job,
        get= (LOGIN, 404, 200, 404, 404, 404, 403), post=READ_ONLY),
    Row("printing:photo", part_photo,
        get= (LOGIN, 200, 200, 404, 200, 200, 403), post=READ_ONLY),

    # Imports: who may import a module's records; each run is its uploader's (and the
    # administrators' to read); only the uploader confirms.
    Row("imports:index", no_args,  # engineers import parts and plans, quality staff objections
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("imports:run-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("imports:upload", customers_module,
        get= (LOGIN, 200, 200, 200, 403, 403, 403),
        post=(LOGIN, 302, 302, 302, 403, 403, 403), data=import_upload_form, state=import_run_count),
    Row("imports:template", customers_module,
        get= (LOGIN, 200, 200, 200, 403, 403, 403), post=READ_ONLY),
    Row("imports:export", customers_module,
        get= (LOGIN, 200, 200, 200, 200, 200, 403), post=READ_ONLY),
    Row("imports:run-detail", import_run,
        get= (LOGIN, 200, 200, 404, 404, 404, 404), post=READ_ONLY),
    Row("imports:run-status", import_run,
        get= (LOGIN, 200, 200, 404, 404, 404, 404), post=READ_ONLY),
    Row("imports:run-file", import_run,
        get= (LOGIN, 200, 200, 404, 404, 404, 404), post=READ_ONLY),
    Row("imports:run-confirm", import_run,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 403, 302, 404, 404, 404, 404), data=no_data, state=import_run_status),

    # Notifications: everyone has their own; nobody reads or marks another's.
    Row("notifications:notification-list", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200), post=READ_ONLY),
    Row("notifications:notification-read", notification,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 404, 302, 404, 404, 404, 404), data=no_data, state=notification_read_at),
    Row("notifications:notification-read-all", no_args,
        get= (LOGIN, 405, 405, 405, 405, 405, 405),
        post=(LOGIN, 302, 302, 302, 302, 302, 302), data=an_unread_notification, state=unread_notifications),
    Row("notifications:preferences", no_args,
        get= (LOGIN, 200, 200, 200, 200, 200, 200),
        post=(LOGIN, 302, 302, 302, 302, 302, 302), data=preference_form, state=actors_preference),
]
# fmt: on


# The machinery.


def url_patterns(patterns=None, namespace=None, params=frozenset()):
    """(name, URL parameter names) of every named route, namespaces included."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        own = frozenset(getattr(p.pattern, "converters", None) or p.pattern.regex.groupindex)
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from url_patterns(p.url_patterns, ns, params | own)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), params | own


def covered(name):
    return name not in SKIPPED_NAMES and name.split(":")[0] not in SKIPPED_NAMESPACES


@pytest.fixture
def world(request, alice):
    users = {"anon": None} | {role: request.getfixturevalue(f) for role, f in ROLE_FIXTURES.items()}
    customer = make_customer(name="青岛海尔股份有限公司", short_name="海尔", code="C0005", sales_owner=alice)
    make_contact(customer, name="刘工", mobile="13812345678")
    doc = CustomerDocument(customer=customer, kind="drawing", title="图纸")
    doc.file.save("part.png", ContentFile(png_bytes()), save=True)
    return World(users=users, customer=customer, document=doc)


def client_for(user):
    client = Client(raise_request_exception=False)  # an error is a 500 in the report, not a crash
    if user is not None:
        client.force_login(user)
    return client


def answer(response):
    if response.streaming:
        # Read to the end: the test client then closes the file without closing the
        # database connection (closing it unread would, inside the savepoint).
        b"".join(response.streaming_content)
    if response.status_code == 302 and urlsplit(response.url).path == reverse("login"):
        return LOGIN
    return response.status_code


@pytest.mark.django_db
def test_every_url_has_a_row(world):
    routes = {(name, params) for name, params in url_patterns() if covered(name)}
    rows = {(row.name, frozenset(row.kwargs(world))) for row in TABLE}
    missing = sorted(routes - rows, key=str)
    stale = sorted(rows - routes, key=str)
    assert not missing, (
        "URLs without a row in tests/test_permission_matrix.py TABLE (see how to add one at its top):\n"
        + "\n".join(f"  {name} (URL arguments: {', '.join(sorted(p)) or 'none'})" for name, p in missing)
    )
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_get(row, world):
    kwargs = row.kwargs(world)
    url = row.url(world, kwargs)
    wrong = []
    for role, expected in zip(ROLES, row.get, strict=True):
        with transaction.atomic():
            got = answer(client_for(world.users[role]).get(url))
            transaction.set_rollback(True)
        if got != expected:
            wrong.append(f"  {role}: expected {expected}, got {got}")
    assert not wrong, f"GET {url} ({row.name}):\n" + "\n".join(wrong)


POST_ROWS = [row for row in TABLE if row.post is not READ_ONLY]


def test_rows_that_change_something_say_how_to_check_it():
    for row in POST_ROWS:
        assert row.data and row.state, f"{row.name}: a POST row needs data= and state="


@pytest.mark.django_db
@pytest.mark.parametrize("row", POST_ROWS, ids=str)
def test_post(row, world):
    """Refused POSTs answer as the table says and change nothing; allowed ones are done."""
    kwargs = row.kwargs(world)
    url = row.url(world, kwargs)
    wrong = []
    for role, expected in zip(ROLES, row.post, strict=True):
        with transaction.atomic():
            world.actor = world.users[role]
            data = row.data(world, kwargs)  # first: it may create records the state counts
            before = row.state(world, kwargs)
            got = answer(client_for(world.actor).post(url, data))
            after = row.state(world, kwargs)
            transaction.set_rollback(True)
        if got != expected:
            wrong.append(f"  {role}: expected {expected}, got {got}")
        elif expected == row.done and after == before:
            wrong.append(f"  {role}: answered {got} but changed nothing (is the test's form data valid?)")
        elif expected != row.done and after != before:
            wrong.append(f"  {role}: refused with {got} but changed {before!r} → {after!r}")
    assert not wrong, f"POST {url} ({row.name}):\n" + "\n".join(wrong)
