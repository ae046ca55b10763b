"""A demo admin, one user per role and a small demo archive, for `make run`.

The archive (devtools/demo.py) is loaded once, into an archive that holds no records:
a second run, or a run on an archive in use, leaves everything as it is. `--empty` (or
DEMO_ARCHIVE=empty in the environment) creates the users only.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from archive_site.accounts import roles
from archive_site.models import DictEntry, DictKind
from customers.models import Contact, Customer
from devtools import demo, generator

DEMO_USERS = [
    ("sales", "王销售", roles.SALES),
    ("engineer", "李工艺", roles.ENGINEER),
    ("quality", "张质量", roles.QUALITY),
    ("viewer", "赵浏览", roles.VIEWER),
]

# (code, name, short name, category code, region, credit code, contact, mobile)
DEMO_CUSTOMERS = [
    (
        "C0001",
        "北汽福田汽车股份有限公司",
        "福田",
        "AUTO",
        "北京",
        "91110000102632941M",
        "刘工",
        "13810000001",
    ),
    ("C0002", "长城汽车股份有限公司", "长城", "AUTO", "河北保定", "", "陈工", "13910000002"),
    ("C0003", "北京现代汽车有限公司", "北京现代", "AUTO", "北京", "", "金工", "13710000003"),
    ("C0004", "上海大众汽车有限公司", "上海大众", "AUTO", "上海", "", "周工", "13610000004"),
    ("C0005", "青岛海尔股份有限公司", "海尔", "APPLIANCE", "山东青岛", "", "孙工", "13510000005"),
    ("C0006", "天津钢桶制造有限公司", "天津钢桶", "SPECIAL", "天津", "", "吴工", "13410000006"),
]


def demo_password():
    """The demo users' password: DEMO_PASSWORD in the environment, or the one the README gives."""
    return os.environ.get("DEMO_PASSWORD", "archive-demo-2026")


class Command(BaseCommand):
    help = "Create the demo admin, one user per role and, once, a small demo archive."

    def add_arguments(self, parser):
        parser.add_argument("--empty", action="store_true", help="the users only, no demo archive")

    def handle(self, *args, empty=False, **options):
        archive = os.environ.get("DEMO_ARCHIVE", "demo")
        if archive not in ("demo", "empty"):
            raise CommandError(f"DEMO_ARCHIVE must be demo or empty, not {archive!r}")
        password, created = self.make_users()
        if empty or archive == "empty":
            self.stdout.write("Empty archive: no demo records loaded.")
        elif demo.is_loaded():
            self.stdout.write("Demo archive already loaded: left as it is.")
        elif demo.is_started():
            raise CommandError(
                "The demo story was broken off half-way (see the error of the run before); "
                "start again from an empty database (remove .pgdata/)."
            )
        elif demo.generate() or generator.marker():
            self.make_customers()
            users = {
                u.username: u
                for u in get_user_model().objects.filter(username__in=("sales", "engineer", "quality"))
            }
            demo.tell_story(Customer.objects.get(code=demo.STORY_CUSTOMER), users)
            self.stdout.write(self.style.SUCCESS("Demo archive loaded."))
        else:
            self.stdout.write("The archive already holds records: no demo archive loaded.")
        note = "" if created else " (set when the demo was first created)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: admin / {password}{note}; users sales, engineer, quality, viewer "
                "have the same password."
            )
        )

    @transaction.atomic
    def make_users(self):
        User = get_user_model()
        password = demo_password()
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"name": "系统管理员", "is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(password)
            admin.save()
            admin.groups.add(Group.objects.get(name=roles.ADMIN))
        for username, name, role in DEMO_USERS:
            user, made = User.objects.get_or_create(username=username, defaults={"name": name})
            if made:
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=role))
        return password, created

    @transaction.atomic
    def make_customers(self):
        """The six known customers, owned by the demo sales user (the viewer reads the whole archive)."""
        User = get_user_model()
        admin = User.objects.get(username="admin")
        sales = User.objects.get(username="sales")
        categories = {e.code: e for e in DictEntry.objects.of(DictKind.CUSTOMER_CATEGORY)}
        for code, name, short, cat, region, credit, contact, mobile in DEMO_CUSTOMERS:
            if Customer.objects.filter(Q(code=code) | Q(name=name)).exists():
                continue
            customer = Customer.objects.create(
                code=code,
                name=name,
                short_name=short,
                category=categories[cat],
                region=region,
                credit_code=credit,
                sales_owner=sales,
                created_by=admin,
                updated_by=admin,
            )
            Contact.objects.create(customer=customer, name=contact, mobile=mobile, created_by=admin)
