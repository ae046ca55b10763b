"""Excel import and export of customers and their contacts.

Two sheets: "客户" keyed by the customer code, and "联系人" keyed by the
customer (code or exact name) and the contact's name. Scoped sales users
import only customers they may see: new customers become theirs, and a row
that would change someone else's customer is an error, never a silent update.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_site.imports.modules import ImportModule
from archive_site.imports.resources import ArchiveResource, ImportField
from archive_site.imports.widgets import (
    CachedLookupWidget,
    ChoiceWidget,
    DictionaryWidget,
    ExcelDateWidget,
    NumberWidget,
    TextWidget,
    UserWidget,
)
from archive_site.models import DictKind
from customers.filters import CustomerFilter
from customers.models import VIEW_ALL_CUSTOMERS, Contact, Customer

# Contacts are personal data: their sheet is exported only with this permission.
# TODO: switch to "customers.export_contacts" once customers.Customer declares it.
CONTACT_EXPORT_PERMISSION = "customers.export_customer"


class CustomerWidget(CachedLookupWidget):
    """A customer the importing user may see, by code or exact name."""

    keys = ("code", "name")

    def __init__(self):
        super().__init__(Customer)

    def get_queryset(self, value, row, *args, **kwargs):
        return Customer.objects.visible_to(self.user)

    def not_found(self, value):
        return _("找不到客户“%(value)s”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。") % {
            "value": value
        }

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code


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
    sheet_names = ("customers", "customer", "客户信息", "客户档案")
    permissions = ("customers.add_customer", "customers.change_customer")
    export_permissions = ("customers.view_customer", "customers.export_customer")
    unique_checks = (("name",), ("credit_code",))
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
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    def scoped(self):
        return not self.user.has_perm(VIEW_ALL_CUSTOMERS)

    def find_existing(self, keys):
        found = super().find_existing(keys)
        # Codes are unique across all customers: a code the user cannot see
        # still names an existing customer, which the row may not change.
        self.visible = None
        if self.scoped():
            pks = [obj.pk for objs in found.values() for obj in objs]
            visible = set()
            for start in range(0, len(pks), 5000):
                chunk = pks[start : start + 5000]
                visible.update(
                    Customer.objects.visible_to(self.user).filter(pk__in=chunk).values_list("pk", flat=True)
                )
            self.visible = visible
        return found

    def check_change(self, instance):
        if self.scoped() and instance.pk not in self.visible:
            return _("客户代码“%(code)s”已被一个不在您客户范围内的客户使用，您不能修改它。") % {
                "code": instance.code
            }
        instance._owner_before_import = instance.sales_owner_id
        return None

    def prepare_new(self, instance, cleaned):
        if not self.scoped():
            return None
        owner = cleaned.get("sales_owner")
        if owner is not None and owner.pk != self.user.pk:
            return _("您只能导入由自己负责的客户：“负责销售”请留空或填写您自己。")
        instance.sales_owner = self.user
        return None

    def check_row(self, instance, new, cleaned):
        if new or not self.scoped() or "sales_owner" not in cleaned:
            return []
        if cleaned["sales_owner"] is None:
            instance.sales_owner_id = instance._owner_before_import  # blank: keep the owner
        elif instance.sales_owner_id != instance._owner_before_import:
            return [(str(self.fields["sales_owner"].column_name), _("您不能更改客户的负责销售。"))]
        return []

    def label(self, instance):
        return f"{instance.code} {instance.name}"

    def export_queryset(self, request):
        queryset = Customer.objects.visible_to(request.user).select_related("category", "sales_owner")
        return CustomerFilter(request.GET, queryset=queryset).qs


class ContactResource(ArchiveResource):
    customer = ImportField(
        "customer",
        gettext_lazy("客户代码"),
        aliases=("客户", "客户名称", "Customer", "Customer code"),
        widget=CustomerWidget(),
        width=12,
    )
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
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

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
    title = gettext_lazy("客户及联系人")
    description = gettext_lazy(
        "“客户”工作表按客户代码新建或更新客户；“联系人”工作表按客户代码（或完整的客户名称）和姓名新建或更新联系人。"
        "两张表可以在同一个文件里，也可以分开导入。"
    )
    resources = (CustomerResource, ContactResource)
    permissions = ("customers.add_customer", "customers.change_customer")
    export_permissions = ("customers.view_customer", "customers.export_customer")
