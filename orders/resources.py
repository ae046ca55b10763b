"""Excel import and export of orders and their deliveries, as the ERP exports them.

Two sheets: "订单" keyed by the order number, and "交货" (one row per coil)
keyed by the order number and the coil number. The customer is its code or
exact name (a merged customer's old code too), the demand its code (the same
customer's). A file is checked whole and written whole: all rows or none.
The order list's export is the first sheet, the delivery list's the second.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_site.models import DictKind
from customers.resources import DemandWidget, customer_column
from imports.modules import ImportModule, registry
from imports.resources import CHUNK, ArchiveResource, ImportField
from imports.widgets import (
    CachedLookupWidget,
    ChoiceWidget,
    DictionaryWidget,
    ExcelDateWidget,
    NumberWidget,
    ShownWidget,
    TextWidget,
)
from orders.filters import DeliveryFilter, OrderFilter
from orders.models import Delivery, Order

ORDER_PERMISSIONS = ("orders.add_order", "orders.change_order")
DELIVERY_PERMISSIONS = ("orders.add_delivery", "orders.change_delivery")
EXPORT_PERMISSIONS = ("orders.view_order", "orders.export_order")


class OrderWidget(CachedLookupWidget):
    """An order the importing user may see, by its number."""

    keys = ("number",)

    def __init__(self):
        super().__init__(Order)

    def get_queryset(self, value, row, *args, **kwargs):
        return Order.objects.visible_to(self.user)

    def not_found(self, value):
        return _("找不到订单号“%(value)s”（或该订单的客户不在您的客户范围内）。") % {"value": value}


def _number(attribute, header, aliases, width=10):
    return ImportField(attribute, header, aliases=aliases, widget=NumberWidget(), width=width)


class OrderResource(ArchiveResource):
    number = ImportField(
        "number",
        gettext_lazy("订单号"),
        aliases=("Order number", "Order no", "Order", "订单编号", "合同号"),
        widget=TextWidget(plain=True, upper=True),
        width=16,
    )
    customer = customer_column()
    customer_name = ImportField(
        "customer__name", gettext_lazy("客户名称"), widget=ShownWidget(), readonly=True, width=30
    )
    demand = ImportField(
        "demand",
        gettext_lazy("需求编号"),
        aliases=("Demand code", "Demand", "客户需求"),
        widget=DemandWidget(),
        width=12,
    )
    production_grade = ImportField(
        "production_grade",
        gettext_lazy("生产牌号"),
        aliases=("Production grade", "Grade", "牌号"),
        widget=DictionaryWidget(DictKind.PRODUCTION_GRADE),
        width=12,
    )
    thickness = _number("thickness", gettext_lazy("厚度(mm)"), ("Thickness",))
    width_mm = _number("width", gettext_lazy("宽度(mm)"), ("Width",))
    quantity = _number(
        "quantity", gettext_lazy("订货量(t)"), ("Quantity", "订货量(吨)", "订货吨数"), width=12
    )
    order_date = ImportField(
        "order_date",
        gettext_lazy("订货日期"),
        aliases=("Order date", "下单日期"),
        widget=ExcelDateWidget(),
        width=12,
    )
    requested_date = ImportField(
        "requested_date",
        gettext_lazy("要求交货日期"),
        aliases=("Requested date", "Delivery date requested", "交货期"),
        widget=ExcelDateWidget(),
        width=14,
    )
    status = ImportField(
        "status", gettext_lazy("状态"), aliases=("Status",), widget=ChoiceWidget(Order.Status), width=10
    )
    delivered = ImportField(
        "delivered", gettext_lazy("已交货(t)"), widget=ShownWidget(), readonly=True, width=12
    )
    remarks = ImportField("remarks", gettext_lazy("备注"), aliases=("Remarks", "Notes"), width=30)

    title = gettext_lazy("订单")
    out_of_scope = gettext_lazy("订单号“%(key)s”属于一个不在您客户范围内的客户，您不能修改它。")
    sheet_names = ("orders", "order", "订单信息", "销售订单")
    permissions = ORDER_PERMISSIONS
    export_permissions = EXPORT_PERMISSIONS
    example = {
        "number": "DD2026-000123",
        "customer": "C0101",
        "demand": "C0101-01",
        "production_grade": "DC04",
        "thickness": Decimal("0.8"),
        "width": Decimal("1250"),
        "quantity": Decimal("300"),
        "order_date": "2026-03-02",
        "requested_date": "2026-04-15",
        "status": Order.Status.IN_PRODUCTION.label,
    }

    class Meta:
        model = Order
        fields = (
            "number",
            "customer",
            "customer_name",
            "demand",
            "production_grade",
            "thickness",
            "width_mm",
            "quantity",
            "order_date",
            "requested_date",
            "status",
            "delivered",
            "remarks",
        )
        export_order = fields
        import_id_fields = ("number",)

    def label(self, instance):
        customer = getattr(instance, "customer", None)
        return f"{instance.number} {customer.name if customer else ''}".strip()

    def export_queryset(self, request):
        queryset = Order.objects.visible_to(request.user).for_list().with_delivered()
        return OrderFilter(request.GET, queryset=queryset).qs


class DeliveryResource(ArchiveResource):
    order = ImportField(
        "order",
        gettext_lazy("订单号"),
        aliases=("Order number", "Order no", "Order", "订单编号", "合同号"),
        widget=OrderWidget(),
        width=16,
    )
    customer_name = ImportField(
        "order__customer__name", gettext_lazy("客户名称"), widget=ShownWidget(), readonly=True, width=30
    )
    coil_number = ImportField(
        "coil_number",
        gettext_lazy("卷号"),
        aliases=("Coil", "Coil number", "Coil no", "钢卷号"),
        widget=TextWidget(plain=True, upper=True),
        width=14,
    )
    date = ImportField(
        "date",
        gettext_lazy("交货日期"),
        aliases=("Date", "Delivery date", "发货日期"),
        widget=ExcelDateWidget(),
        width=12,
    )
    tons = _number(
        "tons", gettext_lazy("吨数(t)"), ("Tons", "Weight", "重量(t)", "净重(t)", "吨数(吨)"), width=10
    )

    title = gettext_lazy("交货")
    out_of_scope = gettext_lazy("订单号、卷号“%(key)s”属于一个不在您客户范围内的客户，您不能修改它。")
    sheet_names = ("deliveries", "delivery", "交货记录", "发货", "发货记录")
    permissions = DELIVERY_PERMISSIONS
    export_permissions = EXPORT_PERMISSIONS
    example = {
        "order": "DD2026-000123",
        "coil_number": "26C00012",
        "date": "2026-04-02",
        "tons": Decimal("21.35"),
    }

    class Meta:
        model = Delivery
        fields = ("order", "customer_name", "coil_number", "date", "tons")
        export_order = fields
        import_id_fields = ("order", "coil_number")

    def find_existing(self, keys):
        # An order's coils are few: load them per order, match by coil number.
        orders = list({k["order"].pk for k in keys if k["order"] is not None and k["order"].pk})
        found = {}
        for start in range(0, len(orders), CHUNK):
            for delivery in self.get_queryset().filter(order__in=orders[start : start + CHUNK]):
                found.setdefault(self.key_of_instance(delivery), []).append(delivery)
        return found

    def label(self, instance):
        return f"{instance.order.number} {instance.coil_number}"

    def export_queryset(self, request):
        queryset = Delivery.objects.visible_to(request.user).select_related("order__customer")
        return DeliveryFilter(request.GET, queryset=queryset).qs


class OrderImport(ImportModule):
    key = "orders"
    order = 25
    title = gettext_lazy("订单及交货")
    description = gettext_lazy(
        "“订单”工作表按订单号新建或更新订单；“交货”工作表每行一卷，按订单号和卷号新建或更新交货记录，"
        "订单号可以是同一文件里新建的订单。客户填客户代码或完整的客户名称，需求填需求编号（须是同一客户的需求）。"
        "ERP 导出的文件可以直接导入：整个文件检查无误后一次导入，有一行错误则一行也不导入。"
    )
    resources = (OrderResource, DeliveryResource)
    permissions = ORDER_PERMISSIONS
    export_permissions = EXPORT_PERMISSIONS


registry.register(OrderImport)
