"""Excel import and export of customers and their contacts.

Two sheets: "客户" keyed by the customer code, and "联系人" keyed by the
customer (code or exact name) and the contact's name. Scoped sales users
import only customers they may see: new customers become theirs, and a row
that would change someone else's customer is an error, never a silent update.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_site.models import DictKind
from customers.duplicates import Index
from customers.filters import CustomerFilter, DemandFilter
from customers.models import (
    VIEW_ALL_CUSTOMERS,
    Contact,
    Customer,
    CustomerAlias,
    Demand,
    DemandElement,
    DemandProperty,
    alias_taken_error,
)
from imports.modules import ImportModule, registry
from imports.resources import ArchiveResource, ImportField, shown
from imports.widgets import (
    CachedLookupWidget,
    ChoiceWidget,
    DictionaryWidget,
    ExcelDateWidget,
    NumberWidget,
    TextWidget,
    UserWidget,
    match_key,
    nfkc,
)

# Contacts are personal data (phones, e-mails): their sheet is exported only with
# this permission of its own (Customer.Meta.permissions; roles.py gives it to admins
# and sales), not with the customer export permission alone.
CONTACT_EXPORT_PERMISSION = "customers.export_contacts"


class CustomerWidget(CachedLookupWidget):
    """A customer the importing user may see, by code or exact name — or by the old code of a
    duplicate merged into it (`CustomerAlias`), which files from other systems still carry."""

    reads_by_value = True

    keys = ("code", "name")

    def __init__(self):
        super().__init__(Customer)

    def get_queryset(self, value, row, *args, **kwargs):
        return Customer.objects.visible_to(self.user)

    def prefetch(self, values):
        values = list(values)
        super().prefetch(values)
        wanted = self.unknown(values)
        if not wanted:
            return
        visible = self.get_queryset(None, None)
        aliases = CustomerAlias.objects.filter(
            code__in=wanted | {nfkc(v) for v in wanted}, customer__in=visible
        )
        for alias in aliases.select_related("customer"):
            self.found.setdefault(match_key(alias.code), alias.customer)

    def not_found(self, value):
        return _("找不到客户“%(value)s”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。") % {
            "value": value
        }


def customer_column():
    """The customer column of every module's sheet: by code or exact name, in the user's scope."""
    return ImportField(
        "customer",
        gettext_lazy("客户代码"),
        aliases=("客户", "客户名称", "Customer", "Customer code"),
        widget=CustomerWidget(),
        width=12,
    )


class CustomerResource(ArchiveResource):
    code = ImportField(
        "code",
        gettext_lazy("客户代码"),
        aliases=("Customer code", "Code", "客户编码", "客户编号"),
        widget=TextWidget(plain=True),
        width=12,
    )
    name = ImportField(
        "name", gettext_lazy("客户名称"), aliases=("Customer name", "Name", "客户全称"), width=36
    )
    short_name = ImportField("short_name", gettext_lazy("简称"), aliases=("Short name", "客户简称"), width=14)
    category = ImportField(
        "category",
        gettext_lazy("客户类别"),
        aliases=("Category", "Customer category", "类别"),
        widget=DictionaryWidget(DictKind.CUSTOMER_CATEGORY),
        width=14,
    )
    status = ImportField(
        "status", gettext_lazy("状态"), aliases=("Status",), widget=ChoiceWidget(Customer.Status), width=10
    )
    industry = ImportField("industry", gettext_lazy("所属行业"), aliases=("Industry", "行业"), width=14)
    credit_code = ImportField(
        "credit_code",
        gettext_lazy("统一社会信用代码"),
        aliases=("Unified social credit code", "Credit code", "USCC", "信用代码"),
        widget=TextWidget(plain=True, upper=True),
        width=22,
    )
    legal_representative = ImportField(
        "legal_representative",
        gettext_lazy("法定代表人"),
        aliases=("Legal representative", "法人", "法人代表"),
        width=12,
    )
    region = ImportField("region", gettext_lazy("地区"), aliases=("Region",), widget=TextWidget(), width=12)
    address = ImportField("address", gettext_lazy("地址"), aliases=("Address",), width=36)
    phone = ImportField(
        "phone",
        gettext_lazy("电话"),
        aliases=("Phone", "Telephone", "Tel", "联系电话"),
        widget=TextWidget(plain=True),
        width=16,
    )
    website = ImportField(
        "website",
        gettext_lazy("网址"),
        aliases=("Website", "URL", "主页"),
        widget=TextWidget(plain=True, url=True),
        width=24,
    )
    annual_demand = ImportField(
        "annual_demand",
        gettext_lazy("年需求量(t)"),
        aliases=("Annual demand", "年需求量(吨)"),
        widget=NumberWidget(),
        width=12,
    )
    relationship_start = ImportField(
        "relationship_start",
        gettext_lazy("建立合作日期"),
        aliases=("Relationship start", "Since", "合作日期"),
        widget=ExcelDateWidget(),
        width=14,
    )
    sales_owner = ImportField(
        "sales_owner",
        gettext_lazy("负责销售"),
        aliases=("Sales", "Sales owner", "销售", "业务员"),
        widget=UserWidget(),
        width=12,
    )
    main_business = ImportField(
        "main_business", gettext_lazy("主营业务"), aliases=("Main business",), width=30
    )
    remarks = ImportField("remarks", gettext_lazy("备注"), aliases=("Remarks", "Notes"), width=30)

    title = gettext_lazy("客户")
    out_of_scope = gettext_lazy("客户代码“%(key)s”已被一个不在您客户范围内的客户使用，您不能修改它。")
    sheet_names = ("customers", "customer", "客户信息", "客户档案")
    permissions = ("customers.add_customer", "customers.change_customer")
    export_permissions = ("customers.view_customer", "customers.export_customer")
    unique_checks = (("name",), ("credit_code",))
    blank_key_creates = True  # a row without a code is a new customer, numbered when written
    example = {
        "code": "C0101",
        "name": "示例汽车零部件有限公司",
        "short_name": "示例零部件",
        "category": "汽车板客户",
        "status": "合作中",
        "industry": "汽车零部件",
        "credit_code": "91370200163562681G",
        "region": "山东济南",
        "address": "济南市历城区工业北路 1 号",
        "phone": "0531-88888888",
        "website": "https://www.example.com",
        "annual_demand": 1200,
        "main_business": "冲压件",
    }

    class Meta:
        model = Customer
        fields = (
            "code",
            "name",
            "short_name",
            "category",
            "status",
            "industry",
            "credit_code",
            "legal_representative",
            "region",
            "address",
            "phone",
            "website",
            "annual_demand",
            "relationship_start",
            "sales_owner",
            "main_business",
            "remarks",
        )
        export_order = fields
        import_id_fields = ("code",)

    def scoped(self):
        """Whether the importing user sees only his own customers (asked once per import)."""
        if not hasattr(self, "_scoped"):
            self._scoped = not self.user.has_perm(VIEW_ALL_CUSTOMERS)
        return self._scoped

    def header_ok(self, names):
        # New customers need no code: their names make the sheet.
        return "code" in names or "name" in names

    def required_names(self):
        return [n for n in super().required_names() if n != "code"]

    def find_existing(self, keys):
        return super().find_existing([k for k in keys if k["code"]])

    def sales_owner_ids(self):
        """The ids of the users a customer may be given to, once per import (`Customer.clean`)."""
        if not hasattr(self, "_sales_owner_ids"):
            self._sales_owner_ids = set(Customer.sales_owners().values_list("pk", flat=True))
        return self._sales_owner_ids

    def check_change(self, instance):
        instance.skip_alias_check = True  # its code is the row's key: unchanged
        instance.sales_owner_ids = self.sales_owner_ids()
        instance._owner_before_import = instance.sales_owner_id
        for name in ("name", "short_name", "credit_code"):
            setattr(instance, f"_{name}_before", getattr(instance, name))
        return None

    def prepare_new(self, instance, cleaned):
        if not instance.code:
            instance.code = Customer._meta.get_field("code").get_default()  # numbered when written
        if not self.scoped():
            return None
        owner = cleaned.get("sales_owner")
        if owner is not None and owner.pk != self.user.pk:
            return _("您只能导入由自己负责的客户：“负责销售”请留空或填写您自己。")
        instance.sales_owner = self.user
        return None

    def new_instance(self):
        customer = self.blank(Customer)
        customer.skip_alias_check = True  # the merged customers' codes: checked for the whole file at once
        customer.sales_owner_ids = self.sales_owner_ids()
        return customer

    def alias(self, code):
        """The merge that kept `code` as a merged customer's old code, or None (one query per import)."""
        if not hasattr(self, "_aliases"):
            self._aliases = {a.code: a for a in CustomerAlias.objects.select_related("customer")}
        return self._aliases.get(code)

    def check_row(self, instance, new, cleaned):
        if new and isinstance(instance.code, str) and (alias := self.alias(instance.code)) is not None:
            return [(self.column_of("code"), alias_taken_error(alias).messages[0])]
        if new or not self.scoped() or "sales_owner" not in cleaned:
            return []
        if cleaned["sales_owner"] is None:
            instance.sales_owner_id = instance._owner_before_import  # blank: keep the owner
        elif instance.sales_owner_id != instance._owner_before_import:
            return [(str(self.fields["sales_owner"].column_name), _("您不能更改客户的负责销售。"))]
        return []

    def warn_row(self, instance, new, cleaned):
        """A new customer (or a new name, short name or credit code) alike to one the user may see."""
        fields = ("name", "short_name", "credit_code")
        if not new and not any(
            f in cleaned and getattr(instance, f) != getattr(instance, f"_{f}_before", None) for f in fields
        ):
            return []
        if not hasattr(self, "_index"):
            self._index = Index(Customer.objects.visible_to(self.user))
        candidates = self._index.similar(
            **{f: getattr(instance, f) or "" for f in fields}, exclude=instance.pk
        )
        if not candidates:
            return []
        shown = "；".join(
            _("%(code)s %(name)s（%(why)s相近）")
            % {"code": c.customer.code, "name": c.customer.name, "why": "、".join(str(r) for r in c.reasons)}
            for c in candidates[:5]
        )
        return [
            (
                self.column_of("name"),
                _("可能与已有客户重复：%(customers)s。请核对是否为同一家公司。") % {"customers": shown},
            )
        ]

    def label(self, instance):
        return f"{shown(instance.code)} {instance.name}"

    def export_queryset(self, request):
        queryset = Customer.objects.visible_to(request.user).select_related("category", "sales_owner")
        return CustomerFilter(request.GET, queryset=queryset, request=request).qs


class ContactResource(ArchiveResource):
    customer = customer_column()
    name = ImportField(
        "name", gettext_lazy("姓名"), aliases=("Name", "联系人", "联系人姓名", "Contact"), width=12
    )
    job_title = ImportField("title", gettext_lazy("职务"), aliases=("Title", "Position", "职位"), width=14)
    phone = ImportField(
        "phone",
        gettext_lazy("电话"),
        aliases=("Phone", "Tel", "办公电话"),
        widget=TextWidget(plain=True),
        width=16,
    )
    mobile = ImportField(
        "mobile",
        gettext_lazy("手机"),
        aliases=("Mobile", "手机号", "手机号码"),
        widget=TextWidget(plain=True),
        width=14,
    )
    email = ImportField(
        "email",
        gettext_lazy("电子邮箱"),
        aliases=("Email", "E-mail", "邮箱"),
        widget=TextWidget(plain=True),
        width=24,
    )

    title = gettext_lazy("联系人")
    sheet_names = ("contacts", "contact", "联系人信息")
    permissions = ("customers.add_contact", "customers.change_contact")
    export_permissions = ("customers.view_contact", CONTACT_EXPORT_PERMISSION)
    example = {
        "customer": "C0101",
        "name": "张伟",
        "title": "采购经理",
        "phone": "0531-88888889",
        "mobile": "13812345678",
        "email": "zhangwei@example.com",
    }

    class Meta:
        model = Contact
        fields = ("customer", "name", "job_title", "phone", "mobile", "email")
        export_order = fields
        import_id_fields = ("customer", "name")

    def find_existing(self, keys):
        # A customer's contacts are few: load them per customer, match by name.
        customers = list({k["customer"].pk for k in keys if k["customer"] is not None and k["customer"].pk})
        found = {}
        for start in range(0, len(customers), 5000):
            queryset = self.get_queryset().filter(customer__in=customers[start : start + 5000])
            for contact in queryset:
                found.setdefault(self.key_of_instance(contact), []).append(contact)
        return found

    def label(self, instance):
        return f"{instance.customer.code} {instance.name}"

    def export_queryset(self, request):
        customers = CustomerResource(user=request.user).export_queryset(request).values("pk")
        queryset = Contact.objects.visible_to(request.user).filter(customer__in=customers)
        return queryset.select_related("customer").order_by("customer__code", "id")


class CustomerImport(ImportModule):
    key = "customers"
    order = 10
    title = gettext_lazy("客户及联系人")
    description = gettext_lazy(
        "“客户”工作表按客户代码新建或更新客户，客户代码留空的行新建客户并自动编号；"
        "“联系人”工作表按客户代码（或完整的客户名称）和姓名新建或更新联系人。"
        "两张表可以在同一个文件里，也可以分开导入。"
    )
    resources = (CustomerResource, ContactResource)
    permissions = ("customers.add_customer", "customers.change_customer")
    export_permissions = ("customers.view_customer", "customers.export_customer")


# Demands ---------------------------------------------------------------------
#
# Three sheets: "客户需求" keyed by the demand code (blank: a new demand, numbered
# when written), and its composition ("化学成分") and property ("力学性能") rows,
# each keyed by the demand code and the element or property. Rows an import does
# not name are kept: an import adds and changes, it never deletes.

DEMAND_PERMISSIONS = ("customers.add_demand", "customers.change_demand")
DEMAND_EXPORT_PERMISSIONS = ("customers.view_demand",)


class DemandWidget(CachedLookupWidget):
    """A demand the importing user may see, by its code."""

    keys = ("code",)

    def __init__(self):
        super().__init__(Demand)

    def get_queryset(self, value, row, *args, **kwargs):
        return Demand.objects.visible_to(self.user)

    def not_found(self, value):
        return _("找不到需求编号“%(value)s”（或该需求的客户不在您的客户范围内）。") % {"value": value}


def _dictionary(attribute, header, kind, aliases=(), width=12):
    return ImportField(attribute, header, aliases=aliases, widget=DictionaryWidget(kind), width=width)


def _number(attribute, header, aliases=(), width=10):
    return ImportField(attribute, header, aliases=aliases, widget=NumberWidget(), width=width)


class DemandResource(ArchiveResource):
    code = ImportField(
        "code",
        gettext_lazy("需求编号"),
        aliases=("Demand code", "Code", "需求代码", "编号"),
        widget=TextWidget(plain=True),
        width=12,
    )
    name = ImportField("name", gettext_lazy("需求名称"), aliases=("Demand name", "Name", "名称"), width=30)
    customer = customer_column()
    source = ImportField(
        "source", gettext_lazy("需求来源"), aliases=("Source", "来源"), widget=ChoiceWidget(Demand.Source)
    )
    delivery_grade = _dictionary(
        "delivery_grade", gettext_lazy("交货牌号"), DictKind.DELIVERY_GRADE, ("Delivery grade",)
    )
    production_grade = _dictionary(
        "production_grade", gettext_lazy("生产牌号"), DictKind.PRODUCTION_GRADE, ("Production grade",)
    )
    standard = ImportField("standard", gettext_lazy("执行标准"), aliases=("Standard", "标准"), width=16)
    thickness = _number("thickness", gettext_lazy("厚度(mm)"), ("Thickness",))
    thickness_tol_minus = _number(
        "thickness_tol_minus", gettext_lazy("厚度负公差(mm)"), ("Thickness tolerance minus", "Thickness tol-")
    )
    thickness_tol_plus = _number(
        "thickness_tol_plus", gettext_lazy("厚度正公差(mm)"), ("Thickness tolerance plus", "Thickness tol+")
    )
    width = _number("width", gettext_lazy("宽度(mm)"), ("Width",))
    width_tol_minus = _number(
        "width_tol_minus", gettext_lazy("宽度负公差(mm)"), ("Width tolerance minus", "Width tol-")
    )
    width_tol_plus = _number(
        "width_tol_plus", gettext_lazy("宽度正公差(mm)"), ("Width tolerance plus", "Width tol+")
    )
    length = _number("length", gettext_lazy("长度(mm)"), ("Length",))
    length_tol_minus = _number(
        "length_tol_minus", gettext_lazy("长度负公差(mm)"), ("Length tolerance minus", "Length tol-")
    )
    length_tol_plus = _number(
        "length_tol_plus", gettext_lazy("长度正公差(mm)"), ("Length tolerance plus", "Length tol+")
    )
    surface_quality = _dictionary(
        "surface_quality", gettext_lazy("表面质量"), DictKind.SURFACE_QUALITY, ("Surface quality",)
    )
    surface_structure = _dictionary(
        "surface_structure", gettext_lazy("表面结构"), DictKind.SURFACE_STRUCTURE, ("Surface structure",)
    )
    roughness = _dictionary(
        "roughness", gettext_lazy("表面粗糙度"), DictKind.ROUGHNESS, ("Roughness", "粗糙度")
    )
    ra_min = _number("ra_min", gettext_lazy("Ra下限(μm)"), ("Ra min",))
    ra_max = _number("ra_max", gettext_lazy("Ra上限(μm)"), ("Ra max",))
    oil_type = _dictionary("oil_type", gettext_lazy("涂油类型"), DictKind.OIL_TYPE, ("Oil type", "涂油"))
    oil_min = _number("oil_min", gettext_lazy("涂油量下限(g/m²)"), ("Oil min", "涂油量下限"), width=12)
    oil_max = _number("oil_max", gettext_lazy("涂油量上限(g/m²)"), ("Oil max", "涂油量上限"), width=12)
    packaging = _dictionary("packaging", gettext_lazy("包装方式"), DictKind.PACKAGING, ("Packaging", "包装"))
    edge_condition = _dictionary(
        "edge_condition", gettext_lazy("边部状态"), DictKind.EDGE_CONDITION, ("Edge condition", "边部")
    )
    end_use = _dictionary(
        "end_use", gettext_lazy("钢板最终用途"), DictKind.END_USE, ("End use", "最终用途", "用途"), width=16
    )
    cold_forming = _dictionary(
        "cold_forming", gettext_lazy("冷加工方式"), DictKind.COLD_FORMING, ("Cold forming", "加工方式")
    )
    forming_difficulty = _dictionary(
        "forming_difficulty",
        gettext_lazy("冷轧加工难度"),
        DictKind.FORMING_DIFFICULTY,
        ("Forming difficulty", "加工难度"),
    )
    usage_location = _dictionary(
        "usage_location", gettext_lazy("使用部位"), DictKind.USAGE_LOCATION, ("Usage location", "部位")
    )
    welding = _dictionary("welding", gettext_lazy("焊接法"), DictKind.WELDING, ("Welding", "焊接方法"))
    annual_volume = _number(
        "annual_volume", gettext_lazy("年用量(t)"), ("Annual volume", "年用量(吨)"), width=12
    )
    special_requirements = ImportField(
        "special_requirements",
        gettext_lazy("特殊要求"),
        aliases=("Special requirements", "其他要求"),
        width=30,
    )

    title = gettext_lazy("客户需求")
    out_of_scope = gettext_lazy("需求编号“%(key)s”已被一个不在您客户范围内的客户的需求使用，您不能修改它。")
    sheet_names = ("demands", "demand", "需求", "客户需求信息")
    permissions = DEMAND_PERMISSIONS
    export_permissions = DEMAND_EXPORT_PERMISSIONS
    blank_key_creates = True
    example = {
        "code": "C0101-01",
        "name": "车门外板用 DC04",
        "customer": "C0101",
        "source": Demand.Source.ORDER.label,
        "production_grade": "DC04",
        "standard": "GB/T 5213-2019",
        "thickness": 0.8,
        "thickness_tol_minus": 0.03,
        "thickness_tol_plus": 0.03,
        "width": 1250,
        "surface_quality": "FD",
        "oil_min": 0.5,
        "oil_max": 1.5,
        "annual_volume": 3000,
    }

    class Meta:
        model = Demand
        fields = (
            "code",
            "name",
            "customer",
            "source",
            "delivery_grade",
            "production_grade",
            "standard",
            "thickness",
            "thickness_tol_minus",
            "thickness_tol_plus",
            "width",
            "width_tol_minus",
            "width_tol_plus",
            "length",
            "length_tol_minus",
            "length_tol_plus",
            "surface_quality",
            "surface_structure",
            "roughness",
            "ra_min",
            "ra_max",
            "oil_type",
            "oil_min",
            "oil_max",
            "packaging",
            "edge_condition",
            "end_use",
            "cold_forming",
            "forming_difficulty",
            "usage_location",
            "welding",
            "annual_volume",
            "special_requirements",
        )
        export_order = fields
        import_id_fields = ("code",)

    def header_ok(self, names):
        # New demands need no code: the customer and the demand's name make the sheet.
        return "code" in names or {"customer", "name"} <= set(names)

    def required_names(self):
        return [n for n in super().required_names() if n != "code"]

    def find_existing(self, keys):
        return super().find_existing([k for k in keys if k["code"]])

    def prepare_new(self, instance, cleaned):
        if not instance.code:
            instance.code = Demand._meta.get_field("code").get_default()  # numbered when written
        return None

    def label(self, instance):
        return f"{shown(instance.code)} {instance.name}"

    def export_queryset(self, request):
        queryset = Demand.objects.visible_to(request.user).select_related(
            "customer",
            "delivery_grade",
            "production_grade",
            "surface_quality",
            "surface_structure",
            "roughness",
            "oil_type",
            "packaging",
            "edge_condition",
            "end_use",
            "cold_forming",
            "forming_difficulty",
            "usage_location",
            "welding",
        )
        return DemandFilter(request.GET, queryset=queryset).qs


class DemandRowResource(ArchiveResource):
    """A composition or property row: keyed by its demand's code and the dictionary entry it is about."""

    permissions = DEMAND_PERMISSIONS
    export_permissions = DEMAND_EXPORT_PERMISSIONS
    entry = ""  # the attribute naming the element or the property

    def find_existing(self, keys):
        # A demand's rows are few: load them per demand, match by entry.
        demands = list({k["demand"].pk for k in keys if k["demand"] is not None and k["demand"].pk})
        found = {}
        for start in range(0, len(demands), 5000):
            queryset = self.get_queryset().filter(demand__in=demands[start : start + 5000])
            for row in queryset:
                found.setdefault(self.key_of_instance(row), []).append(row)
        return found

    def label(self, instance):
        return f"{shown(instance.demand.code)} {getattr(instance, self.entry)}"

    def export_queryset(self, request):
        demands = DemandResource(user=request.user).export_queryset(request).values("pk")
        queryset = self._meta.model.objects.filter(demand__in=demands)
        return queryset.select_related("demand", self.entry).order_by(
            "demand__code", f"{self.entry}__sort_order", "id"
        )


def _demand_column():
    return ImportField(
        "demand",
        gettext_lazy("需求编号"),
        aliases=("Demand code", "Demand", "客户需求", "需求"),
        widget=DemandWidget(),
        width=12,
    )


class DemandElementResource(DemandRowResource):
    demand = _demand_column()
    element = _dictionary("element", gettext_lazy("化学元素"), DictKind.ELEMENT, ("Element", "元素"))
    min_pct = _number("min_pct", gettext_lazy("下限(%)"), ("Min %", "Min", "下限", "最小值"))
    max_pct = _number("max_pct", gettext_lazy("上限(%)"), ("Max %", "Max", "上限", "最大值"))

    title = gettext_lazy("化学成分")
    sheet_names = ("composition", "elements", "化学成分要求", "成分")
    entry = "element"
    example = {"demand": "C0101-01", "element": "C", "max_pct": 0.003}

    class Meta:
        model = DemandElement
        fields = ("demand", "element", "min_pct", "max_pct")
        export_order = fields
        import_id_fields = ("demand", "element")


class DemandPropertyResource(DemandRowResource):
    demand = _demand_column()
    property = _dictionary(
        "property",
        gettext_lazy("力学性能项目"),
        DictKind.MECHANICAL_PROPERTY,
        ("Property", "性能项目", "项目"),
    )
    min_value = _number("min_value", gettext_lazy("下限"), ("Min", "最小值"))
    max_value = _number("max_value", gettext_lazy("上限"), ("Max", "最大值"))
    unit = ImportField(
        "unit", gettext_lazy("单位"), aliases=("Unit",), widget=TextWidget(plain=True), width=8
    )

    title = gettext_lazy("力学性能")
    sheet_names = ("properties", "mechanical properties", "力学性能要求", "性能")
    entry = "property"
    example = {"demand": "C0101-01", "property": "Rm", "min_value": 270, "max_value": 350, "unit": "MPa"}

    class Meta:
        model = DemandProperty
        fields = ("demand", "property", "min_value", "max_value", "unit")
        export_order = fields
        import_id_fields = ("demand", "property")


class DemandImport(ImportModule):
    key = "demands"
    order = 20
    title = gettext_lazy("客户需求")
    description = gettext_lazy(
        "“客户需求”工作表按需求编号新建或更新需求（需求编号留空则新建并自动编号）；"
        "“化学成分”和“力学性能”工作表按需求编号和元素（或性能项目）新建或更新要求行，"
        "需求编号可以是同一文件里新建的需求。客户填客户代码或完整的客户名称。导入不会删除文件中没有的行。"
    )
    resources = (DemandResource, DemandElementResource, DemandPropertyResource)
    permissions = DEMAND_PERMISSIONS
    export_permissions = DEMAND_EXPORT_PERMISSIONS


registry.register(CustomerImport)
registry.register(DemandImport)
