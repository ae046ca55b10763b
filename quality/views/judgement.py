"""The judgement check (判定辅助): has this customer objected to this defect at this severity or milder?

The page is for line and quality staff; the JSON at /quality/api/judgement is the
same answer for the mill's other systems:

    GET /quality/api/judgement?customer=<customer code>&defect=<defect type code>&severity=<1–4>

Both see only the customers the user may see (`visible_to`).
"""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from archive_site.db_router import replica_reads
from customers.models import Customer
from quality.forms.objections import JudgementForm
from quality.models import Objection, Severity

PERMISSION = "quality.view_objection"


def _answer(user, form):
    data = form.cleaned_data
    return Objection.objects.visible_to(user).judge(data["customer"], data["defect"], data["severity"])


@replica_reads
@permission_required(PERMISSION, raise_exception=True)
def judgement(request):
    form = JudgementForm(request.GET or None, user=request.user)
    answer, candidates = None, []
    if form.is_bound and form.is_valid():
        answer = _answer(request.user, form)
    elif form.is_bound and "customer" in form.errors and (term := request.GET.get("customer", "").strip()):
        # Typed part of a name without picking from the suggestions: offer the matches.
        candidates = Customer.objects.visible_to(request.user).search(term).order_by("code")[:10]
    ctx = {"form": form, "answer": answer, "candidates": candidates, "severities": Severity}
    return render(request, "quality/judgement.html", ctx)


def _photo_json(request, photo):
    return {
        "caption": photo.caption,
        "thumbnail": request.build_absolute_uri(reverse("quality:photo", args=[photo.pk, "thumb"])),
        "full": request.build_absolute_uri(reverse("quality:photo", args=[photo.pk, "full"])),
    }


def answer_json(request, answer):
    def day(value):
        return value.isoformat() if value else None

    return {
        "customer": {"code": answer.customer.code, "name": answer.customer.name},
        "defect": {"code": answer.defect_type.code, "name": answer.defect_type.name},
        "severity": {"value": answer.severity, "label": str(answer.severity_label)},
        "may_judge_qualified": answer.may_judge_qualified,
        "verdict": answer.verdict,
        "count": answer.count,
        "last_received": day(answer.last_received),
        "harsher_count": answer.harsher_count,
        "harsher_last_received": day(answer.harsher_last),
        "message": str(answer.message),
        "conclusion": str(answer.conclusion),
        "objections": [
            {
                "number": o.number,
                "url": request.build_absolute_uri(o.get_absolute_url()),
                "received_date": day(o.received_date),
                "severity": {"value": o.severity, "label": o.get_severity_display()},
                "status": o.status,
                "tonnage": str(o.tonnage),
                "description": o.description,
                "photos": [_photo_json(request, p) for p in o.photos.all()],
            }
            for o in answer.matches
        ],
    }


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@replica_reads
@login_not_required  # answers 401 in JSON instead of redirecting a machine to the login page
def judgement_api(request):
    if not request.user.is_authenticated:
        return _json({"error": _("需要登录。")}, status=401)
    if not request.user.has_perm(PERMISSION):
        return _json({"error": _("没有查看质量异议的权限。")}, status=403)
    form = JudgementForm(request.GET, user=request.user)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        # An unknown customer and one outside the user's scope look the same: 404.
        status = 404 if list(errors) == ["customer"] and request.GET.get("customer") else 400
        return _json({"errors": errors}, status=status)
    return _json(answer_json(request, _answer(request.user, form)))
