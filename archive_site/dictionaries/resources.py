"""Excel import and export of the base dictionaries (one sheet, keyed by kind and code)."""

from django.db.models import Max
from django.utils.translation import gettext_lazy

from archive_site.models import DictEntry, DictKind
from imports.modules import ImportModule, registry
from imports.resources import ArchiveResource, ImportField
from imports.widgets import BooleanWordWidget, ChoiceWidget, NumberWidget, TextWidget


class DictEntryResource(ArchiveResource):
    kind = ImportField(
        "kind",
        gettext_lazy("类别"),
        aliases=("Kind", "Dictionary", "字典"),
        widget=ChoiceWidget(DictKind),
        width=16,
    )
    code = ImportField(
        "code", gettext_lazy("代码"), aliases=("Code", "编码"), widget=TextWidget(plain=True), width=14
    )
    name = ImportField("name", gettext_lazy("中文名称"), aliases=("Name", "Chinese name", "名称"), width=20)
    name_en = ImportField(
        "name_en",
        gettext_lazy("英文名称"),
        aliases=("English name", "Name (English)"),
        widget=TextWidget(),
        width=24,
    )
    sort_order = ImportField(
        "sort_order",
        gettext_lazy("排序"),
        aliases=("Sort order", "Order", "顺序"),
        widget=NumberWidget(integer=True),
    )
    unit = ImportField(
        "unit",
        gettext_lazy("单位"),
        aliases=("Unit",),
        widget=TextWidget(),  # ℃ stays ℃ (plain text would fold it into °C)
        width=8,
    )
    is_active = ImportField(
        "is_active", gettext_lazy("启用"), aliases=("Active", "是否启用"), widget=BooleanWordWidget(), width=8
    )

    title = gettext_lazy("基础数据")
    sheet_names = ("dictionaries", "dictionary", "基础信息", "字典")
    permissions = ("archive_site.add_dictentry", "archive_site.change_dictentry")
    export_permissions = ("archive_site.view_dictentry",)
    unique_checks = (("kind", "name"),)
    example = {"kind": DictKind.OIL_TYPE.label, "code": "ANTIRUST2", "name": "防锈油二号", "sort_order": 100}

    class Meta:
        model = DictEntry
        fields = ("kind", "code", "name", "name_en", "sort_order", "unit", "is_active")
        export_order = fields
        import_id_fields = ("kind", "code")

    def find_existing(self, keys):
        # Dictionaries are small: load them whole.
        found = {}
        for entry in DictEntry.objects.all():
            found.setdefault(self.key_of_instance(entry), []).append(entry)
        return found

    def prepare_new(self, instance, cleaned):
        # No order given: after the kind's last entry.
        if cleaned.get("sort_order") is None and instance.kind:
            if not hasattr(self, "next_order"):
                self.next_order = dict(DictEntry.objects.values_list("kind").annotate(Max("sort_order")))
            order = (self.next_order.get(instance.kind) or 0) + 10
            self.next_order[instance.kind] = instance.sort_order = order
        return None

    def label(self, instance):
        return f"{instance.get_kind_display()} {instance.code} {instance.name}"

    def export_queryset(self, request):
        queryset = DictEntry.objects.all()
        kind = request.GET.get("kind")
        if kind in DictKind.values:
            queryset = queryset.of(kind)
        return queryset.order_by("kind", "sort_order", "code")


class DictionaryImport(ImportModule):
    key = "dictionaries"
    order = 40
    title = gettext_lazy("基础数据")
    description = gettext_lazy(
        "每行一个条目，按“类别”和“代码”新建或更新；类别可填名称（如“涂油类型”）或代码（如 oil_type）。"
        "停用的条目填“启用：否”，条目不会被删除。"
    )
    resources = (DictEntryResource,)
    permissions = ("archive_site.add_dictentry", "archive_site.change_dictentry")
    export_permissions = ("archive_site.view_dictentry",)


registry.register(DictionaryImport)
