"""Excel import and export of parts (paper 3.6).

One sheet, "零件", keyed by the customer (code or exact name) and the part
number. The demand the part is made from is named by its code and must be the
same customer's. The customer's name, the demand's grades and the utilization
rate (net ÷ gross) are exported for reading, never imported. The part list's
export is this sheet (plus when each part was last changed).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy
from import_export import widgets

from archive_site.models import DictKind
from customers.resources import DemandWidget, customer_column
from imports.modules import ImportModule, registry
from imports.resources import CHUNK, ArchiveResource, ImportField
from imports.widgets import DictionaryWidget, NumberWidget, ShownWidget, TextWidget
from products.filters import PartFilter
from products.models import Part

PART_PERMISSIONS = ("products.add_part", "products.change_part")
PART_EXPORT_PERMISSIONS = ("products.view_part", "products.export_part")


def percent(ratio, places=1):
    """A fraction as a percentage number for Excel (0.8123 → 81.2)."""
    return None if ratio is None else round(float(ratio) * 100, places)


class PercentWidget(widgets.Widget):
    """Exports a fraction as a percentage number."""

    def render(self, value, obj=None, **kwargs):
        return percent(value)

    def exporter(self):
        return ("",), percent


def _number(attribute, header, aliases):
    return ImportField(attribute, header, aliases=aliases, widget=NumberWidget(), width=12)


class PartResource(ArchiveResource):
    customer = customer_column()
    customer_name = ImportField(
        "customer__name", gettext_lazy("客户名称"), widget=ShownWidget(), readonly=True, width=30
    )
    car_model = ImportField(
        "car_model",
        gettext_lazy("车型"),
        aliases=("Car model", "Vehicle model"),
        widget=DictionaryWidget(DictKind.CAR_MODEL),
        width=12,
    )
    name = ImportField("name", gettext_lazy("零件名称"), aliases=("Part name", "Name", "名称"), width=20)
    number = ImportField(
        "number",
        gettext_lazy("零件编号"),
        aliases=("Part number", "Part no", "Number", "零件号"),
        widget=TextWidget(plain=True),
        width=18,
    )
    usage_location = ImportField(
        "usage_location",
        gettext_lazy("使用部位"),
        aliases=("Usage location", "Position", "部位"),
        widget=DictionaryWidget(DictKind.USAGE_LOCATION),
        width=12,
    )
    demand = ImportField(
        "demand",
        gettext_lazy("需求编号"),
        aliases=("客户需求", "Demand", "Demand code"),
        widget=DemandWidget(),
        width=14,
    )
    delivery_grade = ImportField(
        "demand__delivery_grade", gettext_lazy("交货牌号"), widget=ShownWidget(), readonly=True, width=12
    )
    production_grade = ImportField(
        "demand__production_grade", gettext_lazy("生产牌号"), widget=ShownWidget(), readonly=True, width=12
    )
    blank_thickness = _number("blank_thickness", gettext_lazy("毛坯厚度(mm)"), ("Blank thickness", "厚度"))
    blank_width = _number("blank_width", gettext_lazy("毛坯宽度(mm)"), ("Blank width", "宽度"))
    blank_length = _number("blank_length", gettext_lazy("毛坯长度(mm)"), ("Blank length", "长度"))
    gross_weight = _number("gross_weight", gettext_lazy("毛坯毛重(kg)"), ("Gross weight", "毛重"))
    material_quota = _number("material_quota", gettext_lazy("材料定额(kg)"), ("Material quota", "定额"))
    net_weight = _number("net_weight", gettext_lazy("零件净重(kg)"), ("Net weight", "净重"))
    utilization = ImportField(
        "utilization", gettext_lazy("利用率(%)"), widget=PercentWidget(), readonly=True, width=10
    )
    remarks = ImportField("remarks", gettext_lazy("备注"), aliases=("Remarks", "Notes"), width=30)

    title = gettext_lazy("零件")
    sheet_names = ("parts", "part", "零件信息")
    permissions = PART_PERMISSIONS
    export_permissions = PART_EXPORT_PERMISSIONS
    example = {
        "customer": "C0101",
        "car_model": "欧铃",
        "name": "前门外板",
        "number": "5401-110A",
        "usage_location": "车门外板",
        "demand": "C0101-01",
        "blank_thickness": 0.8,
        "blank_width": 1250,
        "blank_length": 1600,
        "gross_weight": 12.56,
        "material_quota": 13.1,
        "net_weight": 8.3,
    }

    class Meta:
        model = Part
        fields = (
            "customer",
            "customer_name",
            "car_model",
            "name",
            "number",
            "usage_location",
            "demand",
            "delivery_grade",
            "production_grade",
            "blank_thickness",
            "blank_width",
            "blank_length",
            "gross_weight",
            "material_quota",
            "net_weight",
            "utilization",
            "remarks",
        )
        export_order = fields
        import_id_fields = ("customer", "number")

    def get_queryset(self):
        return Part.objects.select_related("customer", "car_model", "usage_location", "demand")

    def new_instance(self):
        part = self.blank(Part)
        part.skip_number_check = True  # the key: checked for the whole file at once
        return part

    def check_change(self, instance):
        instance.skip_number_check = True
        return None

    def find_existing(self, keys):
        # Customers' part numbers, a few thousand keys a query; the key matches exactly.
        keys = [k for k in keys if k["customer"] is not None and k["customer"].pk and k["number"]]
        found = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            query = Q(customer__in={k["customer"].pk for k in chunk}, number__in={k["number"] for k in chunk})
            for part in self.get_queryset().filter(query):
                found.setdefault(self.key_of_instance(part), []).append(part)
        return found

    def label(self, instance):
        return f"{instance.customer.code} {instance.number}"

    def export_queryset(self, request):
        queryset = Part.objects.visible_to(request.user).for_list().with_utilization()
        return PartFilter(request.GET, queryset=queryset).qs


class PartImport(ImportModule):
    key = "parts"
    order = 30
    title = gettext_lazy("零件")
    description = gettext_lazy(
        "每行一个零件，按客户（客户代码或完整的客户名称）和零件编号新建或更新。"
        "“需求编号”填零件所用钢板的客户需求编号，须是同一客户的需求。"
        "利用率由净重和毛重算出，客户名称和牌号随客户和需求显示，这几列导入时不读。"
    )
    resources = (PartResource,)
    permissions = PART_PERMISSIONS
    export_permissions = PART_EXPORT_PERMISSIONS


registry.register(PartImport)
