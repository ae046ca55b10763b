"""Excel export of the inspectors' decisions (判定记录): the decisions list's export.

Decisions are recorded on the judgement page only — each keeps the answer the check gave
at that moment, which a file cannot — so this module exports and never imports.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from archive_site.models import DictKind
from imports.modules import ImportModule, registry
from imports.resources import ArchiveResource, ImportField
from imports.widgets import ChoiceWidget, DictionaryWidget, NumberWidget, ShownWidget
from quality.filters.decisions import DecisionFilter
from quality.models import Decision, Disposition, Objection, Severity, Verdict
from quality.resources.objections import CoilNumbersWidget


class ObjectionNumbersField(ImportField):
    def get_value(self, instance):
        return " ".join(o.number for o in instance.objections.all())


def shown(attribute, header, width=14, widget=None):
    return ImportField(attribute, header, readonly=True, widget=widget or ShownWidget(), width=width)


class DecisionResource(ArchiveResource):
    decided_at = shown("created_at", gettext_lazy("判定时间"), 16)
    decided_by = shown("created_by", gettext_lazy("判定人"), 10)
    customer_code = shown("customer__code", gettext_lazy("客户代码"), 12)
    customer_name = shown("customer__name", gettext_lazy("客户名称"), 30)
    defect_type = shown("defect_type", gettext_lazy("缺陷类型"), 12, DictionaryWidget(DictKind.DEFECT_TYPE))
    severity = shown("severity", gettext_lazy("严重程度"), 10, ChoiceWidget(Severity))
    coil_numbers = shown("coil_numbers", gettext_lazy("卷号"), 24, CoilNumbersWidget())
    tonnage = shown("tonnage", gettext_lazy("吨数(t)"), 10, NumberWidget())
    disposition = shown("disposition", gettext_lazy("判定"), 12, ChoiceWidget(Disposition))
    measure = shown("measure", gettext_lazy("现场措施"), 20, ChoiceWidget(Decision.Measure))
    adjustment = shown("adjustment", gettext_lazy("工艺调整"), 24)
    note = shown("note", gettext_lazy("说明"), 30)
    verdict = shown("verdict", gettext_lazy("判定辅助答复"), 16, ChoiceWidget(Verdict))
    objections = ObjectionNumbersField(
        "objections", gettext_lazy("依据的异议"), readonly=True, widget=ShownWidget(), width=24
    )
    part = shown("part__number", gettext_lazy("零件编号"), 12)
    demand = shown("demand__code", gettext_lazy("需求编号"), 12)
    production_grade = shown("production_grade", gettext_lazy("生产牌号"), 10)
    surface_quality = shown("surface_quality", gettext_lazy("表面质量"), 10)
    end_use = shown("end_use", gettext_lazy("钢板最终用途"), 14)
    thickness = shown("thickness", gettext_lazy("厚度(mm)"), 10)
    width = shown("width", gettext_lazy("宽度(mm)"), 10)
    answer = shown("answer", gettext_lazy("答复内容"), 60)

    title = gettext_lazy("判定记录")
    sheet_names = ("decisions",)
    export_permissions = ("quality.view_decision", "quality.export_decision")

    class Meta:
        model = Decision
        fields = (
            "decided_at",
            "decided_by",
            "customer_code",
            "customer_name",
            "defect_type",
            "severity",
            "coil_numbers",
            "tonnage",
            "disposition",
            "measure",
            "adjustment",
            "note",
            "verdict",
            "objections",
            "part",
            "demand",
            "production_grade",
            "surface_quality",
            "end_use",
            "thickness",
            "width",
            "answer",
        )
        export_order = fields

    def export_queryset(self, request):
        queryset = (
            Decision.objects.visible_to(request.user)
            .select_related(
                "customer",
                "created_by",
                "defect_type",
                "part",
                "demand",
                "production_grade",
                "surface_quality",
                "end_use",
            )
            .prefetch_related(Prefetch("objections", queryset=Objection.objects.only("pk", "number")))
        )
        return DecisionFilter(request.GET, queryset=queryset).qs


class DecisionExport(ImportModule):
    key = "decisions"
    order = 55
    title = gettext_lazy("判定记录")
    description = gettext_lazy("判定记录在判定辅助页面上记录，保存当时的答复；这里只能导出。")
    resources = (DecisionResource,)
    export_permissions = ("quality.view_decision", "quality.export_decision")
    importable = False  # decisions are recorded on the judgement page, with the answer of the moment


registry.register(DecisionExport)
