"""Excel import and export of process-control plans and their actual runs.

- plans: a "方案" sheet keyed by plan code (the plan and its working revision)
  and a "工艺参数" sheet keyed by plan code, line and parameter. Approved
  revisions are never changed: a change to a plan whose current revision is
  approved goes into a new draft revision, copied from the approved one;
- actual runs, keyed by plan code (and revision number), coil number and line,
  with a column per "产线/参数". The per-revision upload on the plan page
  (quality:run-upload) is this same resource pinned to one revision.

The plan list's export is the plans module's export.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_site.excel import Column
from archive_site.models import DictEntry, DictKind
from customers.models import DemandProperty
from customers.resources import DemandWidget, customer_column
from imports import files
from imports.engine import NEW, UPDATE, ImportConflict, Importer, same
from imports.modules import ImportModule, registry
from imports.resources import CHUNK, ArchiveResource, ImportField, required_message
from imports.widgets import (
    CachedLookupWidget,
    CellError,
    ChoiceWidget,
    DictionaryWidget,
    ExcelDateWidget,
    NumberWidget,
    TextWidget,
    match_key,
    nfkc,
    text_of,
)
from quality.filters.plans import PlanFilter
from quality.models import (
    Disposition,
    PlanParameter,
    PlanRevision,
    PlanRun,
    ProcessPlan,
    RunProperty,
    RunValue,
)
from quality.models.plans import NO_VALUES

# Process-control plans ---------------------------------------------------------

# The columns of a plan's revision, on the plan sheet; required ones first.
REVISION_REQUIRED = ("production_grade", "thickness_min", "thickness_max", "width_min", "width_max")
REVISION_FIELDS = (*REVISION_REQUIRED, "surface_quality", "end_use", "requirements", "change_note")


class Drafts:
    """The revision an import writes into, for each plan of the file.

    A plan's draft, when it has one (drafts are edited in place); else a new
    draft copied from its approved revision, with copies of its parameters,
    held in memory and saved only if a row of the file changes it. Approved
    and superseded revisions are never written. One per import, shared by the
    plan and parameter sheets.
    """

    def __init__(self):
        self.by_plan = {}  # id(plan) → the revision rows write into
        self.base = {}  # id(new draft) → the approved revision it copies
        self.params = {}  # id(revision) → {(line id, parameter id): PlanParameter}
        self.touched = set()  # id(revision) of the drafts to save
        self.saved = set()

    def load(self, plans):
        """The working revisions of existing `plans`, in two queries."""
        plans = [p for p in plans if id(p) not in self.by_plan]
        if not plans:
            return
        revisions = {}
        queryset = PlanRevision.objects.current().filter(plan__in=[p.pk for p in plans])
        for revision in queryset.select_related("production_grade", "surface_quality", "end_use"):
            revisions.setdefault(revision.plan_id, {})[revision.status] = revision
        numbers = dict(
            PlanRevision.objects.filter(plan__in=[p.pk for p in plans])
            .values_list("plan")
            .annotate(Max("number"))
        )
        for plan in plans:
            current = revisions.get(plan.pk, {})
            draft = current.get(PlanRevision.Status.DRAFT)
            approved = current.get(PlanRevision.Status.APPROVED)
            if draft is not None:
                draft.plan = plan
                self.by_plan[id(plan)] = draft
            else:
                self.by_plan[id(plan)] = self.copy(plan, approved, (numbers.get(plan.pk) or 0) + 1)

    def new(self, plan):
        """The first revision of a plan the file creates."""
        revision = PlanRevision(plan=plan, number=1, status=PlanRevision.Status.DRAFT)
        self.by_plan[id(plan)] = revision
        self.params[id(revision)] = {}
        return revision

    def copy(self, plan, approved, number):
        """The new draft of a plan without one: a copy of its approved revision (`copy_as_draft`)."""
        if approved is None:
            revision = PlanRevision(plan=plan, number=number, status=PlanRevision.Status.DRAFT)
            self.params[id(revision)] = {}
            return revision
        note = _("Excel 导入修订（基于 Rev.%(n)s）") % {"n": approved.number}
        revision = approved.copy_as_draft(plan, number, note)
        self.base[id(revision)] = approved
        return revision

    def working(self, plan):
        if id(plan) not in self.by_plan:
            self.load([plan])
        return self.by_plan[id(plan)]

    def parameters(self, revisions):
        """{(line id, parameter id): PlanParameter} of each working revision, in one or two queries."""
        drafts = [r for r in revisions if r.pk is not None and id(r) not in self.params]
        copies = {
            self.base[id(r)].pk: r for r in revisions if id(r) in self.base and id(r) not in self.params
        }
        for r in drafts:
            self.params[id(r)] = {}
        for r in copies.values():
            self.params[id(r)] = {}
        by_pk = {r.pk: r for r in drafts}
        queryset = PlanParameter.objects.filter(revision__in=[*by_pk, *copies]).select_related(
            "line", "parameter"
        )
        for p in queryset:
            if p.revision_id in by_pk:
                p.revision = by_pk[p.revision_id]
                self.params[id(p.revision)][(p.line_id, p.parameter_id)] = p
            else:
                revision = copies[p.revision_id]
                self.params[id(revision)][(p.line_id, p.parameter_id)] = p.copy_to(revision)
        return {id(r): self.params[id(r)] for r in revisions}

    def touch(self, revision):
        self.touched.add(id(revision))

    def save(self, revisions, user, changed=None):
        """Write the touched working revisions: new drafts created (with the copies of the
        approved parameters no row claimed), edited drafts updated. `changed`: id → fields."""
        revisions = [r for r in revisions if id(r) in self.touched and id(r) not in self.saved]
        if not revisions:
            return
        plans = sorted({r.plan.pk for r in revisions})
        list(ProcessPlan.objects.select_for_update().filter(pk__in=plans).values_list("pk"))  # one at a time
        creates = [r for r in revisions if r.pk is None]
        updates = [r for r in revisions if r.pk is not None]
        bases = [self.base[id(r)].pk for r in creates if id(r) in self.base]
        approved = PlanRevision.objects.filter(pk__in=bases, status=PlanRevision.Status.APPROVED).count()
        versions = dict(
            PlanRevision.objects.filter(
                pk__in=[r.pk for r in updates], status=PlanRevision.Status.DRAFT
            ).values_list("pk", "version")
        )
        if approved != len(bases) or any(versions.get(r.pk) != r.version for r in updates):
            raise ImportConflict(
                _("有方案的版本在检查之后被他人批准或修改，未导入任何数据，请重新上传文件。")
            )
        for r in revisions:
            r.stamp(user)
        self.parameters(creates)  # a new draft of a file without parameter rows copies them all
        PlanRevision.objects.bulk_create(creates)
        copies = []
        for r in creates:
            for p in self.params.get(id(r), {}).values():
                if p.pk is None and not getattr(p, "_claimed", False):
                    p.revision = r
                    p.stamp(user)
                    copies.append(p)
        PlanParameter.objects.bulk_create(copies)
        if updates:
            fields = (
                set(REVISION_FIELDS) if changed is None else set().union(*(changed[id(r)] for r in updates))
            )
            fields &= set(REVISION_FIELDS)
            PlanRevision.objects.bulk_update(
                updates, [*sorted(fields), "version", "updated_by", "updated_at"]
            )
        self.saved.update(id(r) for r in revisions)


def _drafts(resource):
    return resource.pending.setdefault(Drafts, Drafts())


def working_revision(plan):
    """The revision a plan's sheet row shows: the one the import writes into, or on export the
    plan's draft if it has one, else its approved revision."""
    revision = getattr(plan, "_import_revision", None)
    if revision is not None:
        return revision
    current = getattr(plan, "current_revisions", [])
    return plan.draft_revision or plan.approved_revision if current else None


class RevisionField(ImportField):
    """A column of the plan's working revision, on the plan sheet."""

    def get_value(self, instance):
        revision = working_revision(instance)
        return None if revision is None else getattr(revision, self.attribute, None)

    def assign(self, instance, value):
        setattr(working_revision(instance), self.attribute, value)


class PlanResource(ArchiveResource):
    code = ImportField(
        "code",
        gettext_lazy("方案编号"),
        aliases=("Plan code", "Code", "Plan", "方案代码"),
        widget=TextWidget(plain=True),
        width=16,
    )
    name = ImportField("name", gettext_lazy("方案名称"), aliases=("Plan name", "Name", "名称"), width=30)
    customer = customer_column()
    demand = ImportField(
        "demand",
        gettext_lazy("需求编号"),
        aliases=("客户需求", "Demand", "Demand code"),
        widget=DemandWidget(),
        width=12,
    )
    production_grade = RevisionField(
        "production_grade",
        gettext_lazy("生产牌号"),
        aliases=("Production grade", "Grade", "牌号"),
        widget=DictionaryWidget(DictKind.PRODUCTION_GRADE),
        width=12,
    )
    thickness_min = RevisionField(
        "thickness_min",
        gettext_lazy("厚度下限(mm)"),
        aliases=("Thickness min",),
        widget=NumberWidget(),
        width=12,
    )
    thickness_max = RevisionField(
        "thickness_max",
        gettext_lazy("厚度上限(mm)"),
        aliases=("Thickness max",),
        widget=NumberWidget(),
        width=12,
    )
    width_min = RevisionField(
        "width_min", gettext_lazy("宽度下限(mm)"), aliases=("Width min",), widget=NumberWidget(), width=12
    )
    width_max = RevisionField(
        "width_max", gettext_lazy("宽度上限(mm)"), aliases=("Width max",), widget=NumberWidget(), width=12
    )
    surface_quality = RevisionField(
        "surface_quality",
        gettext_lazy("表面质量"),
        aliases=("Surface quality",),
        widget=DictionaryWidget(DictKind.SURFACE_QUALITY),
        width=10,
    )
    end_use = RevisionField(
        "end_use",
        gettext_lazy("钢板最终用途"),
        aliases=("End use", "最终用途", "用途"),
        widget=DictionaryWidget(DictKind.END_USE),
        width=14,
    )
    requirements = RevisionField(
        "requirements", gettext_lazy("满足的质量要求"), aliases=("Requirements", "质量要求"), width=40
    )
    change_note = RevisionField("change_note", gettext_lazy("修订说明"), aliases=("Change note",), width=30)

    title = gettext_lazy("工艺控制方案")
    out_of_scope = gettext_lazy("方案编号“%(key)s”已被一个不在您客户范围内的方案使用，您不能修改它。")
    sheet_names = ("plans", "plan", "方案")
    permissions = (
        "quality.add_processplan",
        "quality.change_processplan",
        "quality.add_planrevision",
        "quality.change_planrevision",
    )
    export_permissions = ("quality.view_processplan", "quality.view_planrevision")
    example = {
        "code": "GK-DC04-001",
        "name": "DC04 汽车外板",
        "customer": "C0101",
        "production_grade": "DC04",
        "thickness_min": Decimal("0.6"),
        "thickness_max": Decimal("1.0"),
        "width_min": Decimal("1000"),
        "width_max": Decimal("1600"),
        "surface_quality": "FD",
        "requirements": "表面 FD 级；r90 ≥ 1.6",
    }

    class Meta:
        model = ProcessPlan
        fields = ("code", "name", "customer", "demand", *REVISION_FIELDS)
        export_order = fields
        import_id_fields = ("code",)

    def required_names(self):
        return [*super().required_names(), *REVISION_REQUIRED]

    def find_existing(self, keys):
        found = super().find_existing(keys)
        plans = [p for objs in found.values() for p in objs]
        drafts = _drafts(self)
        drafts.load(plans)
        for plan in plans:
            revision = plan._import_revision = drafts.working(plan)
            revision._before_import = {name: getattr(revision, name) for name in REVISION_FIELDS}
        return found

    def new_instance(self):
        plan = self.blank(ProcessPlan)
        plan._import_revision = _drafts(self).new(plan)
        return plan

    def check_change(self, instance):
        instance._customer_before_import = instance.customer_id
        return None

    def check_row(self, instance, new, cleaned):
        errors = []
        column = {n: self.column_of(n) for n in self.fields}
        if not new and instance.customer_id != instance._customer_before_import:
            errors.append((column["customer"], _("方案的客户不能更改：它的版本和实绩是为原客户制定的。")))
        revision = instance._import_revision
        if not new and all(same(getattr(revision, n, None), v) for n, v in revision._before_import.items()):
            return errors  # the plan's own columns only: no revision to write
        _drafts(self).touch(revision)
        for name in REVISION_REQUIRED:
            if getattr(revision, name, None) is None and name in cleaned:
                errors.append((column[name], required_message(column[name])))
        # The revision's own rules (`PlanRevision.clean`), as the plan's row does not hold them.
        exclude = [  # relations were checked by their lookups, blanks above
            f.name
            for f in PlanRevision._meta.fields
            if f.name not in cleaned or f.is_relation or getattr(revision, f.attname) is None
        ]
        try:
            revision.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                errors.extend((column.get(name, ""), str(m)) for m in messages)
        return errors

    def after_save(self, rows):
        written = [r for r in rows if r.status in ("new", "update")]
        changed = {id(r.instance._import_revision): r.changed for r in written}
        _drafts(self).save([r.instance._import_revision for r in written], self.user, changed)

    def label(self, instance):
        revision = instance._import_revision
        if revision.pk is None and revision.number > 1 and id(revision) in _drafts(self).touched:
            note = _("（新建草稿 Rev.%(n)s）") % {"n": revision.number}
        elif revision.pk is not None:
            note = f"（{revision.get_status_display()} Rev.{revision.number}）"
        else:
            note = ""
        return f"{instance.code} {instance.name}{note}"

    def export_queryset(self, request):
        revisions = PlanRevision.objects.current().select_related(
            "production_grade", "surface_quality", "end_use"
        )
        queryset = (
            ProcessPlan.objects.visible_to(request.user)
            .select_related("customer", "demand")
            .prefetch_related(Prefetch("revisions", queryset=revisions, to_attr="current_revisions"))
        )
        plans = PlanFilter(request.GET, queryset=queryset).qs
        return plans if request.GET.get("o") else plans.order_by("code")


class PlanCodeWidget(CachedLookupWidget):
    """A plan the user may see, by code, or one the plan sheet of the same file creates."""

    keys = ("code",)

    def __init__(self):
        super().__init__(ProcessPlan)

    @property
    def what(self):
        return _("方案")

    def bind(self, resource):
        super().bind(resource)
        self.drafts = _drafts(resource)

    def get_queryset(self, value, row, *args, **kwargs):
        return ProcessPlan.objects.visible_to(self.user)

    def not_found(self, value):
        return _("找不到方案“%(value)s”：请填写方案编号（或该方案不在您的客户范围内）。") % {
            "value": text_of(value)
        }


class PlanOfRevisionField(ImportField):
    """The plan code column of a row that belongs to a plan's working revision."""

    def get_value(self, instance):
        revision = getattr(instance, "revision", None)
        return None if revision is None else revision.plan

    def assign(self, instance, value):
        instance.revision = self.widget.drafts.working(value)


class ParameterResource(ArchiveResource):
    plan = PlanOfRevisionField(
        "revision",
        gettext_lazy("方案编号"),
        aliases=("Plan code", "Plan", "方案"),
        widget=PlanCodeWidget(),
        width=16,
    )
    line = ImportField(
        "line",
        gettext_lazy("生产线"),
        aliases=("Line", "产线"),
        widget=DictionaryWidget(DictKind.PRODUCTION_LINE),
        width=10,
    )
    parameter = ImportField(
        "parameter",
        gettext_lazy("工艺参数"),
        aliases=("Parameter", "参数"),
        widget=DictionaryWidget(DictKind.PROCESS_PARAMETER),
        width=14,
    )
    target = ImportField(
        "target", gettext_lazy("目标值"), aliases=("Target",), widget=NumberWidget(), width=10
    )
    lower = ImportField(
        "lower", gettext_lazy("下限"), aliases=("Lower", "Lower limit"), widget=NumberWidget(), width=10
    )
    upper = ImportField(
        "upper", gettext_lazy("上限"), aliases=("Upper", "Upper limit"), widget=NumberWidget(), width=10
    )
    unit = ImportField("unit", gettext_lazy("单位"), aliases=("Unit",), width=8)

    title = gettext_lazy("工艺参数")
    sheet_names = ("parameters", "parameter", "工艺参数设定")
    permissions = ("quality.add_planrevision", "quality.change_planrevision")
    export_permissions = ("quality.view_processplan", "quality.view_planrevision")
    example = {
        "revision": "GK-DC04-001",
        "line": "连退",
        "parameter": "均热温度",
        "target": 820,
        "lower": 810,
        "upper": 830,
        "unit": "℃",
    }

    class Meta:
        model = PlanParameter
        fields = ("plan", "line", "parameter", "target", "lower", "upper", "unit")
        export_order = fields
        import_id_fields = ("plan", "line", "parameter")

    def key_of_instance(self, obj):
        return (self.key_value(obj.revision.plan), self.key_value(obj.line), self.key_value(obj.parameter))

    def find_existing(self, keys):
        drafts = _drafts(self)
        plans = {id(k["revision"]): k["revision"] for k in keys if k["revision"] is not None}
        drafts.load([p for p in plans.values() if p.pk is not None])
        revisions = [drafts.working(p) for p in plans.values()]
        found = {}
        for params in drafts.parameters(revisions).values():
            for param in params.values():
                found[self.key_of_instance(param)] = [param]
        return found

    def check_row(self, instance, new, cleaned):
        _drafts(self).touch(instance.revision)
        instance._claimed = True  # written by its row, not copied with the rest of the approved revision
        return []

    def before_save(self, creates, updates):
        revisions = {id(p.revision): p.revision for p in [*creates, *updates]}
        _drafts(self).save(list(revisions.values()), self.user)

    def label(self, instance):
        return f"{instance.revision.plan.code} {instance.line.name}/{instance.parameter.name}"

    def export_queryset(self, request):
        plans = PlanResource(user=request.user).export_queryset(request).values("pk")
        drafts = PlanRevision.objects.filter(plan__in=plans, status=PlanRevision.Status.DRAFT)
        working = Q(revision__status=PlanRevision.Status.DRAFT) | (
            Q(revision__status=PlanRevision.Status.APPROVED) & ~Q(revision__plan__in=drafts.values("plan"))
        )
        return (
            PlanParameter.objects.filter(working, revision__plan__in=plans)
            .select_related("revision__plan", "line", "parameter")
            .order_by("revision__plan__code", "line__sort_order", "parameter__sort_order", "id")
        )


class PlanImport(ImportModule):
    key = "plans"
    order = 60
    title = gettext_lazy("工艺控制方案")
    description = gettext_lazy(
        "“工艺控制方案”工作表按方案编号新建或更新方案及其牌号、规格范围和质量要求；"
        "“工艺参数”工作表按方案编号、生产线和工艺参数新建或更新各产线的参数设定。"
        "导入只写入草稿版本：方案有草稿时修改草稿；方案当前是已批准版本时，有改动就新建一个草稿版本（复制已批准版本），"
        "已批准版本保持不变、仍然生效，草稿批准后才生效。导出的是每个方案的草稿（没有草稿时为生效版本）。"
    )
    resources = (PlanResource, ParameterResource)
    permissions = PlanResource.permissions
    export_permissions = ("quality.view_processplan", "quality.view_planrevision")


# Actual runs -----------------------------------------------------------------

VALUE_HEADER_EXAMPLE = "连退/均热温度"


def value_header(line, parameter):
    """The column of a parameter's actual values: "产线/参数", e.g. "连退/均热温度"."""
    return f"{line.name}/{parameter.name}"


def _values(run):
    """{(line id, parameter id): actual value} of a run: loaded by the import, or prefetched for export."""
    if not hasattr(run, "_import_values"):
        run._import_values = {
            (v.parameter.line_id, v.parameter.parameter_id): v.value for v in run.values.all()
        }
    return run._import_values


PROPERTY_PREFIXES = ("性能", "实测性能", "property", "properties")
PROPERTY_HEADER_EXAMPLE = "性能/抗拉强度 Rm"


def property_header(prop):
    """The column of a measured property: "性能/<property>", e.g. "性能/抗拉强度 Rm"."""
    return f"性能/{prop.name}"


def _properties(run):
    """{property id: measured value} of a run: loaded by the import, or prefetched for export."""
    if not hasattr(run, "_import_properties"):
        run._import_properties = {p.property_id: p.value for p in run.properties.all()}
    return run._import_properties


def load_limits(revisions):
    """Each revision's `_import_limits`: its plan's demand's property rows ({property id: row}),
    None when the plan serves no demand. One query for all."""
    demands = {r.plan.demand_id for r in revisions if r.plan.demand_id}
    rows = {}
    for row in DemandProperty.objects.filter(demand__in=demands):
        rows.setdefault(row.demand_id, {})[row.property_id] = row
    for r in revisions:
        r._import_limits = rows.get(r.plan.demand_id, {}) if r.plan.demand_id else None


class RunRevisionWidget(CachedLookupWidget):
    """The revision a run belongs to: a plan the user may see, by code, and the revision number
    given in the row's "版本号" cell, else the plan's approved revision. Drafts take no runs."""

    keys = ("code",)

    def __init__(self):
        super().__init__(ProcessPlan)

    def get_queryset(self, value, row, *args, **kwargs):
        return ProcessPlan.objects.visible_to(self.user)

    def prefetch(self, values):
        before = {id(p) for p in self.found.values() if p is not None}
        super().prefetch(values)
        plans = {id(p): p for p in self.found.values() if p is not None and id(p) not in before}
        load_revisions(plans.values())

    def clean(self, value, row=None, **kwargs):
        plan = super().clean(value)
        if plan is None:
            return None
        number = NumberWidget(integer=True).clean((row or {}).get("revision_number"))
        if number is None:
            if plan._approved is None:
                raise CellError(_("方案“%(code)s”还没有已批准的版本，不能记录实绩。") % {"code": plan.code})
            return plan._approved
        revision = plan._run_revisions.get(number)
        if revision is None:
            if number in plan._drafts:
                message = _("方案“%(code)s”的 Rev.%(n)s 是草稿，尚未批准，不能记录实绩。")
            else:
                message = _("方案“%(code)s”没有版本 Rev.%(n)s。")
            raise CellError(message % {"code": plan.code, "n": number})
        return revision

    def not_found(self, value):
        message = _("找不到方案“%(value)s”：请填写方案编号（或该方案不在您的客户范围内）。")
        return message % {"value": text_of(value)}

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.plan.code

    def exporter(self):
        return ("__plan__code",), lambda code: "" if code is None else code


def load_revisions(plans):
    """The revisions of `plans` that take runs, each with its planned parameters: two queries."""
    plans = {p.pk: p for p in plans}
    for plan in plans.values():
        plan._run_revisions, plan._drafts, plan._approved = {}, set(), None
    if not plans:
        return
    revisions = {}
    for revision in PlanRevision.objects.filter(plan__in=list(plans)).order_by("number"):
        plan = revision.plan = plans[revision.plan_id]
        if revision.is_draft:
            plan._drafts.add(revision.number)
            continue
        plan._run_revisions[revision.number] = revisions[revision.pk] = revision
        revision._import_params = {}
        if revision.status == PlanRevision.Status.APPROVED:
            plan._approved = revision
    queryset = PlanParameter.objects.filter(revision__in=list(revisions)).select_related("line", "parameter")
    for p in queryset:
        revisions[p.revision_id]._import_params[(p.line_id, p.parameter_id)] = p
    load_limits(revisions.values())


class RevisionNumberField(ImportField):
    """The revision number: read with the plan code (see RunRevisionWidget), written by the export."""

    def get_value(self, instance):
        revision = getattr(instance, "revision", None)
        return None if revision is None else revision.number

    def assign(self, instance, value):
        pass


class ValueField(ImportField):
    """The actual value of one line's parameter: a "产线/参数" column."""

    def __init__(self, line, parameter):
        super().__init__(
            f"value_{line.pk}_{parameter.pk}", value_header(line, parameter), widget=NumberWidget()
        )
        self.key = (line.pk, parameter.pk)
        self.line, self.parameter = line, parameter

    def get_value(self, instance):
        return _values(instance).get(self.key)

    def assign(self, instance, value):
        _values(instance)[self.key] = value


class PropertyField(ImportField):
    """A measured property of the run's product: a "性能/<property>" column."""

    def __init__(self, prop):
        super().__init__(f"property_{prop.pk}", property_header(prop), widget=NumberWidget())
        self.key = prop.pk
        self.property = prop

    def get_value(self, instance):
        return _properties(instance).get(self.key)

    def assign(self, instance, value):
        _properties(instance)[self.key] = value


class UnknownColumn(ImportField):
    """A "产线/参数" or "性能/项目" header naming no line, parameter or property: reported for the
    whole sheet."""

    def __init__(self, header, property_column=False):
        super().__init__(f"unknown_{header}", header)
        self.property_column = property_column

    def assign(self, instance, value):
        pass


class RunResource(ArchiveResource):
    """Runs with their actual values, a column per "产线/参数".

    `revision`: pinned to one revision (the plan page's upload), the sheet has
    no plan or revision columns and may only name parameters that revision plans.
    """

    plan = ImportField(
        "revision",
        gettext_lazy("方案编号"),
        aliases=("Plan code", "Plan", "方案"),
        widget=RunRevisionWidget(),
        width=16,
    )
    revision_number = RevisionNumberField(
        "revision_number",
        gettext_lazy("版本号"),
        aliases=("Revision", "Rev", "版本"),
        widget=NumberWidget(integer=True),
        width=8,
    )
    coil_number = ImportField(
        "coil_number",
        gettext_lazy("卷号"),
        aliases=("Coil", "Coil number", "钢卷号"),
        widget=TextWidget(plain=True),
    )
    produced_on = ImportField(
        "produced_on",
        gettext_lazy("生产日期"),
        aliases=("Produced on", "Date", "日期"),
        widget=ExcelDateWidget(),
        width=12,
    )
    line = ImportField(
        "line",
        gettext_lazy("生产线"),
        aliases=("Line", "产线"),
        widget=DictionaryWidget(DictKind.PRODUCTION_LINE),
        width=10,
    )
    remarks = ImportField("remarks", gettext_lazy("备注"), aliases=("Remarks", "Notes"), width=20)
    surface_grade = ImportField(
        "surface_grade",
        gettext_lazy("表面等级"),
        aliases=("Surface grade", "Surface"),
        widget=DictionaryWidget(DictKind.SURFACE_QUALITY),
        width=10,
    )
    result = ImportField(
        "result",
        gettext_lazy("判定结果"),
        aliases=("Result", "Judgement"),
        widget=ChoiceWidget(Disposition),
        width=12,
    )

    title = gettext_lazy("实绩")
    sheet_names = ("runs", "run", "actual runs", "生产实绩")
    permissions = ("quality.add_planrun", "quality.change_planrun")
    export_permissions = ("quality.view_planrun", "quality.view_processplan")
    example = {
        "revision": "GK-DC04-001",
        "coil_number": "26C00012",
        "produced_on": "2026-03-18",
        "line": "连退",
    }

    class Meta:
        model = PlanRun
        fields = (
            "plan",
            "revision_number",
            "coil_number",
            "produced_on",
            "line",
            "remarks",
            "surface_grade",
            "result",
        )
        export_order = fields
        import_id_fields = ("plan", "coil_number", "line")

    def __init__(self, user=None, pending=None, revision=None, **kwargs):
        super().__init__(user=user, pending=pending, **kwargs)
        self.revision = revision
        if revision is not None:
            del self.fields["plan"], self.fields["revision_number"]
            revision._import_params = {
                (p.line_id, p.parameter_id): p
                for p in revision.parameters.select_related("line", "parameter")
            }
            load_limits([revision])
        self._lines = self._parameters = self._properties = None

    # Columns: the fixed ones, then a value column per line and parameter.

    def field_for_header(self, text):
        name = super().field_for_header(text)
        if name or "/" not in nfkc(str(text)):
            return name
        line, _sep, parameter = nfkc(str(text)).partition("/")
        if not line.strip() or line.strip().isdigit():
            return None  # a date written 2026/3/18, not a header
        if match_key(line) in {match_key(p) for p in PROPERTY_PREFIXES}:
            return self._property_column(text, parameter)
        if self._lines is None:
            self._lines, self._parameters = {}, {}
            for kind, found in (
                (DictKind.PRODUCTION_LINE, self._lines),
                (DictKind.PROCESS_PARAMETER, self._parameters),
            ):
                for entry in DictEntry.objects.of(kind):
                    for key in (entry.code, entry.name, entry.name_en):
                        if key:
                            found.setdefault(match_key(key), entry)
        line, parameter = self._lines.get(match_key(line)), self._parameters.get(match_key(parameter))
        if line is None or parameter is None:
            name = f"unknown:{text}"
            self.fields.setdefault(name, UnknownColumn(str(text).strip()))
            return name
        name = f"value:{line.pk}:{parameter.pk}"
        self.fields.setdefault(name, ValueField(line, parameter))
        return name

    def _property_column(self, text, name):
        if self._properties is None:
            self._properties = {}
            for entry in DictEntry.objects.of(DictKind.MECHANICAL_PROPERTY):
                for key in (entry.code, entry.name, entry.name_en):
                    if key:
                        self._properties.setdefault(match_key(key), entry)
        prop = self._properties.get(match_key(name))
        if prop is None:
            column = f"unknown:{text}"
            self.fields.setdefault(column, UnknownColumn(str(text).strip(), property_column=True))
            return column
        column = f"property:{prop.pk}"
        self.fields.setdefault(column, PropertyField(prop))
        return column

    def check_columns(self, columns):
        messages = []
        example = VALUE_HEADER_EXAMPLE
        if self.revision is not None and self.revision._import_params:
            first = next(iter(self.revision._import_params.values()))
            example = value_header(first.line, first.parameter)
        for name in columns.values():
            field = self.fields[name]
            if isinstance(field, UnknownColumn) and field.property_column:
                message = _("表头“%(h)s”：找不到这个力学性能项目（应为“性能/项目”，如“%(eg)s”）。")
                messages.append(message % {"h": field.column_name, "eg": PROPERTY_HEADER_EXAMPLE})
                continue
            if isinstance(field, UnknownColumn):
                message = _("表头“%(h)s”：找不到这条生产线或这个工艺参数（应为“产线/参数”，如“%(eg)s”）。")
            elif isinstance(field, ValueField) and self.revision is not None:
                if field.key in self.revision._import_params:
                    continue
                message = _("表头“%(h)s”：方案版本中没有这个工艺参数（应为“产线/参数”，如“%(eg)s”）。")
            else:
                continue
            messages.append(message % {"h": field.column_name, "eg": example})
        return messages

    # Identity.

    def key_names(self):
        names = super().key_names()
        return names if self.revision is None else [n for n in names if n != "plan"]

    def key_of_instance(self, obj):
        key = (self.key_value(obj.coil_number), self.key_value(obj.line))
        return key if self.revision is not None else (self.key_value(obj.revision), *key)

    def find_existing(self, keys):
        revisions = {}
        if self.revision is not None:
            revisions[self.revision.pk] = self.revision
        else:
            revisions = {k["revision"].pk: k["revision"] for k in keys if k.get("revision") is not None}
        coils = sorted({k["coil_number"] for k in keys})
        found, runs = {}, []
        for start in range(0, len(coils), CHUNK):
            queryset = PlanRun.objects.filter(
                revision__in=list(revisions), coil_number__in=coils[start : start + CHUNK]
            )
            for run in queryset.select_related("line"):
                run.revision = revisions[run.revision_id]
                run._import_values = {}
                found.setdefault(self.key_of_instance(run), []).append(run)
                runs.append(run)
        by_pk = {run.pk: run for run in runs}
        pks = list(by_pk)
        for run in runs:
            run._import_properties = {}
        for start in range(0, len(pks), CHUNK):
            values = RunValue.objects.filter(run__in=pks[start : start + CHUNK]).select_related("parameter")
            for v in values:
                by_pk[v.run_id]._import_values[(v.parameter.line_id, v.parameter.parameter_id)] = v.value
            for p in RunProperty.objects.filter(run__in=pks[start : start + CHUNK]):
                by_pk[p.run_id]._import_properties[p.property_id] = p.value
        return found

    def new_instance(self):
        run = PlanRun(revision=self.revision)
        run._import_values, run._import_properties = {}, {}
        return run

    # Rules, shared by the module import and the plan page's upload.

    def check_row(self, instance, new, cleaned):
        revision = instance.revision
        outcome = bool(instance.result or instance.surface_grade_id)
        try:
            PlanRun.check_values(
                revision,
                instance.line,
                _values(instance),
                revision._import_params,
                properties=_properties(instance),
                required=revision._import_limits,
                outcome=outcome,
            )
        except ValidationError as e:
            names = {
                f.key: name for name, f in self.fields.items() if isinstance(f, (ValueField, PropertyField))
            }
            columns = {"line": self.column_of("line")} | {k: self.column_of(n) for k, n in names.items()}
            return [(columns.get(key, ""), message) for key, messages in e for message in messages]
        return []

    def after_save(self, rows):
        """The actual values of the rows written: created, changed, or removed where a cell was emptied."""
        creates, updates, deletes = [], [], []
        written = [r for r in rows if r.status in ("new", "update")]
        existing = {}
        pks = [r.instance.pk for r in written if r.status == "update"]
        for start in range(0, len(pks), CHUNK):
            for v in RunValue.objects.filter(run__in=pks[start : start + CHUNK]).select_related("parameter"):
                existing[(v.run_id, v.parameter.line_id, v.parameter.parameter_id)] = v
        for row in written:
            run = row.instance
            planned = run.revision._import_params
            for key, value in _values(run).items():
                old = existing.get((run.pk, *key))
                if old is None and value is not None:
                    creates.append(RunValue(run=run, parameter=planned[key], value=value))
                elif old is not None and value is None:
                    deletes.append(old.pk)
                elif old is not None and old.value != value:
                    old.value = value
                    updates.append(old)
        RunValue.objects.filter(pk__in=deletes).delete()
        RunValue.objects.bulk_update(updates, ["value"], batch_size=1000)
        RunValue.objects.bulk_create(creates, batch_size=2000)
        self.save_properties(written)

    def save_properties(self, written):
        """The measured properties of the rows written, as `after_save` writes the values."""
        creates, updates, deletes = [], [], []
        existing = {}
        pks = [r.instance.pk for r in written if r.status == "update"]
        for start in range(0, len(pks), CHUNK):
            for p in RunProperty.objects.filter(run__in=pks[start : start + CHUNK]):
                existing[(p.run_id, p.property_id)] = p
        for row in written:
            run = row.instance
            for pid, value in _properties(run).items():
                old = existing.get((run.pk, pid))
                if old is None and value is not None:
                    creates.append(RunProperty(run=run, property_id=pid, value=value))
                elif old is not None and value is None:
                    deletes.append(old.pk)
                elif old is not None and old.value != value:
                    old.value = value
                    updates.append(old)
        RunProperty.objects.filter(pk__in=deletes).delete()
        RunProperty.objects.bulk_update(updates, ["value"], batch_size=1000)
        RunProperty.objects.bulk_create(creates, batch_size=2000)

    def label(self, instance):
        line = getattr(instance, "line", None)
        return f"{instance.revision} {instance.coil_number} {line.name if line else ''}".strip()

    # Export and templates: a value column per line and parameter the revisions plan.

    def export_queryset(self, request):
        queryset = PlanRun.objects.visible_to(request.user)
        if request.GET.get("plan"):
            queryset = queryset.filter(revision__plan__code=request.GET["plan"].strip())
        self.value_pairs = PlanParameter.objects.filter(revision__runs__in=queryset.values("pk"))
        return (
            queryset.select_related("revision__plan", "line", "surface_grade")
            .prefetch_related(
                Prefetch("values", queryset=RunValue.objects.select_related("parameter")), "properties"
            )
            .order_by(
                "revision__plan__code", "revision__number", "produced_on", "coil_number", "line__sort_order"
            )
        )

    def template_rows(self):
        # The plan page's template is filled in for one revision: no example row to delete first.
        return [] if self.revision is not None else super().template_rows()

    def export_columns(self, options=True, **kwargs):
        """The fixed columns, a column per line and parameter, one per measured property, and the
        surface grade and judgement result last: the order of the run grid."""
        columns = super().export_columns(options, **kwargs)
        outcome = [str(self.fields[n].column_name) for n in ("surface_grade", "result")]
        last = [c for c in columns if c.header in outcome]
        columns = [c for c in columns if c.header not in outcome]
        if self.revision is not None:
            planned = PlanParameter.objects.filter(revision=self.revision)
        elif hasattr(self, "value_pairs"):
            planned = self.value_pairs
        else:
            planned = PlanParameter.objects.visible_to(self.user).exclude(
                revision__status=PlanRevision.Status.DRAFT
            )
        pairs = (
            planned.order_by("line__sort_order", "line__code", "parameter__sort_order", "parameter__code")
            .values_list("line", "parameter")
            .distinct()
        )
        entries = DictEntry.objects.in_bulk({pk for pair in pairs for pk in pair})
        for line_id, parameter_id in pairs:
            field = ValueField(entries[line_id], entries[parameter_id])
            columns.append(Column(str(field.column_name), _value_exporter(field), 14))
        for prop in self.export_properties():
            field = PropertyField(prop)
            columns.append(Column(str(field.column_name), _value_exporter(field), 14))
        return columns + last

    def export_properties(self):
        """The measured properties an export or template has a column for: those the plans'
        demands require (of the pinned revision's plan, or of the plans the user may see)."""
        if self.revision is not None:
            rows = DemandProperty.objects.filter(demand=self.revision.plan.demand_id)
        elif hasattr(self, "value_pairs"):
            rows = DemandProperty.objects.filter(demand__plans__revisions__parameters__in=self.value_pairs)
        else:
            rows = DemandProperty.objects.filter(demand__plans__in=ProcessPlan.objects.visible_to(self.user))
        ids = rows.values("property")
        return DictEntry.objects.filter(pk__in=ids).order_by("sort_order", "code")


def _value_exporter(field):
    def value(obj):
        return None if not isinstance(obj, PlanRun) else field.get_value(obj)

    return value


class RunImport(ImportModule):
    key = "plan-runs"  # not "runs": /imports/runs/ is the import log
    order = 70
    title = gettext_lazy("实绩")
    description = gettext_lazy(
        "每行一个钢卷在一条生产线上的实绩，按方案编号、卷号和生产线新建或更新；"
        "版本号留空时记入方案的生效版本（草稿不能记录实绩）。"
        "之后每列一个工艺参数的实际值，表头写作“产线/参数”（如“连退/均热温度”），只填这一行生产线的参数；"
        "成品的实测性能每项一列，表头写作“性能/项目”（如“性能/抗拉强度 Rm”，"
        "项目须是方案所服务需求的性能要求），"
        "以及“表面等级”和“判定结果”（合格、改判现货、改判协议品）。"
    )
    resources = (RunResource,)
    permissions = ("quality.add_planrun", "quality.change_planrun")
    export_permissions = ("quality.view_planrun", "quality.view_processplan")

    @classmethod
    def for_revision(cls, revision):
        """The same import, pinned to one revision: the plan page's upload of its runs."""
        module = cls()
        module.key = "plan-runs"
        module.resources = (partial(RunResource, revision=revision),)
        return module


# The plan page's upload --------------------------------------------------------
#
# The upload of one revision's runs is the runs import pinned to that revision
# (`RunImport.for_revision`): the same columns, the same parsing and the same
# rules, checked and written in the request (one revision's runs are few).


class CheckedRuns(list):
    """The runs a check found, as (run, {PlanParameter: value}); `apply()` writes them, all or none."""

    def __init__(self, items=(), importer=None, result=None):
        super().__init__(items)
        self.importer, self.result = importer, result

    def apply(self):
        return self.importer.apply(self.result)


@dataclass
class Upload:
    runs: list = field(default_factory=CheckedRuns)  # (PlanRun, {PlanParameter: value})
    errors: list = field(default_factory=list)  # (row, column, message)


def parse_runs(revision, upload_file, user):
    """Check an uploaded workbook of `revision`'s runs; every problem as (row, column, message).

    Headers: 卷号, 生产日期, 生产线, 备注, then "产线/参数" (by name or code) per
    parameter. A header naming a parameter the revision does not plan is an error.
    A coil already recorded on a line is updated.
    """
    result = Upload()
    importer = Importer(RunImport.for_revision(revision), user)
    try:
        sheets = files.read(upload_file, upload_file.name)
    except files.FileRefused as e:
        result.errors.append((1, "", e.message))
        return result
    checked = importer.check(sheets)
    result.errors = [(e.row or "", e.column, e.message) for e in checked.errors]
    rows = [r for sheet in checked.sheets for r in sheet.rows if r.status in (NEW, UPDATE)]
    planned = revision._import_params
    result.runs = CheckedRuns(
        [
            (r.instance, {planned[k]: v for k, v in r.instance._import_values.items() if v is not None})
            for r in rows
        ],
        importer,
        checked,
    )
    if not result.runs and not result.errors:
        if any(sheet.rows for sheet in checked.sheets):
            result.errors.append((2, "", _("文件中的实绩与系统中已有的相同，没有需要导入的数据。")))
        else:
            result.errors.append((2, "", _("文件中没有实绩数据行。")))
    return result


# The run grid and the API ------------------------------------------------------
#
# Both are the runs import too: their rows become a sheet the engine checks and writes, so
# a coil entered in the grid, uploaded in Excel or posted by a process computer meets the
# same rules, and a coil posted again updates its run instead of adding one.


def sheet_of(headers, rows, name="runs"):
    """`rows`, (row number, values) under `headers`, as the import engine reads a file's sheet."""
    return files.Sheet(name, rows=[(1, tuple(headers)), *((n, tuple(values)) for n, values in rows)])


@dataclass
class GridCheck:
    importer: object = None
    result: object = None
    general: list = field(default_factory=list)  # messages about no one row

    @property
    def ok(self):
        return self.result is not None and self.result.ok and not self.general

    def apply(self):
        return self.importer.apply(self.result)


def check_grid(revision, grid, user):
    """Check the run grid's coils (`forms.plans.RunGrid`) as the runs import of `revision`
    checks a file: a row per coil and line with values. What came out of the line — the
    measured properties, surface grade and judgement result — goes with the coil's run on
    the plan's last line, where the product is finished. Errors go onto the grid's cells."""
    parameters = grid.form_kwargs["parameters"]
    limits = grid.form_kwargs["limits"] or {}
    resource = RunResource(user=user, revision=revision)
    lines = list({p.line_id: p.line for p in parameters}.values())
    fixed = ["coil_number", "produced_on", "line", "remarks", "surface_grade", "result"]
    headers = [resource.column_of(n) for n in fixed]
    headers += [value_header(p.line, p.parameter) for p in parameters]
    headers += [property_header(r.property) for r in limits.values()]
    names = [*fixed, *(f"p{p.pk}" for p in parameters), *(f"m{pid}" for pid in limits)]
    fields = dict(zip(headers, names, strict=True))
    fields[resource.column_of("line")] = None
    rows, numbers = [], {}
    for _index, form in grid.filled():
        c = form.cleaned_data
        before = len(rows)
        for line in lines:
            last = line is lines[-1]
            values = [c.get(f"p{p.pk}") if p.line_id == line.pk else None for p in parameters]
            measured = [c.get(f"m{pid}") if last else None for pid in limits]
            grade, result = (c.get("surface_grade"), c.get("result")) if last else (None, "")
            if all(v is None for v in [*values, *measured, grade]) and not result:
                continue
            number = len(rows) + 2
            numbers[number] = (form, line)
            fixed_values = [
                c["coil_number"],
                c["produced_on"],
                line.code,
                c["remarks"],
                grade and grade.code,
                result,
            ]
            rows.append((number, [*fixed_values, *values, *measured]))
        if len(rows) == before:
            form.add_error(None, NO_VALUES)
    check = GridCheck()
    if not rows:
        if not any(f.errors for f in grid.forms):
            check.general.append(_("没有填写任何钢卷的实绩。"))
        return check
    check.importer = Importer(RunImport.for_revision(revision), user)
    check.result = check.importer.check([sheet_of(headers, rows)])
    for error in check.result.errors:
        if error.row not in numbers:
            check.general.append(error.message)
            continue
        form, line = numbers[error.row]
        name = fields.get(error.column)
        if name in form.fields:
            form.add_error(name, error.message)
        else:
            form.add_error(None, f"{line}：{error.message}")
    return check


API_FIXED = (
    "plan",
    "revision_number",
    "coil_number",
    "produced_on",
    "line",
    "remarks",
    "surface_grade",
    "result",
)
API_KEYS = ("plan", "revision", "coil", "produced_on", "line", "remarks", "surface_grade", "result")


def check_api_runs(runs, user):
    """Check runs posted by a process computer as the runs import checks a file of them.

    `runs`: dicts with plan (code), revision (number, optional), coil, produced_on
    (YYYY-MM-DD), line (code or name), remarks, surface_grade (code), result (qualified /
    stock / agreement or its label), parameters ({parameter code or name: value}) and
    properties ({property code or name: value}). Returns (importer, checked result); the
    run at index i is the sheet's row i + 2 (under the header row).
    """
    resource = RunResource(user=user)
    headers = [resource.column_of(n) for n in API_FIXED]
    dynamic = {}  # header → column index
    rows = []
    for index, run in enumerate(runs):
        values = [run.get(k) for k in API_KEYS] + [None] * len(dynamic)
        line = run.get("line")
        for kind, items in (
            ("parameters", run.get("parameters") or {}),
            ("properties", run.get("properties") or {}),
        ):
            for name, value in items.items():
                header = f"{line}/{name}" if kind == "parameters" else f"性能/{name}"
                if header not in dynamic:
                    dynamic[header] = len(headers) + len(dynamic)
                    values.append(None)
                    for _n, other in rows:
                        other.append(None)
                values[dynamic[header]] = value
        rows.append((index + 2, values))
    importer = Importer(RunImport(), user)
    result = importer.check([sheet_of([*headers, *dynamic], rows)])
    return importer, result


registry.register(PlanImport)
registry.register(RunImport)
