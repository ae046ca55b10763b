"""Process-control plans (paper 3.3): list, write, revise, approve, record runs, adopt, reuse."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import xlsx_response
from archive_site.history import describe_events, events_for
from archive_site.pagination import LateRowPaginator
from customers.models import Demand
from imports.exports import export_response
from quality.filters.plans import PlanFilter
from quality.forms.plans import (
    ApplyForm,
    ParameterFormSet,
    PlanForm,
    ReuseSearchForm,
    RevisionForm,
    RunForm,
    RunGrid,
    RunUploadForm,
)
from quality.models import (
    APPROVED_READ_ONLY,
    CPK_MIN_SAMPLE,
    Objection,
    PlanError,
    PlanRevision,
    PlanRun,
    ProcessPlan,
    RunProperty,
    RunValue,
)
from quality.resources.plans import RunImport, check_grid, parse_runs
from quality.statistics.plans import (
    RUNS_SHOWN,
    outcomes,
    property_summaries,
    relations,
    set_vs_actual,
    summaries,
)

PAGE_SIZE = 50
HISTORY_SIZE = 30
# A revision's dictionary entries (and its plan's demand's) are loaded after the rows in one
# query (`with_dictionaries`) rather than joined.
REVISION_RELATED = ["approved_by", "created_by", "updated_by"]


def get_plan_for_user(user, pk, perm="quality.view_processplan"):
    """The plan, if `user` holds `perm` (else 403) and may see its customer (else 404)."""
    plans = ProcessPlan.objects.select_related("customer", "demand", "origin__plan")
    return plans.get_visible_or_404(user, pk, perm)


def get_revision_for_user(user, pk, perm="quality.view_processplan"):
    revisions = PlanRevision.objects.select_related(
        "plan", "plan__customer", "plan__demand", *REVISION_RELATED
    ).with_dictionaries()
    return revisions.get_visible_or_404(user, pk, perm)


def get_demand_for_user(user, pk):
    """The demand a plan is written for, with what the plan's defaults are taken from."""
    demands = Demand.objects.select_related("customer").with_dictionaries()
    return demands.get_visible_or_404(user, pk, "customers.view_demand")


# List ------------------------------------------------------------------------


def _filtered_plans(request):
    queryset = (
        ProcessPlan.objects.listed_for(request.user).select_related("customer", "demand").with_current()
    )
    return PlanFilter(request.GET, queryset=queryset)


@replica_reads
@permission_required("quality.view_processplan", raise_exception=True)
def plan_list(request):
    plan_filter = _filtered_plans(request)
    paginator = LateRowPaginator(plan_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "quality/plan_list.html", {"filter": plan_filter, "page_obj": page})


@replica_reads
def plan_export(request):
    """The plans the list's current filters select, as the plans module exports them (the plans
    and their parameters): a file that imports back."""
    return export_response(request, "plans", _("工艺控制方案列表"))


# Detail ----------------------------------------------------------------------


@permission_required("quality.view_processplan", raise_exception=True)
def plan_detail(request, pk):
    """The plan's current revision: the approved one, else the newest."""
    plan = get_plan_for_user(request.user, pk)
    revisions = _revisions_of(plan)
    shown = next(
        (r for r in revisions if r.status == PlanRevision.Status.APPROVED),
        revisions[0] if revisions else None,
    )
    return _detail_page(request, plan, revisions, shown)


@permission_required("quality.view_processplan", raise_exception=True)
def revision_detail(request, pk):
    # Only the revision's plan is read here: the page reads all the plan's revisions in full.
    found = PlanRevision.objects.only("plan").get_visible_or_404(request.user, pk)
    plan = get_plan_for_user(request.user, found.plan_id)
    revisions = _revisions_of(plan)
    shown = next(r for r in revisions if r.pk == found.pk)
    return _detail_page(request, plan, revisions, shown)


def _revisions_of(plan):
    """The plan's revisions, newest first, each with its people and dictionary entries."""
    return list(plan.revisions.select_related(*REVISION_RELATED).with_dictionaries().order_by("-number"))


def _detail_page(request, plan, revisions, revision):
    """A constant number of queries whatever the number of parameters and runs."""
    log_access(request, "view", plan.customer, detail=str(revision) if revision else plan.code)
    ctx = {"plan": plan, "revisions": revisions, "revision": revision, "tables": [], "summaries": []}
    if revision is not None:
        parameters = list(revision.parameters.select_related("line", "parameter"))
        runs = list(
            revision.runs.select_related("line", "created_by", "surface_grade").order_by(
                "-produced_on", "-id"
            )[:RUNS_SHOWN]
        )
        runs.reverse()
        values = list(RunValue.objects.filter(run__in=[r.pk for r in runs])) if runs else []
        stats = revision.statistics() if runs else {}
        limits = revision.property_limits()
        measured = list(RunProperty.objects.filter(run__in=[r.pk for r in runs])) if runs else []
        ctx.update(
            parameters=parameters,
            lines=_group_by_line(parameters),
            runs=runs,
            run_count=len(runs) if len(runs) < RUNS_SHOWN else revision.runs.count(),
            tables=set_vs_actual(parameters, runs, values),
            summaries=summaries(parameters, stats, values, runs),
            draft=next((r for r in revisions if r.is_draft), None),
            limits=limits,
            properties=property_summaries(limits, revision.property_statistics(limits), runs, measured)
            if runs
            else [],
            relations=relations(revision, parameters, limits) if runs else [],
            outcomes=outcomes(runs, limits, measured, _objections_of(request.user, runs)),
            good_coils=len(revision.good_coils(limits)) if runs and not revision.is_draft else 0,
            cpk_min_sample=CPK_MIN_SAMPLE,
        )
    # The plan's and its revisions' events (revision rows, and the parameter rows of each revision).
    events = events_for(plan, *revisions, limit=HISTORY_SIZE)
    # The events name the plan, its revisions and its customer and demand: already read above.
    known = (plan, plan.customer, plan.demand, *revisions)
    ctx["history"] = describe_events(events, known=known)
    # Where this plan was reused: plans copied from any of its revisions ("apply to demand").
    ctx["copies"] = list(
        ProcessPlan.objects.visible_to(request.user)
        .filter(origin__plan=plan)
        .select_related("customer", "origin")
        .order_by("-created_at")[:50]
    )
    ctx["runs_shown"] = RUNS_SHOWN
    return render(request, "quality/plan_detail.html", ctx)


def _objections_of(user, runs):
    """{coil number: [objection numbers]} of the objections (the user may see) naming these runs' coils."""
    coils = sorted({r.coil_number for r in runs})
    if not coils or not user.has_perm("quality.view_objection"):
        return {}
    named = {}
    rows = Objection.objects.visible_to(user).naming_any(coils)
    for number, pk, objection_coils in rows.values_list("number", "pk", "coil_numbers"):
        for coil in set(objection_coils) & set(coils):
            named.setdefault(coil, []).append((number, pk))
    return named


def _group_by_line(parameters):
    groups = {}
    for p in parameters:
        groups.setdefault(p.line, []).append(p)
    return list(groups.items())


# Write -----------------------------------------------------------------------


def _demand_defaults(demand):
    """A new revision's fields taken from the demand it serves."""
    if demand is None:
        return {}
    t, w = demand.thickness, demand.width
    return {
        "production_grade": demand.production_grade_id,
        "thickness_min": t - (demand.thickness_tol_minus or Decimal(0)),
        "thickness_max": t + (demand.thickness_tol_plus or Decimal(0)),
        "width_min": w - (demand.width_tol_minus or Decimal(0)),
        "width_max": w + (demand.width_tol_plus or Decimal(0)),
        "surface_quality": demand.surface_quality_id,
        "end_use": demand.end_use_id,
    }


def _save_plan(request, plan, revision, plan_initial=None, revision_initial=None):
    """Header, revision and parameter rows: all saved, or nothing."""
    data = request.POST if request.method == "POST" else None
    plan_form = PlanForm(data, instance=plan, initial=plan_initial, user=request.user, prefix="plan")
    form = RevisionForm(data, instance=revision, initial=revision_initial, user=request.user, prefix="rev")
    parameters = ParameterFormSet(
        data, instance=revision, prefix="params", form_kwargs={"user": request.user}
    )
    forms_valid = data is not None and all([plan_form.is_valid(), form.is_valid(), parameters.is_valid()])
    if forms_valid:
        try:
            with transaction.atomic():
                plan = plan_form.save()
                form.instance.plan = plan
                if form.instance.number is None:
                    form.instance.number = plan.next_revision_number()
                revision = form.save()
                parameters.instance = revision
                parameters.save()
        except IntegrityError:
            form.add_error(
                None, _("保存失败：数据与已有记录冲突（可能他人刚新建了草稿版本），请刷新后重试。")
            )
            return None, plan_form, form, parameters
        return revision, plan_form, form, parameters
    return None, plan_form, form, parameters


def _form_page(request, plan_form, form, parameters, plan=None, revision=None, demand=None):
    ctx = {
        "plan_form": plan_form,
        "form": form,
        "parameters": parameters,
        "plan": plan,
        "revision": revision,
        "demand": demand,
    }
    return render(request, "quality/plan_form.html", ctx)


@permission_required(["quality.add_processplan", "quality.add_planrevision"], raise_exception=True)
def plan_create(request):
    demand = None
    plan_initial, revision_initial = {}, {}
    if request.GET.get("demand"):
        demand = get_demand_for_user(request.user, request.GET["demand"])
        plan_initial = {"customer": demand.customer_id, "demand": demand.pk, "name": demand.name}
        revision_initial = _demand_defaults(demand)
    plan = ProcessPlan()
    saved, plan_form, form, parameters = _save_plan(
        request, plan, PlanRevision(), plan_initial, revision_initial
    )
    if saved:
        messages.success(
            request, _("工艺控制方案“%(code)s”已创建（草稿 Rev.1）。") % {"code": saved.plan.code}
        )
        return redirect(saved)
    return _form_page(request, plan_form, form, parameters, demand=demand)


def revision_edit(request, pk):
    revision = get_revision_for_user(request.user, pk, "quality.change_planrevision")
    if not revision.is_draft:
        messages.error(request, APPROVED_READ_ONLY)
        return redirect(revision)
    plan = revision.plan
    saved, plan_form, form, parameters = _save_plan(request, plan, revision)
    if saved:
        messages.success(request, _("%(rev)s 已保存。") % {"rev": saved})
        return redirect(saved)
    return _form_page(request, plan_form, form, parameters, plan=plan, revision=revision)


@require_POST
def revision_approve(request, pk):
    revision = get_revision_for_user(request.user, pk, "quality.approve_planrevision")
    shown = request.POST.get("version", "")  # the version the approver was looking at
    try:
        superseded = revision.approve(by=request.user, version=int(shown) if shown.isdigit() else None)
    except PlanError as e:
        messages.error(request, str(e))
    else:
        if superseded is None:
            messages.success(request, _("%(rev)s 已批准。") % {"rev": revision})
        else:
            message = _("%(rev)s 已批准，此前的生效版本 Rev.%(old)s 已被替代。")
            messages.success(request, message % {"rev": revision, "old": superseded})
    return redirect(revision)


@require_POST
def revision_new(request, pk):
    """A new draft revision copied from this one, for the engineer to edit."""
    revision = get_revision_for_user(request.user, pk, "quality.add_planrevision")
    try:
        draft = revision.new_draft(by=request.user, note=_("基于 Rev.%(n)s 修订") % {"n": revision.number})
    except PlanError as e:
        messages.error(request, str(e))
        return redirect(revision)
    messages.success(request, _("已新建草稿 %(rev)s，请修改后提交批准。") % {"rev": draft})
    return redirect("quality:revision-edit", draft.pk)


@require_POST
def revision_adopt(request, pk):
    """A new draft revision whose targets are the observed means of this revision's runs."""
    revision = get_revision_for_user(request.user, pk, "quality.add_planrevision")
    good_only = bool(request.POST.get("good_only"))
    coils = revision.good_coils() if good_only else None
    stats = revision.statistics(coils=coils)
    if not stats:
        if good_only:
            messages.error(
                request, _("这个版本还没有结果良好的钢卷（判定合格、性能在需求范围内、没有异议），无法采用。")
            )
        else:
            messages.error(request, _("这个版本还没有实绩，无法采用实绩均值。"))
        return redirect(revision)
    targets = {pid: Decimal(str(round(float(s.mean), 4))) for pid, s in stats.items() if s.mean is not None}
    parameters = {p.pk: p for p in revision.parameters.all()}
    clamped = []
    for pid, target in targets.items():
        p = parameters[pid]
        if (p.lower is not None and target < p.lower) or (p.upper is not None and target > p.upper):
            clamped.append(str(p))
            if p.lower is not None and target < p.lower:
                targets[pid] = p.lower
            else:
                targets[pid] = p.upper
    note = _("采用 Rev.%(n)s 的实绩均值（%(count)s 个参数）作为目标值") % {
        "n": revision.number,
        "count": len(targets),
    }
    if good_only:
        note += _("，只计结果良好的 %(coils)s 卷") % {"coils": len(coils)}
    try:
        draft = revision.new_draft(by=request.user, targets=targets, note=note)
    except PlanError as e:
        messages.error(request, str(e))
        return redirect(revision)
    messages.success(
        request, _("已新建草稿 %(rev)s，目标值取自实绩均值，请核对后提交批准。") % {"rev": draft}
    )
    if clamped:
        messages.warning(
            request, _("以下参数的均值超出上下限，目标值已取在限值上：%(p)s") % {"p": "、".join(clamped)}
        )
    return redirect("quality:revision-edit", draft.pk)


@require_POST
def revision_delete(request, pk):
    """Delete a draft revision; the plan too when it was its only revision."""
    revision = get_revision_for_user(request.user, pk, "quality.delete_planrevision")
    if not revision.is_draft:
        messages.error(request, _("只能删除草稿版本。"))
        return redirect(revision)
    plan = revision.plan.lock()
    revision.delete()
    if not plan.revisions.exists():
        try:
            plan.delete()
        except ProtectedError:
            transaction.set_rollback(True)
            messages.error(request, _("方案已被其他方案引用为来源，不能删除。"))
            return redirect(plan)
        messages.success(
            request, _("草稿已删除，方案“%(code)s”没有其他版本，已一并删除。") % {"code": plan.code}
        )
        return redirect("quality:plan-list")
    messages.success(request, _("草稿 Rev.%(n)s 已删除。") % {"n": revision.number})
    return redirect(plan)


# Runs ------------------------------------------------------------------------


def _runs_allowed(request, revision):
    if revision.is_draft:
        messages.error(request, _("草稿版本尚未批准，不能记录实绩。请先批准。"))
        return False
    return True


def run_create(request, pk):
    revision = get_revision_for_user(request.user, pk, "quality.add_planrun")
    if not _runs_allowed(request, revision):
        return redirect(revision)
    parameters = list(revision.parameters.select_related("line", "parameter"))
    data = request.POST if request.method == "POST" else None
    run = PlanRun(revision=revision)
    form = RunForm(data, instance=run, parameters=parameters, user=request.user)
    if data is not None and form.is_valid():
        with transaction.atomic():
            run = form.save()
            RunValue.objects.bulk_create(
                RunValue(run=run, parameter=p, value=v) for p, v in form.values().items()
            )
        messages.success(request, _("卷号 %(c)s 的实绩已记录。") % {"c": run.coil_number})
        if "another" in request.POST:
            return redirect("quality:run-create", revision.pk)
        return redirect(revision)
    return render(request, "quality/plan_run_form.html", {"form": form, "revision": revision})


GRID_ROWS = 3


def run_grid(request, pk):
    """Several coils at once, each with every line's actual values and what came out of the line.

    Checked and saved through the runs import (`check_grid`): the rules, and the update of
    a coil already recorded, are the Excel upload's. Values outside the plan's limits or the
    demand's are listed first and saved only when confirmed.
    """
    revision = get_revision_for_user(request.user, pk, "quality.add_planrun")
    if not _runs_allowed(request, revision):
        return redirect(revision)
    parameters = list(revision.parameters.select_related("line", "parameter"))
    limits = revision.property_limits() or {}
    kwargs = {"parameters": parameters, "limits": limits}
    today = {"produced_on": timezone.localdate()}
    data = request.POST if request.method == "POST" else None
    grid = RunGrid(data, prefix="coils", form_kwargs=kwargs, initial=[today] * GRID_ROWS)
    ctx = {"grid": grid, "revision": revision, "lines": _group_by_line(parameters), "limits": limits}
    if data is not None and grid.is_valid():
        check = check_grid(revision, grid, request.user)
        ctx["general"] = check.general
        if check.ok and not any(f.errors for f in grid.forms):
            warnings = grid.warnings()
            if warnings and not request.POST.get("confirm"):
                ctx["warnings"] = warnings
            else:
                counts = check.apply()
                messages.success(
                    request,
                    _("实绩已保存：新建 %(new)s 条，更新 %(update)s 条。")
                    % {"new": counts["new"], "update": counts["update"]},
                )
                return redirect(revision)
    return render(request, "quality/plan_run_grid.html", ctx)


def run_template(request, pk):
    """The upload template: the runs import's columns for this revision (the fixed ones, then
    one per planned parameter)."""
    revision = get_revision_for_user(request.user, pk, "quality.add_planrun")
    filename = f"runs-{revision.plan.code}-rev{revision.number}.xlsx"
    return xlsx_response(filename, RunImport.for_revision(revision).template_sheets(request.user))


def run_upload(request, pk):
    """Runs from Excel: every row checked; all saved in one transaction, or none."""
    revision = get_revision_for_user(request.user, pk, "quality.add_planrun")
    if not _runs_allowed(request, revision):
        return redirect(revision)
    form = RunUploadForm(request.POST or None, request.FILES or None)
    ctx = {"form": form, "revision": revision}
    if request.method == "POST" and form.is_valid():
        parsed = parse_runs(revision, form.cleaned_data["file"], request.user)
        ctx.update(errors=parsed.errors, preview=parsed.runs)
        if not parsed.errors and not form.cleaned_data["check_only"]:
            parsed.runs.apply()
            messages.success(request, _("已导入 %(n)s 条实绩。") % {"n": len(parsed.runs)})
            return redirect(revision)
    return render(request, "quality/plan_run_upload.html", ctx)


@require_POST
def run_delete(request, pk):
    run = PlanRun.objects.select_related("revision__plan").get_visible_or_404(
        request.user, pk, "quality.delete_planrun"
    )
    run.delete()
    messages.success(request, _("卷号 %(c)s 的实绩已删除。") % {"c": run.coil_number})
    return redirect(run.revision)


# Reuse -----------------------------------------------------------------------


@permission_required("quality.view_processplan", raise_exception=True)
def plan_reuse(request):
    """Approved plans of a grade covering a spec, closest first; from a demand, ready to apply."""
    demand = None
    data = request.GET.copy()
    if data.get("demand"):
        demand = get_demand_for_user(request.user, data["demand"])
        if not any(
            data.get(k) for k in ("production_grade", "thickness", "width", "surface_quality", "end_use")
        ):
            data.update(
                {
                    k: v
                    for k, v in {
                        "production_grade": demand.production_grade_id,
                        "thickness": demand.thickness,
                        "width": demand.width,
                        "surface_quality": demand.surface_quality_id,
                        "end_use": demand.end_use_id,
                    }.items()
                    if v is not None
                }
            )
    form = ReuseSearchForm(data)
    results = None
    searched = any(
        data.get(k) for k in ("production_grade", "thickness", "width", "surface_quality", "end_use")
    )
    if searched and form.is_valid():
        c = form.cleaned_data
        results = list(
            PlanRevision.objects.visible_to(request.user)
            .reuse_search(
                c["production_grade"], c["thickness"], c["width"], c["surface_quality"], c["end_use"]
            )
            .select_related("plan", "plan__customer", "production_grade", "surface_quality", "end_use")[:50]
        )
    ctx = {"form": form, "results": results, "demand": demand}
    return render(request, "quality/plan_reuse.html", ctx)


def plan_apply(request, pk):
    """Copy an approved revision as the first draft of a new plan for a demand."""
    source = get_revision_for_user(request.user, pk, "quality.add_processplan")
    if source.is_draft:
        messages.error(request, _("只能应用已批准的方案版本。"))
        return redirect(source)
    demand_id = request.POST.get("demand") or request.GET.get("demand")
    if not demand_id:
        messages.error(request, _("请先选择要应用到的客户需求。"))
        return redirect("quality:plan-reuse")
    demand = get_demand_for_user(request.user, demand_id)
    suggested = f"{source.plan.code}-{demand.customer.code}"[:32]
    initial = {
        "code": suggested,
        "name": f"{demand.customer.short_name or demand.customer.name} {source.plan.name}"[:200],
    }
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            plan = source.copy_to_demand(demand, code, form.cleaned_data["name"], by=request.user)
        except IntegrityError:  # the code was taken between the check and the save
            form.add_error("code", _("方案编号“%(code)s”已被使用，请换一个。") % {"code": code})
            ctx = {"form": form, "source": source, "demand": demand}
            return render(request, "quality/plan_apply.html", ctx)
        messages.success(
            request,
            _("已把 %(src)s 复制为方案“%(code)s”的草稿 Rev.1，服务需求“%(d)s”。")
            % {"src": source, "code": plan.code, "d": demand.name},
        )
        return redirect(plan)
    return render(request, "quality/plan_apply.html", {"form": form, "source": source, "demand": demand})
