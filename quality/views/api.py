"""The JSON API for the mill's process computers: actual runs, posted with an API token.

    POST /quality/api/runs
    Authorization: Bearer <token>
    Content-Type: application/json

    {"runs": [{"plan": "GK-2025-018", "coil": "H25031801", "line": "CAL",
               "produced_on": "2025-03-18",
               "parameters": {"SOAK_T": 828, "SPM_EL": 1.2},
               "properties": {"Rp02": 182, "Rm": 305},
               "surface_grade": "FD", "result": "qualified"}]}

A run is identified by plan, coil and line (and the revision: the plan's approved one
unless "revision" names another): posting the same run again changes nothing, posting it
with other values updates it. The runs are checked and written as the runs import checks
and writes a file (`resources.plans.check_api_runs`): all or none. The token's user needs
the permissions to add and change runs, and sees only the plans of its customers.
The judgement check's API is `views.judgement.judgement_api`.
"""

import json

from django.utils.translation import gettext as _

from archive_site.api import api_view, json_response
from imports.engine import NEW, UNCHANGED, ImportConflict
from quality.resources.plans import check_api_runs

MAX_RUNS = 500
PERMISSIONS = ("quality.add_planrun", "quality.change_planrun")
STATUS = {NEW: "created", UNCHANGED: "unchanged"}


@api_view(methods=("POST",), token_required=True)
def runs_api(request):
    if not request.user.has_perms(PERMISSIONS):
        return json_response({"error": _("没有记录实绩的权限。")}, status=403)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return json_response({"error": _("请求内容不是有效的 JSON。")}, status=400)
    runs = body.get("runs") if isinstance(body, dict) and "runs" in body else [body]
    if not isinstance(runs, list) or not runs or not all(isinstance(r, dict) for r in runs):
        return json_response({"error": _('请提交一条实绩（JSON 对象），或 {"runs": [...]}。')}, status=400)
    if len(runs) > MAX_RUNS:
        return json_response({"error": _("一次最多提交 %(n)s 条实绩。") % {"n": MAX_RUNS}}, status=400)
    for run in runs:
        for key in ("parameters", "properties"):
            if not isinstance(run.get(key) or {}, dict):
                return json_response({"error": _("“%(key)s”应为 {代码: 数值}。") % {"key": key}}, status=400)
    importer, checked = check_api_runs(runs, request.user)
    if not checked.ok:
        errors = [
            {"run": None if e.row is None else e.row - 2, "field": e.column, "message": e.message}
            for e in checked.errors
        ]
        return json_response({"errors": errors}, status=400)
    try:
        importer.apply(checked)
    except ImportConflict as e:
        return json_response({"error": str(e)}, status=409)
    rows = sorted((r for sheet in checked.sheets for r in sheet.rows), key=lambda r: r.number)
    answer = [
        {
            "run": r.number - 2,
            "id": r.instance.pk,
            "plan": r.instance.revision.plan.code,
            "revision": r.instance.revision.number,
            "coil": r.instance.coil_number,
            "line": r.instance.line.code,
            "status": STATUS.get(r.status, "updated"),
        }
        for r in rows
    ]
    created = any(r.status == NEW for r in rows)
    return json_response({"runs": answer}, status=201 if created else 200)
