"""The five built-in roles (Django groups) and the permissions a new database gives them.

Views check permissions, never role names. Roles belong to the administrators:
they change them on the roles page (账户管理 → 角色与权限) and create roles of
their own, so nothing here is applied to an existing database again.

- `create_roles` makes the built-in roles that do not exist yet, with the
  permissions of `ROLE_PERMISSIONS`; the data migration archive_site 0003 runs it
  once. It never changes a role that exists.
- A later release that gives a built-in role a new permission adds it to
  `ROLE_PERMISSIONS` (for new databases) AND ships a data migration calling
  `grant(apps, ROLE, [...])` (for existing ones): it adds the permissions to the
  role and takes nothing away (printing 0004 gives quality staff printing).
- The administrators' role holds every permission, and only that role is kept
  so by code: after every migrate it is given the permissions of new models
  (`after_migrate`). The roles page shows it as fixed, so nothing an
  administrator chose is undone.
- A flushed database (`manage.py flush`, the flush after each transactional
  test) has no roles at all; `after_migrate` makes the built-in ones again.
"""

from django.utils.translation import gettext_noop

# The groups' names are stored in Chinese; pages show them through gettext, so in English too.
ADMIN = gettext_noop("系统管理员")
SALES = gettext_noop("客服/销售")
ENGINEER = gettext_noop("工艺工程师")
QUALITY = gettext_noop("质量人员")
VIEWER = gettext_noop("浏览")

ALL = "__all__"

_READ = [
    "archive_site.view_dictentry",
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_customerdocument",
]
_VIEW_ALL = ["customers.view_all_customers"]
_KEEP_CUSTOMERS = [
    "customers.add_customer",
    "customers.change_customer",
    "customers.delete_customer",
    "customers.export_customer",
    "customers.export_contacts",  # phones and e-mails in exports
    "customers.add_contact",
    "customers.change_contact",
    "customers.delete_contact",
    "customers.add_customerdocument",
    "customers.change_customerdocument",
    "customers.delete_customerdocument",
]

# Demands: everyone reads; sales keeps them.
_READ_DEMANDS = ["customers.view_demand", "customers.view_demandattachment"]
_KEEP_DEMANDS = [
    "customers.add_demand",
    "customers.change_demand",
    "customers.delete_demand",
    "customers.add_demandattachment",
    "customers.delete_demandattachment",
]
# Process-control plans: everyone reads; engineers keep plans, runs, approve.
_READ_PLANS = ["quality.view_processplan", "quality.view_planrevision", "quality.view_planrun"]
_KEEP_PLANS = [
    "quality.add_processplan",
    "quality.change_processplan",
    "quality.delete_processplan",
    "quality.add_planrevision",
    "quality.change_planrevision",
    "quality.delete_planrevision",
    "quality.approve_planrevision",
    "quality.add_planrun",
    "quality.change_planrun",
    "quality.delete_planrun",
]
# Quality objections: everyone with view reads them (in their scope) with their assignments,
# runs the judgement check and reads the decisions and the alerts from similar customers;
# quality staff handle objections (they are the ones an objection is assigned to), keep
# objections and photos, reassign them, record decisions and attach (or withdraw) alerts,
# and read the deadline rules (administrators keep those).
_READ_OBJECTIONS = [
    "quality.view_objection",
    "quality.view_objectionphoto",
    "quality.view_objectiontransition",
    "quality.view_objectionassignment",
    "quality.view_objectionattachment",
    "quality.view_objectioncomment",
    "quality.view_decision",
    "quality.view_alert",
]
# Customer service hears of an objection first: it registers one, with its photos and the
# customer's letter or forms, for its own customers; quality staff take it from there (and
# they alone remove photos and files). The discussion of an objection (its comments) is read
# by all who read the objection and written by those who handle it (quality staff) or own its
# customer (sales, within its own customers by the record scope); engineers and viewers read.
_REGISTER_OBJECTIONS = [
    "quality.add_objection",
    "quality.add_objectionphoto",
    "quality.add_objectionattachment",
    "quality.add_objectioncomment",
]
_KEEP_OBJECTIONS = _READ_OBJECTIONS + [
    "quality.handle_objection",
    "quality.add_objectionassignment",
    "quality.view_deadlinerule",
    "quality.add_objection",
    "quality.change_objection",
    "quality.export_objection",
    "quality.add_objectionphoto",
    "quality.change_objectionphoto",
    "quality.delete_objectionphoto",
    "quality.add_objectionattachment",
    "quality.delete_objectionattachment",
    "quality.add_objectioncomment",
    "quality.add_objectiontransition",
    "quality.add_decision",
    "quality.export_decision",
    "quality.add_alert",
    "quality.change_alert",
]

# Parts: everyone reads parts and photos and the supply statistics (no
# personal data: readers may export them); process engineers keep parts and photos.
_READ_PARTS = ["products.view_part", "products.view_partphoto", "products.export_part"]
_KEEP_PARTS = _READ_PARTS + [
    "products.add_part",
    "products.change_part",
    "products.delete_part",
    "products.add_partphoto",
    "products.change_partphoto",
    "products.delete_partphoto",
]

# Printing: sales and engineers print technical sheets and process
# cards; every role reads the print log of the customers it sees.
_READ_PRINTS = ["printing.view_printlog"]
# Printing: technical sheets, process cards and the 8D reports of objections (one permission).
_PRINT = _READ_PRINTS + ["printing.print_documents"]

# Orders and deliveries: everyone reads them in scope; sales keeps them (imported from
# the ERP or entered by hand); sales, engineers and quality staff export them.
_READ_ORDERS = ["orders.view_order", "orders.view_delivery"]
_EXPORT_ORDERS = ["orders.export_order"]
_KEEP_ORDERS = (
    _READ_ORDERS
    + _EXPORT_ORDERS
    + [
        "orders.add_order",
        "orders.change_order",
        "orders.delete_order",
        "orders.add_delivery",
        "orders.change_delivery",
        "orders.delete_delivery",
    ]
)
# Archive health: sales owners confirm their customers' data is current; only
# administrators merge duplicate customers (they hold every permission).
_VERIFY = ["customers.verify_customer"]

# Later modules add their permissions to these lists.
ROLE_PERMISSIONS = {
    ADMIN: ALL,
    SALES: _READ
    + _KEEP_CUSTOMERS
    + _READ_DEMANDS
    + _KEEP_DEMANDS
    + _READ_PLANS
    + _READ_OBJECTIONS
    + _REGISTER_OBJECTIONS
    + _READ_PARTS
    + _PRINT
    + _KEEP_ORDERS
    + _VERIFY,
    ENGINEER: _READ
    + _VIEW_ALL
    + ["customers.export_customer"]
    + _READ_DEMANDS
    + _READ_PLANS
    + _KEEP_PLANS
    + _READ_OBJECTIONS
    + ["quality.export_objection", "quality.export_decision"]
    + _KEEP_PARTS
    + _PRINT
    + _READ_ORDERS
    + _EXPORT_ORDERS,
    QUALITY: _READ
    + _VIEW_ALL
    + ["customers.export_customer"]
    + _READ_DEMANDS
    + _READ_PLANS
    + _KEEP_OBJECTIONS
    + _READ_PARTS
    + _PRINT  # the 8D reports of the objections they handle (granted by printing 0004)
    + _READ_ORDERS
    + _EXPORT_ORDERS,
    # Reads and searches the whole archive (shop-floor inspectors run the judgement check for
    # any customer); changes nothing, and exports no contact data (no export permission on customers).
    VIEWER: _READ
    + _VIEW_ALL
    + _READ_DEMANDS
    + _READ_PLANS
    + _READ_OBJECTIONS
    + _READ_PARTS
    + _READ_PRINTS
    + _READ_ORDERS,
}


def _ensure_permissions():
    """Every model's permissions exist (Django makes them only after the whole migrate)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=global_apps)


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    every = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    if names == ALL:
        return list(every.values())
    return [every[n] for n in names if n in every]


def create_roles(apps=None):
    """Make the built-in roles that do not exist, with their permissions; leave existing ones alone."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    _ensure_permissions()
    Group = apps.get_model("auth", "Group")
    for role, names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if created:
            group.permissions.set(_permissions(apps, names))


def grant(apps, role, names):
    """For a data migration: add `names` ("app_label.codename") to the built-in `role`, if it
    still exists; its other permissions, as the administrators set them, stay as they are."""
    _ensure_permissions()
    group = apps.get_model("auth", "Group").objects.filter(name=role).first()
    if group is not None:
        group.permissions.add(*_permissions(apps, names))


def after_migrate(**kwargs):
    """After every migrate (and flush): the built-in roles again if the database has no roles
    at all, and every permission for the administrators' role. Other roles are not touched."""
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group

    if not Group.objects.exists():
        create_roles()
    else:
        _ensure_permissions()
    admins = Group.objects.filter(name=ADMIN).first()
    if admins is not None:
        admins.permissions.add(*_permissions(global_apps, ALL))
