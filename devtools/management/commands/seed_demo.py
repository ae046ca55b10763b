"""A demo admin, one user per role and a small demo archive, for `make run`.

Idempotent: users and customers that exist are left as they are.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from archive_site.accounts import roles
from archive_site.models import DictEntry, DictKind
from customers.models import Contact, Customer

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


class Command(BaseCommand):
    help = "Create the demo admin, one user per role and a small demo archive."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        password = os.environ.get("DEMO_PASSWORD", "archive-demo-2026")
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
        note = "" if created else " (set when the demo was first created)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: admin / {password}{note}; users sales, engineer, quality, viewer "
                "have the same password."
            )
        )
