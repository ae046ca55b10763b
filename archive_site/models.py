import hashlib
import secrets
import unicodedata
from contextlib import contextmanager, nullcontext

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked


class VisibleQuerySet(models.QuerySet):
    """Records each user sees only part of: `visible_to(user)`, and beside it the access
    helper every view uses. Subclasses say what `visible_to` means (record scope)."""

    _loaders = ()  # run on the fetched records (`loading`)
    _count_order = ()

    def visible_to(self, user):
        raise NotImplementedError

    def counted_along(self, *fields):
        """Have a capped count (`search.capped_count`) walk the rows in the order of `fields`
        rather than in any order: a scope given as keys (`customer_id = ANY(…)`) has an index
        on them that finds the cap's rows among the scope's alone, where PostgreSQL, free to
        pick, read the whole table in parallel to find a salesman's thousand matches among
        5 million objections (185 ms; walking his customers' index, 21)."""
        clone = self._chain()
        clone._count_order = fields
        return clone

    def with_dictionaries(self):
        """Load the dictionary entries the fetched records refer to — theirs and those of the
        records `select_related` brings along — in one query after the rows (`load_dictionaries`),
        instead of joining `DictEntry` once per field.

        A demand's page joined it 15 times: PostgreSQL then spent 40–70 ms searching join
        orders for a query that ran in 10 (bench/dictionaries.py).
        """
        return self.loading(load_dictionaries)

    def loading(self, loader):
        """Have `loader(records, using=alias)` complete the records once they are fetched, as
        `prefetch_related` does its lookups: what a few queries after the rows read for all of
        them at once, instead of joins or subqueries in the rows' query. Each loader runs once."""
        if loader in self._loaders:
            return self._chain()
        clone = self._chain()
        clone._loaders = (*self._loaders, loader)
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._loaders = self._loaders
        clone._count_order = self._count_order
        return clone

    def _fetch_all(self):
        loaded = self._result_cache is not None
        super()._fetch_all()
        if not loaded and issubclass(self._iterable_class, models.query.ModelIterable):
            for loader in self._loaders:
                loader(self._result_cache, using=self.db)

    def sees_everything(self, user):
        """Whether `visible_to(user)` is every record (no need to ask the database)."""
        return False

    def get_visible_or_404(self, user, pk, perm=None):
        """The record `pk`, if `user` holds `perm` (else 403) and may see it (else 404).

        An id that is not a number names no record: 404, not an error.
        """
        if perm is not None and not user.has_perm(perm):
            raise PermissionDenied
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        # The records `select_related` joins are found by their keys from this one: in that order,
        # when they are enough for PostgreSQL's search of every order to cost more than setting it.
        joins = _related_count(self.query.select_related)
        ordered = joins_in_written_order(self.db) if joins >= WRITTEN_ORDER_JOINS else nullcontext()
        with ordered:
            return get_object_or_404(self.visible_to(user), pk=pk)


# A fetch joining this many records plans faster in written order by more than the two statements
# that set it cost (bench/detail_fetch.py: an order's 5 saved 0.5-1.1 ms; a plan's 4, 0.3; a
# customer's 3, 0.1).
WRITTEN_ORDER_JOINS = 5


def _related_count(select_related):
    """How many records a `select_related` tree joins (`True`: every foreign key, counted as many)."""
    if select_related is True:
        return WRITTEN_ORDER_JOINS
    return sum(1 + _related_count(nested) for nested in (select_related or {}).values())


@contextmanager
def joins_in_written_order(alias):
    """Have PostgreSQL join the tables of the queries inside in the order they are written
    (`join_collapse_limit = 1`, in the request's transaction until the block ends) rather than
    search every order. For one record found by its key, with the `select_related` records
    joined by theirs, the written order is the best one, and the search was most of the
    query's time: an objection with its customer, demand, part, plan and people took 3.4 ms to
    plan and 0.3 ms to run; in written order, 1.2 ms to plan (bench/detail_fetch.py). Outside
    a transaction (no request's) the queries are planned as usual."""
    connection = connections[alias]
    if not connection.in_atomic_block:
        yield
        return
    kept = _join_collapse_limit(connection, "1")
    try:
        yield
    except DatabaseError:
        raise  # the transaction is aborted, and the setting with it
    except BaseException:  # a record not found (404) or not allowed (403): the request goes on
        _join_collapse_limit(connection, kept)
        raise
    _join_collapse_limit(connection, kept)


def _join_collapse_limit(connection, value):
    """Set `join_collapse_limit` for the transaction; the value it had."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('join_collapse_limit'), set_config('join_collapse_limit', %s, true)",
            [value],
        )
        return cursor.fetchone()[0]


def _shown(instance, field):
    """A field's value as a message shows it: a choice by its label, a related record by its name."""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if field.is_relation and getattr(instance, field.attname) is None:
        return ""
    value = getattr(instance, field.name)
    return "" if value is None else str(value)


class VersionedModel(models.Model):
    """A record edited by people: a version number that each change raises.

    Its edit forms (`archive_site.forms.VersionedModelForm`), its buttons
    (`save_if_unchanged`) and the imports carry the version they were opened
    at: a change submitted after someone else saved the same record is refused
    instead of overwriting it.
    """

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """`get_<field>_display()`: the label of the field's value among its choices, else the
        value. Django's makes a dict of the choices on every call, hashing each label, a lazy
        translation translated to be hashed: a list of 50 objections asked it for their
        severities and statuses 100 times, 1.9 ms."""
        value = getattr(self, field.attname)
        label = next((label for choice, label in field.flatchoices if choice == value), value)
        return force_str(label, strings_only=True)

    def stamp(self, user):
        """Record the change about to be saved (by `user`): a new version of a stored record."""
        if self.pk is not None:
            self.version += 1

    def unique_error_message(self, model_class, unique_check):
        """A value another record holds, in the app's words (Django's own are "具有 方案编号 的
        工艺控制方案 已存在。"): for unique fields, unique_together and unique constraints
        without a message of their own. Django's code and params stay, so that a form names
        the record holding the value to whom may see it (`archive_site.scope.as_taken`)."""
        error = super().unique_error_message(model_class, unique_check)
        if error.code not in ("unique", "unique_together"):
            return error
        opts = model_class._meta
        fields = [opts.get_field(name) for name in unique_check]
        values = "、".join(_shown(self, f) for f in fields)
        labels = "、".join(str(f.verbose_name) for f in fields)
        if len(fields) == 1:
            message = _("%(fields)s“%(value)s”已被使用，请换一个。")
        else:
            message = _("已有%(fields)s相同的%(model)s：%(value)s。")
        params = {**error.params, "fields": labels, "value": values, "model": str(opts.verbose_name)}
        return ValidationError(message, code=error.code, params=params)


@tracked(exclude=["password", "last_login"])
class User(VersionedModel, AbstractUser):
    """A member of staff. Roles are Django groups; views check permissions."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("manage_accounts", _("可以管理账户和角色"))]
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("user-edit", args=[self.pk])

    @classmethod
    def holding(cls, perm, keep=None):
        """The active users who hold `perm` ("app_label.codename") through a role, their own
        permissions or as superusers: the people a record may name for the work the permission
        stands for (a customer's sales owner, an objection's handler). Keyed by the permission,
        never by a role's name, so a role an administrator makes counts as the built-in ones do.

        `keep` (a user's id) is kept too: the person a record already names stays a valid choice
        after losing the role, until the record is given to someone else.
        """
        app_label, codename = perm.split(".")
        holders = RawSQL(cls._holders_sql(), [app_label, codename] * 2)
        chosen = Q(is_active=True) & (Q(pk__in=holders) | Q(is_superuser=True))
        if keep is not None:
            chosen |= Q(pk=keep)
        return cls.objects.filter(chosen).order_by("username")

    @classmethod
    def _holders_sql(cls):
        """The ids of the users a permission (%s app label, %s codename, twice) is granted to
        through a role or as their own, in SQL over the tables Django keeps them in. The handler
        and sales-owner selects build it on every list page: written as Django queries (four
        querysets, three of them through tables), building and compiling it took 1.3 ms, this
        0.25; the same rows (tests/customers/test_choices.py)."""
        permission = (
            f"SELECT p.id FROM {Permission._meta.db_table} p JOIN {ContentType._meta.db_table} t "
            "ON t.id = p.content_type_id WHERE t.app_label = %s AND p.codename = %s"
        )
        roles, members = Group.permissions.through._meta.db_table, cls.groups.through._meta.db_table
        own = cls.user_permissions.through._meta.db_table
        return (
            f"SELECT m.user_id FROM {members} m JOIN {roles} r ON r.group_id = m.group_id "
            f"WHERE r.permission_id IN ({permission}) "
            f"UNION ALL SELECT o.user_id FROM {own} o WHERE o.permission_id IN ({permission})"
        )


class ArchiveModel(VersionedModel):
    """Who created and last changed a record, and when; a version for edits (`VersionedModel`).

    The authors are not indexed: no page finds records by who made or changed them, and a user
    is never deleted (accounts are deactivated; the admin site only reads), the one thing that
    would look for a user's records. Each index was written with every insert and update of
    every record: a 60 000-row customer import wrote 160 000 entries into four of them."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # see the docstring
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True

    def stamp(self, user):
        """Record `user` as the author of the change about to be saved."""
        super().stamp(user)
        if self.pk is None:
            self.created_by = user
        self.updated_by = user


class DictKind(models.TextChoices):
    """The kinds of base dictionary entry (paper 3.9, plus what the modules need)."""

    COLD_FORMING = "cold_forming", _("冷加工方式")
    END_USE = "end_use", _("钢板最终用途")
    FORMING_DIFFICULTY = "forming_difficulty", _("冷轧加工难度")
    CAR_MODEL = "car_model", _("车型")
    OIL_TYPE = "oil_type", _("涂油类型")
    PACKAGING = "packaging", _("包装方式")
    USAGE_LOCATION = "usage_location", _("使用部位")
    PRODUCTION_GRADE = "production_grade", _("生产牌号")
    EDGE_CONDITION = "edge_condition", _("边部状态")
    DELIVERY_GRADE = "delivery_grade", _("交货牌号")
    SURFACE_QUALITY = "surface_quality", _("表面质量")
    SURFACE_STRUCTURE = "surface_structure", _("表面结构")
    ROUGHNESS = "roughness", _("表面粗糙度")
    WELDING = "welding", _("焊接法")
    DEFECT_TYPE = "defect_type", _("缺陷类型")
    ELEMENT = "element", _("化学元素")
    MECHANICAL_PROPERTY = "mechanical_property", _("力学性能项目")
    PROCESS_PARAMETER = "process_parameter", _("工艺参数")
    PRODUCTION_LINE = "production_line", _("生产线")
    CUSTOMER_CATEGORY = "customer_category", _("客户类别")


class DictEntryQuerySet(models.QuerySet):
    def of(self, kind):
        return self.filter(kind=kind)

    def active(self):
        return self.filter(is_active=True)


def dict_name(name, name_en):
    """A dictionary entry's name in the UI's language: the English one, when it has one, in English.

    For entries read as `.values("…__name", "…__name_en")`, which skip `DictEntry.__str__`.
    """
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


@tracked()
class DictEntry(VersionedModel):
    """One entry of a base dictionary. Entries in use are deactivated, never deleted."""

    kind = models.CharField(_("类别"), max_length=32, choices=DictKind)
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # What a value of the entry is measured in (mechanical properties, process parameters):
    # the demand's property rows and the plan's parameter rows take it from here.
    unit = models.CharField(_("单位"), max_length=16, blank=True, help_text=_("例如 MPa、℃、%、m/min"))
    # The production lines a process parameter is set on; a plan's row offers a parameter only
    # on these lines (none: on every line).
    lines = models.ManyToManyField(
        "self",
        verbose_name=_("适用产线"),
        symmetrical=False,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "production_line"},
        help_text=_("工艺参数在哪些产线上设定；不选表示所有产线。"),
    )

    objects = DictEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("基础数据")
        verbose_name_plural = _("基础数据")
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="dictentry_kind_code_unique"),
            models.UniqueConstraint(fields=["kind", "name"], name="dictentry_kind_name_unique"),
        ]

    def __str__(self):
        return dict_name(self.name, self.name_en)

    def get_absolute_url(self):
        return reverse("dictionary-list", args=[self.kind])

    def unit_for(self, given):
        """The unit a row about this entry is kept in: the entry's own, which a blank `given`
        (or the same unit written another way, °C for ℃) takes; another unit is refused (a
        value in ℃ and one in K are not the same thing)."""
        given = (given or "").strip()
        same = unicodedata.normalize("NFKC", given) == unicodedata.normalize("NFKC", self.unit)
        if self.unit and given and not same:  # °C is ℃, N/mm2 is not MPa
            raise ValidationError(
                _("“%(entry)s”的单位是 %(unit)s（基础数据），不是 %(given)s。"),
                code="unit_mismatch",
                params={"entry": str(self), "unit": self.unit, "given": given},
            )
        return self.unit or given

    @property
    def with_unit(self):
        """The name and, when it has one, the unit: "终轧温度 (℃)"."""
        return f"{self} ({self.unit})" if self.unit else str(self)

    def set_on(self, line):
        """Whether this process parameter is set on production line `line` (any line when its
        lines are not given). Reads prefetched lines when there are (`prefetch_related("lines")`)."""
        line_ids = {entry.pk for entry in self.lines.all()}
        return not line_ids or line.pk in line_ids


class DictionaryForeignKey(models.ForeignKey):
    """A reference to a base dictionary entry of one kind.

    Protected: an entry in use cannot be deleted. Forms built on
    `archive_site.forms.ArchiveModelForm` offer only the active entries of the
    kind, plus the one the record already holds.
    """

    def __init__(self, *args, kind=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("to", "archive_site.DictEntry")
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("related_name", "+")
        if kind:
            kwargs["limit_choices_to"] = {"kind": kind}
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("limit_choices_to", None)
        kwargs["kind"] = self.kind
        return name, path, args, kwargs


def _fields_of(model):
    """(dictionary fields, other forward many-to-one fields) of a model."""
    fields = _FIELDS.get(model)
    if fields is None:
        forward = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
        dictionaries = [f for f in forward if isinstance(f, DictionaryForeignKey)]
        fields = _FIELDS[model] = (dictionaries, [f for f in forward if f not in dictionaries])
    return fields


_FIELDS = {}


def load_dictionaries(records, using=None):
    """Give `records` their dictionary entries, fetched in one query: every `DictionaryForeignKey`
    of the records and of the records already loaded with them (`select_related`) is then read
    without a query, as if it had been joined. Returns `records`."""
    wanted = []  # (record, field, entry id)
    seen = set()

    def walk(record):
        if id(record) in seen:
            return
        seen.add(id(record))
        dictionaries, others = _fields_of(type(record))
        for field in dictionaries:
            pk = getattr(record, field.attname)
            if pk is not None and not field.is_cached(record):
                wanted.append((record, field, pk))
        for field in others:
            if field.is_cached(record) and (related := field.get_cached_value(record)) is not None:
                walk(related)

    for record in records:
        walk(record)
    if wanted:
        entries = DictEntry.objects.using(using).in_bulk({pk for _, _, pk in wanted})
        for record, field, pk in wanted:
            if pk in entries:
                field.set_cached_value(record, entries[pk])
    return records


class AccessLog(models.Model):
    """Who viewed, exported, printed or downloaded which customer's archive, when, from where.

    Append-only: a database trigger refuses updates and deletes. The customer is
    kept as its id and a copy of its name, not a foreign key: the log outlives
    the customer and never stands in the way of deleting one. Not tracked by
    pghistory: every row is itself an event and never changes.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        EXPORT = "export", _("导出")
        PRINT = "print", _("打印")
        DOWNLOAD = "download", _("下载")

    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # accesslog_user_at starts with it
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action)
    customer_id = models.BigIntegerField(_("客户ID"), null=True, blank=True)
    customer_name = models.CharField(_("客户"), max_length=200, blank=True)
    path = models.CharField(_("访问地址"), max_length=500)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")
        ordering = ["-at", "-id"]
        indexes = [
            # Access log page: one customer's accesses, newest first.
            models.Index(fields=["customer_id", "-at"], name="accesslog_customer_at"),
            # Access log page: one user's accesses, newest first.
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
            # Access log page unfiltered or by date range, newest first.
            models.Index(fields=["-at"], name="accesslog_at"),
        ]
        triggers = [
            pgtrigger.Protect(name="accesslog_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.customer_name}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


@tracked(exclude=["key_hash", "last_used_at"])
class ApiToken(models.Model):
    """A key another system (the line's process computer, MES) uses in place of a login.

    Each token acts as its user: that user's permissions and record scope apply to every
    request it makes. Only the SHA-256 of the key is stored; the key itself is shown once,
    when an administrator issues it. A revoked token, or one whose user is deactivated,
    no longer works. See `archive_site.api`.
    """

    PREFIX = "arc_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("谁在用它，例如 连退过程计算机"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌开头"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name, by):
        """A new token for `user`; returns (token, key). The key is not kept: show it once."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=cls.hash(key), prefix=key[:10], created_by=by
        )
        return token, key

    @classmethod
    def authenticate(cls, key):
        """The usable token `key` is the key of, or None."""
        if not key or not key.startswith(cls.PREFIX):
            return None
        return cls.objects.usable().select_related("user").filter(key_hash=cls.hash(key)).first()

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def revoke(self, by):
        self.revoked_at, self.revoked_by = timezone.now(), by
        self.save(update_fields=["revoked_at", "revoked_by"])

    def touch(self, now=None):
        """Note the use, at most once a minute (no write on every request of a busy line)."""
        now = now or timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class Submission(models.Model):
    """A form submitted with a one-time token, and where its result is (the record it made).

    Written by `archive_site.middleware.OneTimeSubmitMiddleware` when the first
    submission succeeds; the same token submitted again (a double click, a
    resent page) is answered with that result instead of making the record
    twice. Kept a day. Not tracked: it records a request, not the archive.
    """

    token = models.CharField(_("提交令牌"), max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    location = models.CharField(_("结果地址"), max_length=2000)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)  # cleaning up old tokens

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")

    def __str__(self):
        return f"{self.token} → {self.location}"


class TopicWrite(models.Model):
    """A transaction that wrote a table some kept results are computed from (`archive_site.kept`).

    One row per transaction and topic, written by a statement-level trigger on each watched
    table, so writers never wait on one another. Not tracked: it records writes, not the archive.
    """

    topic = models.CharField(_("主题"), max_length=40)
    xid = models.BigIntegerField(_("事务号"))

    class Meta:
        verbose_name = _("数据写入")
        verbose_name_plural = _("数据写入")
        constraints = [models.UniqueConstraint(fields=["topic", "xid"], name="archive_site_topicwrite_once")]

    def __str__(self):
        return f"{self.topic} {self.xid}"


class KeptResult(models.Model):
    """A computed result kept for every app instance while what it was computed from is
    unchanged (`archive_site.kept`): the snapshot it was computed after, and the value."""

    topic = models.CharField(_("主题"), max_length=40)
    key = models.CharField(_("键"), max_length=200)
    snapshot = models.TextField(_("快照"))
    value = models.BinaryField(_("值"))
    made_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("保存的计算结果")
        verbose_name_plural = _("保存的计算结果")
        constraints = [models.UniqueConstraint(fields=["topic", "key"], name="archive_site_keptresult_once")]

    def __str__(self):
        return f"{self.topic} {self.key}"
