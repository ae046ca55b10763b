"""Excel import and export of quality objections, keyed by number (ZY-2026-0001).

A row without a number is a new objection; its number is drawn when the file
is written, through the same per-year counter the registration form uses, one
counter update per year. The objection list's export is this sheet; the customer's
name is exported for reading, never imported.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_site.models import DictKind
from customers.resources import customer_column
from imports.engine import NEW
from imports.modules import ImportModule, registry
from imports.resources import ArchiveResource, ImportField
from imports.widgets import (
    ChoiceWidget,
    DictionaryWidget,
    ExcelDateWidget,
    NumberWidget,
    TextWidget,
    UserWidget,
    nfkc,
    text_of,
)
from quality.filters.objections import ObjectionFilter
from quality.forms.objections import CoilNumbersField
from quality.models import Objection, ObjectionCounter, Severity
from quality.models.objections import NUMBER_PREFIX, format_number, objections_registered

NUMBER = re.compile(rf"{NUMBER_PREFIX}-(\d{{4}})-(\d{{4,}})")


class CoilNumbersWidget(TextWidget):
    """Coil numbers separated by spaces, commas or line breaks, as the objection form reads them."""

    field = CoilNumbersField(required=False)  # keeps no state between values: one for every row

    def clean(self, value, row=None, **kwargs):
        return self.field.clean(nfkc(text_of(value)))

    def render(self, value, obj=None, **kwargs):
        return " ".join(value or [])

    def exporter(self):
        return ("",), lambda value: " ".join(value or [])


class ObjectionResource(ArchiveResource):
    number = ImportField(
        "number",
        gettext_lazy("异议编号"),
        aliases=("Number", "Objection number", "编号"),
        widget=TextWidget(plain=True, upper=True),
        width=14,
    )
    kind = ImportField(
        "kind", gettext_lazy("类别"), aliases=("Kind", "Type"), widget=ChoiceWidget(Objection.Kind), width=10
    )
    customer = customer_column()
    customer_name = ImportField("customer__name", gettext_lazy("客户名称"), readonly=True, width=30)
    received_date = ImportField(
        "received_date",
        gettext_lazy("受理日期"),
        aliases=("Received", "Received date", "日期"),
        widget=ExcelDateWidget(),
        width=12,
    )
    status = ImportField(
        "status", gettext_lazy("状态"), aliases=("Status",), widget=ChoiceWidget(Objection.Status), width=10
    )
    coil_numbers = ImportField(
        "coil_numbers",
        gettext_lazy("卷号"),
        aliases=("Coils", "Coil numbers"),
        widget=CoilNumbersWidget(),
        width=24,
    )
    production_grade = ImportField(
        "production_grade",
        gettext_lazy("生产牌号"),
        aliases=("Production grade", "Grade", "牌号"),
        widget=DictionaryWidget(DictKind.PRODUCTION_GRADE),
        width=12,
    )
    thickness = ImportField(
        "thickness", gettext_lazy("厚度(mm)"), aliases=("Thickness",), widget=NumberWidget(), width=10
    )
    width_mm = ImportField(
        "width", gettext_lazy("宽度(mm)"), aliases=("Width",), widget=NumberWidget(), width=10
    )
    tonnage = ImportField(
        "tonnage",
        gettext_lazy("异议吨数(t)"),
        aliases=("Tonnage", "异议吨数(吨)", "吨数"),
        widget=NumberWidget(),
        width=12,
    )
    defect_type = ImportField(
        "defect_type",
        gettext_lazy("缺陷类型"),
        aliases=("Defect", "Defect type", "缺陷"),
        widget=DictionaryWidget(DictKind.DEFECT_TYPE),
        width=12,
    )
    severity = ImportField(
        "severity",
        gettext_lazy("严重程度"),
        aliases=("Severity", "程度"),
        widget=ChoiceWidget(Severity),
        width=10,
    )
    description = ImportField(
        "description", gettext_lazy("缺陷描述"), aliases=("Description", "描述"), width=40
    )
    containment = ImportField("containment", gettext_lazy("遏制措施"), aliases=("Containment",), width=30)
    blocked_location = ImportField(
        "blocked_location", gettext_lazy("封锁地点"), aliases=("Blocked location",), width=16
    )
    blocked_coil_count = ImportField(
        "blocked_coil_count",
        gettext_lazy("封锁卷数"),
        aliases=("Blocked coils",),
        widget=NumberWidget(integer=True),
        width=10,
    )
    blocked_tonnage = ImportField(
        "blocked_tonnage",
        gettext_lazy("封锁吨数(t)"),
        aliases=("Blocked tonnage", "封锁吨数(吨)"),
        widget=NumberWidget(),
        width=12,
    )
    cause = ImportField("cause", gettext_lazy("原因分析"), aliases=("Cause", "原因"), width=40)
    cause_evidence = ImportField("cause_evidence", gettext_lazy("原因证据"), aliases=("Evidence",), width=30)
    responsible_line = ImportField(
        "responsible_line",
        gettext_lazy("责任产线"),
        aliases=("Responsible line", "Line"),
        widget=DictionaryWidget(DictKind.PRODUCTION_LINE),
        width=10,
    )
    solution = ImportField("solution", gettext_lazy("解决措施"), aliases=("Solution", "纠正措施"), width=40)
    verification = ImportField("verification", gettext_lazy("效果验证"), aliases=("Verification",), width=30)
    preventive = ImportField("preventive", gettext_lazy("预防措施"), aliases=("Preventive",), width=40)
    claim_amount = ImportField(
        "claim_amount",
        gettext_lazy("索赔金额(元)"),
        aliases=("Claim", "Claim amount", "索赔金额"),
        widget=NumberWidget(),
        width=14,
    )
    disposition = ImportField(
        "disposition",
        gettext_lazy("处置方式"),
        aliases=("Disposition",),
        widget=ChoiceWidget(Objection.Disposition),
        width=10,
    )
    settled_amount = ImportField(
        "settled_amount",
        gettext_lazy("结算金额(元)"),
        aliases=("Settled", "Settled amount", "结算金额"),
        widget=NumberWidget(),
        width=14,
    )
    settlement_note = ImportField(
        "settlement_note", gettext_lazy("结算说明"), aliases=("Settlement note",), width=30
    )
    handler = ImportField(
        "handler", gettext_lazy("处理人"), aliases=("Handler",), widget=UserWidget(), width=10
    )
    closed_date = ImportField(
        "closed_date",
        gettext_lazy("关闭日期"),
        aliases=("Closed", "Closed date"),
        widget=ExcelDateWidget(),
        width=12,
    )

    title = gettext_lazy("质量异议")
    out_of_scope = gettext_lazy("异议编号“%(key)s”属于一个不在您客户范围内的客户，您不能修改它。")
    sheet_names = ("objections", "objection", "质量异议及抱怨", "异议")
    permissions = ("quality.add_objection", "quality.change_objection")
    export_permissions = ("quality.view_objection", "quality.export_objection")
    blank_key_creates = True
    writes_while_checked = True  # numbers drawn past every number the sheet gives (`find_existing`)
    drawn_when_written = ("number",)  # by `before_save`
    example = {
        "kind": Objection.Kind.OBJECTION.label,
        "customer": "C0101",
        "received_date": "2026-03-18",
        "coil_numbers": "26C00012 26C00013",
        "production_grade": "DC04",
        "thickness": Decimal("0.8"),
        "width": Decimal("1250"),
        "tonnage": Decimal("24.5"),
        "defect_type": "划伤",
        "severity": Severity.GENERAL.label,
        "description": "冲压后门外板表面有纵向划伤，间距约 1.2 m",
    }

    class Meta:
        model = Objection
        fields = (
            "number",
            "kind",
            "customer",
            "customer_name",
            "received_date",
            "status",
            "coil_numbers",
            "production_grade",
            "thickness",
            "width_mm",
            "tonnage",
            "defect_type",
            "severity",
            "description",
            "containment",
            "blocked_location",
            "blocked_coil_count",
            "blocked_tonnage",
            "cause",
            "cause_evidence",
            "responsible_line",
            "solution",
            "verification",
            "preventive",
            "claim_amount",
            "disposition",
            "settled_amount",
            "settlement_note",
            "handler",
            "closed_date",
        )
        export_order = fields
        import_id_fields = ("number",)

    def get_queryset(self):
        # With the demand, part and plan revision: `Objection.clean` checks they are the customer's.
        return super().get_queryset().select_related("demand", "part", "plan_revision__plan")

    def header_ok(self, names):
        # New objections need no number: the customer and the defect make the sheet.
        return "number" in names or {"customer", "defect_type"} <= set(names)

    def required_names(self):
        return [n for n in super().required_names() if n != "number"]

    def find_existing(self, keys):
        """The objections the numbers name; and the highest number the sheet gives in each year,
        which `before_save` draws past, whichever batch of the sheet is written first."""
        self.given = {}
        for key in keys:
            if key["number"] and (match := NUMBER.fullmatch(key["number"])):
                year, seq = int(match[1]), int(match[2])
                self.given[year] = max(self.given.get(year, 0), seq)
        return super().find_existing([k for k in keys if k["number"]])

    def handler_ids(self):
        """The ids of the users objections are given to, once per import (`Objection.clean`)."""
        if not hasattr(self, "_handler_ids"):
            self._handler_ids = set(Objection.handlers().values_list("pk", flat=True))
        return self._handler_ids

    def check_change(self, instance):
        instance.handler_ids = self.handler_ids()
        instance._before_import = (instance.status, instance.closed_date)
        instance._handler_before_import = instance.handler_id
        return None

    def prepare_new(self, instance, cleaned):
        instance.handler_ids = self.handler_ids()
        if instance.number:
            return None
        # Drawn when written (`before_save`); until then a placeholder of the right form.
        instance._draw_number = True
        instance.number = f"{NUMBER_PREFIX}-{instance.received_date.year}-"
        return None

    def check_row(self, instance, new, cleaned):
        """The file's own rules; the objection's (closing, dates) are `Objection.clean`'s."""
        if not new:
            if (instance.status, instance.closed_date) != instance._before_import:
                # Refused here; the model's rules then judge the objection as it stays.
                instance.status, instance.closed_date = instance._before_import
                message = _("导入不能改变已有异议的状态或关闭日期，请在异议页面上变更状态。")
                return [(self.column_of("status"), message)]
            if instance.handler_id != instance._handler_before_import:
                # A reassignment is recorded with its reason (`Objection.assign_all`).
                instance.handler_id = instance._handler_before_import
                message = _("导入不能改变已有异议的处理人，请在异议页面上重新指派并说明原因。")
                return [(self.column_of("handler"), message)]
            return []
        if not getattr(instance, "_draw_number", False) and not NUMBER.fullmatch(instance.number):
            column = self.column_of("number")
            message = _("“%(column)s”应为 ZY-年份-序号 的形式，如 ZY-2026-0001；留空则导入时自动编号。")
            return [(column, message % {"column": column})]
        return []

    def before_save(self, creates, updates):
        """Draw the numbers of the new objections without one: one counter update per year.

        Numbers given in the sheet (all of them, read by `find_existing`, though `creates` may be one
        batch of it) raise their year's counter past them, so neither this import nor the form
        draws a number the sheet uses.
        """
        drawing, given = {}, dict(getattr(self, "given", {}))
        for obj in creates:
            if getattr(obj, "_draw_number", False):
                drawing.setdefault(obj.received_date.year, []).append(obj)
            elif match := NUMBER.fullmatch(obj.number):
                year, seq = int(match[1]), int(match[2])
                given[year] = max(given.get(year, 0), seq)
        for year in sorted(set(drawing) | set(given)):
            objs = drawing.get(year, [])
            for obj, seq in zip(
                objs, ObjectionCounter.take(year, len(objs), given.get(year, 0)), strict=True
            ):
                obj.number = format_number(year, seq)

    def after_save(self, rows):
        """As the form does for one: the new objections' first assignments and their handlers'
        notifications, and the customers' followers told (`objections_registered`), for
        the whole sheet at once."""
        new = [r.instance for r in rows if r.status == NEW]
        if new:
            Objection.registered(new, by=self.user)
            objections_registered.send(sender=Objection, objections=new)

    def label(self, instance):
        if getattr(instance, "_draw_number", False) and instance.number.endswith("-"):
            number = _("（导入时按 %(year)s 年编号）") % {"year": instance.received_date.year}
        else:
            number = instance.number
        customer = getattr(instance, "customer", None)
        return f"{number} {customer.name if customer else ''}".strip()

    def export_queryset(self, request):
        queryset = Objection.objects.visible_to(request.user).select_related(
            "customer", "production_grade", "defect_type", "responsible_line", "handler"
        )
        return ObjectionFilter(request.GET, queryset=queryset, request=request).qs


class ObjectionImport(ImportModule):
    key = "objections"
    order = 50
    title = gettext_lazy("质量异议")
    description = gettext_lazy(
        "每行一条质量异议或抱怨，按“异议编号”新建或更新；编号留空的行是新异议，确认导入时按受理年份连续编号。"
        "客户填客户代码或完整的客户名称；缺陷类型、生产牌号、责任产线填代码或名称；"
        "严重程度填“轻微”“一般”“严重”“重大”或 1–4。"
        "已有异议的状态请在异议页面上变更。"
    )
    resources = (ObjectionResource,)
    permissions = ("quality.add_objection", "quality.change_objection")
    export_permissions = ("quality.view_objection", "quality.export_objection")


registry.register(ObjectionImport)
