import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.lib.numbers import dimensions, span
from archive_site.lookups import Ids
from archive_site.models import ArchiveModel, DictionaryForeignKey, DictKind, VisibleQuerySet
from archive_site.numbering import drawn_code
from archive_site.search import gram_index, gram_search
from archive_site.uploads import validate_document
from archive_site.validators import validate_credit_code, validate_mobile, validate_phone

VIEW_ALL_CUSTOMERS = "customers.view_all_customers"
# A customer without a typed code is numbered C100001, C100002, … by the database
# (`archive_site.numbering`; migration 0008).
CUSTOMER_CODE_FUNCTION = "customers_customer_next_code"
# A customer's sales owner is someone who keeps customers: the sales staff (and administrators),
# whatever their role is called.
SALES_OWNER_PERMISSION = "customers.change_customer"
NOT_SALES = _("“%(user)s”不负责客户（没有维护客户的权限），不能做负责销售：请选择销售人员。")


def may_hand_over(user):
    """Whether `user` may give customers to another sales owner: only who sees every customer
    (a scoped sales user who gave one away would lose sight of it at once)."""
    return user.has_perm(VIEW_ALL_CUSTOMERS)


SEARCH_FIELDS = ("name", "short_name", "code", "credit_code")
DEMAND_SEARCH_FIELDS = ("code", "name", "special_requirements")


class ListedByCustomer:
    """How lists and searches of customers, and of the records of customers, read a user's scope.

    `customer_field` names the customer the rows are or belong to; `search_fields` the texts
    `search` looks in, which the model declares a `gram_index` over."""

    customer_field = "customer"
    search_fields = ()

    def sees_everything(self, user):
        return user.has_perm(VIEW_ALL_CUSTOMERS)

    def listed_for(self, user):
        """`visible_to(user)` for a list page or a search: the user's customers are read first
        and given as one array (`lookups.AnyOf`).

        With the subquery PostgreSQL could not tell how many rows a scope selects: for a
        salesman with 5 600 of 200 000 customers it compared every row of the walk with every
        customer (475 ms for the objection list's first page), for one with three customers
        it would walk the whole archive. Given the ids it walks with a hash of them (4 ms),
        or reads a few customers' rows from their own index. The customers themselves, scoped
        by the owner and the shares as an OR, gave it no index to start from: the header search
        read all 200 000 to find a term among a salesman's 5 600 (111 ms; by key, 8 ms)."""
        if self.sees_everything(user) or not user.is_authenticated:
            return self.visible_to(user)
        scoped = self.filter(**{f"{self.customer_field}__any": _customer_ids_of(user)})
        if "__" in self.customer_field:  # the customer is a join away: no index of this table's
            return scoped
        return scoped.counted_along("pk" if self.customer_field == "pk" else f"{self.customer_field}_id")

    def of_customer(self, term):
        """The rows of the customer whose code is `term`, else of the customers whose name, short
        name, code or credit code contains it (`CustomerQuerySet.search`): what every list's
        customer filter selects.

        Written on the customer the rows join, not as `customer IN (the matching customers)`: for
        a salesman PostgreSQL started from the matching customers and looked each one up in this
        table's customer index with his customers' keys (`AnyOf`) in every lookup, 1.8 s for the
        1 293 customers of 广东佛山 at 5 million objections, on every list. Joined, his keys are
        compared with each matching customer's once (`AnyOf` on a joined key).

        A word common in customers' names (`gram_search` asks the customers' own gram index: 汽车
        is in 30 % of them) is matched on the joined names alone: with the gram condition as well,
        PostgreSQL computed the grams of every customer it joined while walking the list's order,
        11 453 of them for a salesman's objection list at 5 million objections (135 ms; 63 ms
        without). A rarer word keeps the gram condition, which lets the customers' gram index
        find the few customers first."""
        term = (term or "").strip()
        if not term:
            return self
        path = self.customer_field
        if Customer.objects.filter(code=term).exists():
            return self.filter(**{f"{path}__code": term})
        return gram_search(self, term, [f"{path}__{field}" for field in SEARCH_FIELDS])

    def search(self, term, decide=True):
        """Chinese substring search in `search_fields` (`gram_search`), the same for every user:
        a rare term through the gram index, a common one by walking the rows (the scope is
        the queryset's own).

        A salesman's rows were once always checked directly, without the gram index: for a
        term in none of his 140 000 objections that read all 5 million (1.4 s for his list;
        through the gram index, 0.1 s)."""
        return gram_search(self, term, self.search_fields, decide=decide)


class CustomerQuerySet(ListedByCustomer, VisibleQuerySet):
    customer_field = "pk"
    search_fields = SEARCH_FIELDS

    def visible_to(self, user):
        """The customers `user` may see: the one rule every list, search, export,
        statistic, pop-up and print goes through.

        Holders of "view all customers" see every customer; anyone else sees the
        customers they are responsible for and those shared with them, or with a
        role or department (group) they belong to.
        """
        if user.has_perm(VIEW_ALL_CUSTOMERS):
            return self
        if not user.is_authenticated:
            return self.none()
        shared = CustomerShare.objects.filter(customer=OuterRef("pk"), user=user)
        shared_with_group = CustomerGroupShare.objects.of_groups_of(user).filter(customer=OuterRef("pk"))
        return self.filter(Q(sales_owner=user) | Exists(shared) | Exists(shared_with_group))

    def followed_by(self, user):
        """The customers `user` follows (我关注的客户)."""
        return self.filter(Exists(Follow.objects.filter(customer=OuterRef("pk"), user=user)))

    def verification_overdue(self, now=None):
        """Customers whose data nobody confirmed within the verification period (or ever)."""
        return self.filter(verification_overdue_q(now))

    def hand_over(self, owner, *, by):
        """Make `owner` the sales owner of these customers: a new version of each, changed by `by`.
        One statement (the history triggers record each row); the caller checks versions."""
        return self._changed(by, sales_owner=owner)

    def share_with(self, users, *, by):
        """Share these customers with `users` as well (a share they already have is kept as it
        is; a customer's own sales owner needs none): a new version of each, changed by `by`."""
        rows = list(self.values_list("pk", "sales_owner_id"))
        shares = [
            CustomerShare(customer_id=pk, user=user)
            for pk, owner in rows
            for user in users
            if user.pk != owner
        ]
        CustomerShare.objects.bulk_create(shares, ignore_conflicts=True)
        return self._changed(by)

    def _changed(self, by, **values):
        return self.update(**values, version=F("version") + 1, updated_by=by, updated_at=timezone.now())


def verification_due_since(now=None):
    """The moment before which a verification is too old: now − `CUSTOMER_VERIFY_DAYS`."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.CUSTOMER_VERIFY_DAYS)


def verification_overdue_q(now=None):
    return Q(verified_at__isnull=True) | Q(verified_at__lt=verification_due_since(now))


class CustomerScopedQuerySet(ListedByCustomer, VisibleQuerySet):
    """For records that belong to a customer: scoped by `Customer.visible_to`."""

    def visible_to(self, user):
        """The same rule as `Customer.objects.visible_to`, written as a UNION of the owned and
        the shared customers' ids: PostgreSQL misjudged `sales_owner = user OR EXISTS (share)`
        and counted a salesman's objections by scanning all 500 000 (195 ms) instead of
        looking up his 593 customers' (10 ms, bench/pages.py's archive)."""
        if user.has_perm(VIEW_ALL_CUSTOMERS):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{f"{self.customer_field}__in": _customers_of(user)})


def _customer_ids_of(user):
    """The ids of the customers `user` may see, read at once as one array (`lookups.Ids`, for
    `listed_for`), and kept on the user object as Django keeps its permissions (`_perm_cache`):
    a request's user is read anew for each request, and a page that lists several modules (the
    header search's six) reads the ids once."""
    if (ids := getattr(user, "_visible_customer_ids", None)) is None:
        ids = user._visible_customer_ids = Ids.of(_customers_of(user))
    return ids


def _customers_of(user):
    """The ids of the customers `user` owns or that are shared with them or their groups."""
    # Unordered: in a UNION an ORDER BY (the model's, by code) only costs a sort.
    owned = Customer.objects.filter(sales_owner=user).order_by().values("pk")
    shared = CustomerShare.objects.filter(user=user).values("customer")
    shared_with_group = CustomerGroupShare.objects.of_groups_of(user).values("customer")
    return owned.union(shared, shared_with_group)


class DemandQuerySet(CustomerScopedQuerySet):
    search_fields = DEMAND_SEARCH_FIELDS


@tracked()
class Customer(ArchiveModel):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("潜在客户")
        ACTIVE = "active", _("合作中")
        SUSPENDED = "suspended", _("暂停合作")
        ENDED = "ended", _("终止合作")

    code = models.CharField(
        _("客户代码"),
        max_length=32,
        unique=True,
        blank=True,
        db_default=drawn_code(CUSTOMER_CODE_FUNCTION),
        help_text=_("留空则自动编号，例如 C100001；也可以填写自己的代码"),
    )
    name = models.CharField(_("客户名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    category = DictionaryForeignKey(kind=DictKind.CUSTOMER_CATEGORY, verbose_name=_("客户类别"))
    industry = models.CharField(_("所属行业"), max_length=100, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18位，按 GB 32100 校验"),
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    region = models.CharField(_("地区"), max_length=50, blank=True, help_text=_("省/市，例如 北京、山东济南"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True, validators=[validate_phone])
    website = models.URLField(_("网址"), blank=True)
    main_business = models.TextField(_("主营业务"), blank=True)
    annual_demand = models.DecimalField(
        _("年需求量"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("吨 (t)"),
    )
    relationship_start = models.DateField(_("建立合作日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.ACTIVE)
    sales_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责销售"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        db_index=False,  # customers_customer_owner starts with it
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("共享给"),
        through="CustomerShare",
        blank=True,
        related_name="shared_customers",
    )
    shared_with_groups = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("共享给角色或部门"),
        through="CustomerGroupShare",
        blank=True,
        related_name="shared_customers",
        help_text=_("角色或部门的每个成员都能查看这个客户（在其角色权限之内）。"),
    )
    remarks = models.TextField(_("备注"), blank=True)
    verified_at = models.DateTimeField(
        _("最近确认时间"), null=True, blank=True, editable=False, help_text=_("负责销售确认资料为最新的时间")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # not indexed, as the authors are not (ArchiveModel)
    )

    objects = CustomerQuerySet.as_manager()

    # An import checks every new row's code against the merged customers' codes at once
    # and sets this, instead of one query per row in `clean`.
    skip_alias_check = False
    # An import sets this to the ids of `Customer.sales_owners()` once for the file,
    # instead of one query per row in `clean`.
    sales_owner_ids = None

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["code"]
        permissions = [
            ("view_all_customers", _("可以查看所有客户")),
            ("export_customer", _("可以导出客户数据")),
            ("export_contacts", _("可以导出联系人数据")),
            ("verify_customer", _("可以确认客户资料为最新")),
            ("merge_customer", _("可以合并重复客户")),
        ]
        constraints = [
            # A code left blank is drawn (`CUSTOMER_CODE_FUNCTION`), never kept empty.
            models.CheckConstraint(
                condition=~Q(code=""),
                name="customers_customer_code_not_blank",
                violation_error_message=_("客户代码不能为空：留空保存新客户时会自动编号。"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="customers_customer_credit_code_unique",
                violation_error_message=_("已有客户使用这个统一社会信用代码。"),
            ),
        ]
        indexes = [
            # Customer list search: substring of name/short name/code/credit code.
            gram_index(*SEARCH_FIELDS, name="customers_customer_search"),
            # Scope of sales users: "my customers", by code; and their ids alone (`_customers_of`,
            # read by every page of a salesman) from the index only, without visiting the rows: at
            # 10×, 5 600 customers' rows took 3 800 page reads (7 ms) for their ids.
            models.Index(fields=["sales_owner", "code"], include=["id"], name="customers_customer_owner"),
            models.Index(fields=["status", "code"], name="customers_customer_status"),
            # The list sorted by annual demand (the biggest customers first), ties by id: without
            # it, 200 000 customers were read and sorted for each page (53-62 ms).
            models.Index(fields=["-annual_demand", "-id"], name="customers_customer_demand_size"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.pk])

    def clean(self):
        errors = {}
        code = self.code if isinstance(self.code, str) else ""
        code = code.strip()
        if code and not self.skip_alias_check:
            alias = CustomerAlias.objects.filter(code=code).select_related("customer").first()
            if alias is not None and alias.customer_id != self.pk:
                errors["code"] = alias_taken_error(alias)
        if self.sales_owner_id is not None and not self.sales_owner_allowed():
            errors["sales_owner"] = ValidationError(
                NOT_SALES, code="not_sales", params={"user": str(self.sales_owner)}
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def sales_owners(cls, keep=None):
        """The users a customer may be given to: active users who keep customers
        (`User.holding`; `keep`, the owner a customer already has, stays offered)."""
        return get_user_model().holding(SALES_OWNER_PERMISSION, keep=keep)

    def sales_owner_allowed(self):
        """Whether the sales owner keeps customers; an owner who since lost the role stays
        the owner of the customers they have until these are given to someone else."""
        if self.sales_owner_ids is not None:
            if self.sales_owner_id in self.sales_owner_ids:
                return True
        elif Customer.sales_owners().filter(pk=self.sales_owner_id).exists():
            return True
        kept = Customer.objects.filter(pk=self.pk, sales_owner_id=self.sales_owner_id)
        return self.pk is not None and kept.exists()

    def verify(self, *, by):
        """Record that `by` confirmed the customer's data is current (who and when).

        Not an edit of the data: the version and "last changed" stay as they are, so
        nobody's open edit form goes stale; the history records it as any change.
        """
        now = timezone.now()
        Customer.objects.filter(pk=self.pk).update(verified_at=now, verified_by=by)
        self.verified_at, self.verified_by = now, by

    def is_followed_by(self, user):
        return Follow.objects.filter(customer=self, user=user).exists()

    def follow(self, user):
        """`user` follows this customer (once; refused outside their scope, by `Follow.clean`)."""
        follow = Follow(user=user, customer=self)
        follow.full_clean(validate_constraints=False)
        Follow.objects.get_or_create(user=user, customer=self)

    def unfollow(self, user):
        Follow.objects.filter(user=user, customer=self).delete()

    @property
    def verification_overdue(self):
        return self.verified_at is None or self.verified_at < verification_due_since()

    def history_objects(self):
        """The customer and the duplicates merged into it: their histories are its history."""
        merged = self.aliases.values_list("merged_customer_id", flat=True)
        return [self, *(Customer(pk=pk) for pk in merged)]


def alias_taken_error(alias):
    return ValidationError(
        _("客户代码“%(code)s”是已并入客户“%(customer)s”（%(kept)s）的原客户代码，不能再用于其他客户。"),
        code="alias_code",
        params={"code": alias.code, "customer": alias.customer.name, "kept": alias.customer.code},
    )


@tracked()
class CustomerAlias(models.Model):
    """A duplicate customer merged into this one: its code (and name) as it was.

    Imports and the customer picker still recognise the code as this customer's, the
    duplicate's old page leads here, and its history is shown with this customer's.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="aliases"
    )
    code = models.CharField(_("原客户代码"), max_length=32)
    name = models.CharField(_("原客户名称"), max_length=200)
    credit_code = models.CharField(_("原统一社会信用代码"), max_length=18, blank=True)
    merged_customer_id = models.PositiveBigIntegerField(_("原客户ID"))
    merged_at = models.DateTimeField(_("合并时间"), default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("合并人"), on_delete=models.PROTECT, related_name="+"
    )
    moved = models.JSONField(_("转移的记录"), default=dict, blank=True, help_text=_("记录类型 → 条数"))

    class Meta:
        verbose_name = _("客户合并记录")
        verbose_name_plural = _("客户合并记录")
        ordering = ["customer", "-merged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="customers_customeralias_code_unique",
                violation_error_message=_("这个原客户代码已记录过。"),
            ),
            models.UniqueConstraint(
                fields=["merged_customer_id"], name="customers_customeralias_merged_unique"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name} → {self.customer_id}"


@tracked()
class CustomerShare(models.Model):
    """A customer shared with a user who is not its sales owner."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="shares",
        db_index=False,  # customers_customershare_unique starts with it
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # customers_share_user starts with it
    )

    class Meta:
        verbose_name = _("客户共享")
        verbose_name_plural = _("客户共享")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="customers_customershare_unique"),
        ]
        indexes = [models.Index(fields=["user", "customer"], name="customers_share_user")]

    def __str__(self):
        return f"{self.customer} → {self.user}"


class CustomerGroupShareQuerySet(models.QuerySet):
    def of_groups_of(self, user):
        """The shares with a role or department `user` belongs to."""
        return self.filter(group__in=user.groups.values("pk"))


@tracked()
class CustomerGroupShare(models.Model):
    """A customer shared with a role or department (a group: 技术研究院, 销售公司): every member sees it."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="group_shares",
        db_index=False,  # customers_customergroupshare_unique starts with it
    )
    group = models.ForeignKey(
        "auth.Group",
        verbose_name=_("角色或部门"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # customers_groupshare_group starts with it
    )

    objects = CustomerGroupShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户共享给角色或部门")
        verbose_name_plural = _("客户共享给角色或部门")
        constraints = [
            models.UniqueConstraint(fields=["customer", "group"], name="customers_customergroupshare_unique"),
        ]
        # The record scope's look-up: the customers shared with the user's groups.
        indexes = [models.Index(fields=["group", "customer"], name="customers_groupshare_group")]

    def __str__(self):
        return f"{self.customer} → {self.group}"


class FollowQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)


class Follow(models.Model):
    """A user follows a customer they may see, to hear of its new objections.

    Not archive data: it goes with the customer or the user. A merge drops a
    follow the kept customer already has (`customers.merge.is_link_table`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="follows",
        db_index=False,  # customers_follow_user_customer_unique starts with it
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="follows",
        db_index=False,  # customers_follow_customer starts with it
    )
    created_at = models.DateTimeField(_("关注时间"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    # A repeated follow of the kept customer is dropped when customers merge, not refused.
    is_customer_link = True

    class Meta:
        verbose_name = _("客户关注")
        verbose_name_plural = _("客户关注")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "customer"],
                name="customers_follow_user_customer_unique",
                violation_error_message=_("已关注这个客户。"),
            ),
        ]
        # "我关注的客户" and the followers of a customer use the constraint's index (user, customer)
        # and this one.
        indexes = [models.Index(fields=["customer", "user"], name="customers_follow_customer")]

    def __str__(self):
        return f"{self.user} → {self.customer}"

    def clean(self):
        if (
            self.user_id
            and self.customer_id
            and not Customer.objects.visible_to(self.user).filter(pk=self.customer_id).exists()
        ):
            raise ValidationError({"customer": _("只能关注您有权查看的客户。")})


@tracked()
class Contact(ArchiveModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True, validators=[validate_phone])
    mobile = models.CharField(_("手机"), max_length=20, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("电子邮箱"), blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["customer", "id"]

    def __str__(self):
        return self.name


def document_path(instance, filename):
    return f"customers/{instance.customer_id}/documents/{filename}"


DOCUMENT_SEARCH_FIELDS = ("title",)


class CustomerDocumentQuerySet(CustomerScopedQuerySet):
    search_fields = DOCUMENT_SEARCH_FIELDS


@tracked()
class CustomerDocument(ArchiveModel):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("合同")
        CERTIFICATE = "certificate", _("其他钢厂质保书")
        DRAWING = "drawing", _("图纸")
        OTHER = "other", _("其他")

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("文件类型"), max_length=16, choices=Kind, default=Kind.OTHER)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=document_path, validators=[validate_document])
    date = models.DateField(_("文件日期"), null=True, blank=True)

    objects = CustomerDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户文件")
        verbose_name_plural = _("客户文件")
        ordering = ["customer", "-date", "-id"]
        indexes = [gram_index(*DOCUMENT_SEARCH_FIELDS, name="customers_document_search")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("customers:document-download", args=[self.pk])


# Demands (paper 3.2) ---------------------------------------------------------

PERCENT_ERROR = _("百分比应在 0 到 100 之间。")
PERCENT = [MinValueValidator(0, PERCENT_ERROR), MaxValueValidator(100, PERCENT_ERROR)]
NOT_NEGATIVE = [MinValueValidator(0)]
BOUND_NEEDED = _("请至少填写下限或上限。")

# The rules of a demand and its rows, each written once: `clean()` says them to the
# forms and the imports, the named constraints hold them in the database.
THICKNESS_POSITIVE = _("厚度必须大于 0。")
WIDTH_POSITIVE = _("宽度必须大于 0。")
RA_RANGE = _("Ra 下限不能大于上限。")
OIL_RANGE = _("涂油量下限不能大于上限。")
LENGTH_NEEDED = _("填写了长度公差，请同时填写长度。")
ELEMENT_RANGE = _("成分下限 %不能大于上限 %。")
PROPERTY_RANGE = _("性能下限不能大于上限。")


# New demands are numbered XQ100001, XQ100002, … by the database
# (`archive_site.numbering`; migration 0004).
DEMAND_CODE_FUNCTION = "customers_demand_next_code"


def _range_check(low, high, name, message):
    """A named check constraint: `low` ≤ `high` whenever both are given."""
    return models.CheckConstraint(
        condition=Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": F(high)}),
        name=name,
        violation_error_message=message,
    )


def range_errors(obj, low, high, message, errors):
    """Add `message` on `high` to `errors` when both bounds are given and `low` > `high`."""
    a, b = getattr(obj, low), getattr(obj, high)
    if a is not None and b is not None and a > b:
        errors.setdefault(high, []).append(ValidationError(message, code="range"))


def bounds_errors(obj, low, high, errors):
    """A requirement row needs at least one bound, and the bounds in order."""
    if getattr(obj, low) is None and getattr(obj, high) is None:
        errors.setdefault(high, []).append(ValidationError(BOUND_NEEDED, code="no_bound"))


@tracked()
class Demand(ArchiveModel):
    """What one customer demands of the steel: grade, size, surface, use, chemistry, properties."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("走访调研")
        ORDER = "order", _("订单")
        CERTIFICATE = "certificate", _("其他钢厂质保书")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="demands",
        db_index=False,  # customers_demand_customer starts with it
    )
    code = models.CharField(
        _("需求编号"),
        max_length=32,
        unique=True,
        db_default=drawn_code(DEMAND_CODE_FUNCTION),
        editable=False,
        help_text=_("新建时自动编号，例如 XQ100001；导入时可以填写自己的编号"),
    )
    name = models.CharField(_("需求名称"), max_length=200, help_text=_("例如 欧铃车门外板用 DC04"))
    source = models.CharField(_("需求来源"), max_length=16, choices=Source, default=Source.ORDER)
    delivery_grade = DictionaryForeignKey(
        kind=DictKind.DELIVERY_GRADE, verbose_name=_("交货牌号"), null=True, blank=True
    )
    production_grade = DictionaryForeignKey(
        kind=DictKind.PRODUCTION_GRADE,
        verbose_name=_("生产牌号"),
        null=True,
        blank=True,
        db_index=False,  # customers_demand_grade starts with it
    )
    standard = models.CharField(_("执行标准"), max_length=100, blank=True, help_text=_("例如 GB/T 5213-2019"))
    thickness = models.DecimalField(
        _("厚度"), max_digits=6, decimal_places=3, validators=NOT_NEGATIVE, help_text=_("mm")
    )
    thickness_tol_minus = models.DecimalField(
        _("厚度负公差"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm，填绝对值，例如 0.03 表示 −0.03"),
    )
    thickness_tol_plus = models.DecimalField(
        _("厚度正公差"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm"),
    )
    width = models.DecimalField(
        _("宽度"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE, help_text=_("mm")
    )
    width_tol_minus = models.DecimalField(
        _("宽度负公差"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm，填绝对值"),
    )
    width_tol_plus = models.DecimalField(
        _("宽度正公差"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm"),
    )
    length = models.DecimalField(
        _("长度"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm；卷板留空"),
    )
    length_tol_minus = models.DecimalField(
        _("长度负公差"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm，填绝对值"),
    )
    length_tol_plus = models.DecimalField(
        _("长度正公差"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("mm"),
    )
    surface_quality = DictionaryForeignKey(
        kind=DictKind.SURFACE_QUALITY, verbose_name=_("表面质量"), null=True, blank=True
    )
    surface_structure = DictionaryForeignKey(
        kind=DictKind.SURFACE_STRUCTURE, verbose_name=_("表面结构"), null=True, blank=True
    )
    roughness = DictionaryForeignKey(
        kind=DictKind.ROUGHNESS, verbose_name=_("表面粗糙度"), null=True, blank=True
    )
    ra_min = models.DecimalField(
        _("Ra 下限"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("μm"),
    )
    ra_max = models.DecimalField(
        _("Ra 上限"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("μm"),
    )
    oil_type = DictionaryForeignKey(kind=DictKind.OIL_TYPE, verbose_name=_("涂油类型"), null=True, blank=True)
    oil_min = models.DecimalField(
        _("涂油量下限"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("g/m²（单面）"),
    )
    oil_max = models.DecimalField(
        _("涂油量上限"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("g/m²（单面）"),
    )
    packaging = DictionaryForeignKey(
        kind=DictKind.PACKAGING, verbose_name=_("包装方式"), null=True, blank=True
    )
    edge_condition = DictionaryForeignKey(
        kind=DictKind.EDGE_CONDITION, verbose_name=_("边部状态"), null=True, blank=True
    )
    end_use = DictionaryForeignKey(
        kind=DictKind.END_USE, verbose_name=_("钢板最终用途"), null=True, blank=True
    )
    cold_forming = DictionaryForeignKey(
        kind=DictKind.COLD_FORMING, verbose_name=_("冷加工方式"), null=True, blank=True
    )
    forming_difficulty = DictionaryForeignKey(
        kind=DictKind.FORMING_DIFFICULTY, verbose_name=_("冷轧加工难度"), null=True, blank=True
    )
    usage_location = DictionaryForeignKey(
        kind=DictKind.USAGE_LOCATION, verbose_name=_("使用部位"), null=True, blank=True
    )
    welding = DictionaryForeignKey(kind=DictKind.WELDING, verbose_name=_("焊接法"), null=True, blank=True)
    annual_volume = models.DecimalField(
        _("年用量"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("吨 (t)"),
    )
    special_requirements = models.TextField(_("特殊要求"), blank=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户需求")
        verbose_name_plural = _("客户需求")
        ordering = ["-updated_at", "-id"]
        constraints = [
            _range_check("ra_min", "ra_max", "customers_demand_ra_range", RA_RANGE),
            _range_check("oil_min", "oil_max", "customers_demand_oil_range", OIL_RANGE),
            models.CheckConstraint(
                condition=Q(thickness__gt=0),
                name="customers_demand_thickness_positive",
                violation_error_message=THICKNESS_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(width__gt=0),
                name="customers_demand_width_positive",
                violation_error_message=WIDTH_POSITIVE,
            ),
        ]
        indexes = [
            # The customer archive page and the list filtered by customer: newest first.
            models.Index(fields=["customer", "-updated_at"], name="customers_demand_customer"),
            # The demand list's order: its first page is the first 50 entries, not a sort of all.
            models.Index(fields=["-updated_at", "-id"], name="customers_demand_updated"),
            # List filter and plan reuse: demands of a grade within a thickness range.
            models.Index(fields=["production_grade", "thickness"], name="customers_demand_grade"),
            # A sales user's new demands of the last 30 days on the home page.
            models.Index(fields=["created_at"], name="customers_demand_created"),
            # The list's and the header search's substring search.
            gram_index(*DEMAND_SEARCH_FIELDS, name="customers_demand_search"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:demand-detail", args=[self.pk])

    def clean(self):
        errors = {}
        for name, message in (("thickness", THICKNESS_POSITIVE), ("width", WIDTH_POSITIVE)):
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = [ValidationError(message, code="not_positive")]
        range_errors(self, "ra_min", "ra_max", RA_RANGE, errors)
        range_errors(self, "oil_min", "oil_max", OIL_RANGE, errors)
        if self.length is None and (self.length_tol_minus or self.length_tol_plus):
            errors["length"] = [ValidationError(LENGTH_NEEDED, code="length_needed")]
        if errors:
            raise ValidationError(errors)

    @property
    def spec(self):
        """Thickness × width (× length), mm, as the mill writes it."""
        return dimensions(self.thickness, self.width, self.length)

    @property
    def roughness_requirement(self):
        """The roughness class and the Ra range, each said once.

        A class named "Ra 0.9–1.3 μm" with the same range typed beside it reads
        "Ra 0.9–1.3 μm"; a narrower range reads "Ra 0.9–1.3 μm（Ra 1–1.2 μm）".
        """
        ra = span(self.ra_min, self.ra_max, "μm")
        ra = f"Ra {ra}" if ra else ""
        named = str(self.roughness) if self.roughness_id else ""
        if not named or not ra:
            return named or ra
        if ra.replace(" ", "") in named.replace(" ", ""):
            return named
        return f"{named}（{ra}）"

    @property
    def oil_requirement(self):
        """The oil type and its amount: "防锈油 0.8–1.5 g/m²"."""
        amount = span(self.oil_min, self.oil_max, "g/m²")
        return " ".join(str(v) for v in (self.oil_type if self.oil_type_id else "", amount) if v)

    def copy(self, by):
        """A new demand with the same fields and rows (attachments stay with the original)."""
        elements, properties = list(self.elements.all()), list(self.properties.all())
        new = Demand.objects.get(pk=self.pk)
        new.pk = new.id = None
        new.code = Demand._meta.get_field("code").get_default()  # the next number
        new.version = 1
        new.name = _("%(name)s（副本）") % {"name": self.name}
        new.stamp(by)
        new.save()
        for row in elements + properties:
            row.pk = row.id = None
            row.demand, row.version, row.created_by = new, 1, None
            row.stamp(by)
        DemandElement.objects.bulk_create([r for r in elements])
        DemandProperty.objects.bulk_create([r for r in properties])
        return new


class DemandRowQuerySet(CustomerScopedQuerySet):
    customer_field = "demand__customer"


@tracked()
class DemandElement(ArchiveModel):
    """A chemical-composition requirement: element content between min % and max %."""

    demand = models.ForeignKey(
        Demand,
        verbose_name=_("客户需求"),
        on_delete=models.CASCADE,
        related_name="elements",
        db_index=False,  # customers_demandelement_unique starts with it
    )
    element = DictionaryForeignKey(kind=DictKind.ELEMENT, verbose_name=_("化学元素"))
    min_pct = models.DecimalField(
        _("下限 %"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("质量分数 %，0–100"),
    )
    max_pct = models.DecimalField(
        _("上限 %"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("质量分数 %，0–100"),
    )

    objects = DemandRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("化学成分要求")
        verbose_name_plural = _("化学成分要求")
        ordering = ["demand", "element__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "element"], name="customers_demandelement_unique"),
            _range_check("min_pct", "max_pct", "customers_demandelement_range", ELEMENT_RANGE),
            models.CheckConstraint(
                condition=(Q(min_pct__isnull=True) | Q(min_pct__gte=0, min_pct__lte=100))
                & (Q(max_pct__isnull=True) | Q(max_pct__gte=0, max_pct__lte=100)),
                name="customers_demandelement_percent",
                violation_error_message=PERCENT_ERROR,
            ),
        ]

    def __str__(self):
        return str(self.element)

    def clean(self):
        errors = {}
        bounds_errors(self, "min_pct", "max_pct", errors)
        range_errors(self, "min_pct", "max_pct", ELEMENT_RANGE, errors)
        if errors:
            raise ValidationError(errors)


@tracked()
class DemandProperty(ArchiveModel):
    """A mechanical-property requirement (ReL/Rp0.2, Rm, A80, r90, n90, BH2 …): min, max, unit."""

    demand = models.ForeignKey(
        Demand,
        verbose_name=_("客户需求"),
        on_delete=models.CASCADE,
        related_name="properties",
        db_index=False,  # customers_demandproperty_unique starts with it
    )
    property = DictionaryForeignKey(kind=DictKind.MECHANICAL_PROPERTY, verbose_name=_("力学性能项目"))
    min_value = models.DecimalField(_("下限"), max_digits=10, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True, help_text=_("例如 MPa、%"))

    objects = DemandRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("力学性能要求")
        verbose_name_plural = _("力学性能要求")
        ordering = ["demand", "property__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "property"], name="customers_demandproperty_unique"),
            _range_check("min_value", "max_value", "customers_demandproperty_range", PROPERTY_RANGE),
        ]

    def __str__(self):
        return str(self.property)

    def clean(self):
        errors = {}
        bounds_errors(self, "min_value", "max_value", errors)
        range_errors(self, "min_value", "max_value", PROPERTY_RANGE, errors)
        if self.property_id is not None:
            try:
                self.unit = self.property.unit_for(self.unit)  # the dictionary's unit
            except ValidationError as e:
                errors["unit"] = [e]
        if errors:
            raise ValidationError(errors)


def demand_attachment_path(instance, filename):
    return f"customers/{instance.demand.customer_id}/demands/{instance.demand_id}/{filename}"


@tracked()
class DemandAttachment(ArchiveModel):
    """A file kept with a demand: drawing, other mill's certificate, order scan."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("客户需求"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=demand_attachment_path, validators=[validate_document])

    objects = DemandRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求附件")
        verbose_name_plural = _("需求附件")
        ordering = ["demand", "-id"]

    def __str__(self):
        return self.title
