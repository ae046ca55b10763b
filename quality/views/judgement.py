"""The judgement check (判定辅助): may this coil with this defect be judged 合格 for this customer?

The page is for line and quality staff; the JSON at /quality/api/judgement is the same
answer for the mill's other systems (a login session or an API token):

    GET /quality/api/judgement?customer=<customer code>&defect=<defect type code>&severity=<1–4>
        [&part=<part number>][&demand=<demand code>][&grade=<grade code>]
        [&surface_quality=<code>][&end_use=<code>][&thickness=<mm>][&width=<mm>]

Both see only the customers the user may see (`visible_to`).
"""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from archive_site.api import api_view, json_response
from archive_site.db_router import replica_reads
from customers.models import Customer
from quality.forms.objections import JudgementForm
from quality.models import Alert, Objection, Severity

PERMISSION = "quality.view_objection"


def answer_for(user, question):
    """The answer to `question` from what `user` may see: the customer's objections and the
    alerts its similar customers' lessons gave it."""
    return Objection.objects.visible_to(user).judge(question, alerts=Alert.objects.visible_to(user))


@replica_reads
@permission_required(PERMISSION, raise_exception=True)
def judgement(request):
    form = JudgementForm(request.GET or None, user=request.user)
    answer, candidates = None, []
    if form.is_bound and form.is_valid():
        answer = answer_for(request.user, form.question())
    elif form.is_bound and "customer" in form.errors and (term := request.GET.get("customer", "").strip()):
        # Typed part of a name without picking from the suggestions: offer the matches.
        candidates = Customer.objects.visible_to(request.user).search(term).order_by("code")[:10]
    ctx = {"form": form, "answer": answer, "candidates": candidates, "severities": Severity}
    if answer is not None:
        ctx["decision_url"] = f"{reverse('quality:decision-create')}?{urlencode(answer.question.as_query())}"
    return render(request, "quality/judgement.html", ctx)


def _photo_json(request, photo):
    return {
        "caption": photo.caption,
        "thumbnail": request.build_absolute_uri(reverse("quality:photo", args=[photo.pk, "thumb"])),
        "full": request.build_absolute_uri(reverse("quality:photo", args=[photo.pk, "full"])),
    }


def _entry(entry):
    return None if entry is None else {"code": entry.code, "name": str(entry)}


def _day(value):
    return value.isoformat() if value else None


def _number(value):
    return None if value is None else f"{value.normalize():f}"


def answer_json(request, answer):
    q = answer.question
    return {
        "customer": {"code": answer.customer.code, "name": answer.customer.name},
        "defect": {"code": answer.defect_type.code, "name": answer.defect_type.name},
        "severity": {"value": answer.severity, "label": str(answer.severity_label)},
        "product": {
            "part": q.part and {"number": q.part.number, "name": q.part.name},
            "demand": q.demand and {"code": q.demand.code, "name": q.demand.name},
            "grade": _entry(q.production_grade),
            "surface_quality": _entry(q.surface_quality),
            "end_use": _entry(q.end_use),
            "thickness": _number(q.thickness),
            "width": _number(q.width),
        },
        "may_judge_qualified": answer.may_judge_qualified,
        "verdict": answer.verdict,
        "verdict_label": str(answer.verdict_label),
        "count": answer.count,
        "last_received": _day(answer.last_received),
        "harsher_count": answer.harsher_count,
        "harsher_last_received": _day(answer.harsher_last),
        "other_products_count": answer.other_count,
        "message": str(answer.message),
        "conclusion": str(answer.conclusion),
        "basis": [str(line) for line in answer.basis],
        "objections": [
            {
                "number": o.number,
                "url": request.build_absolute_uri(o.get_absolute_url()),
                "received_date": _day(o.received_date),
                "severity": {"value": o.severity, "label": o.get_severity_display()},
                "status": o.status,
                "tonnage": str(o.tonnage),
                "description": o.description,
                "closeness": {"value": o.match.closeness.name.lower(), "label": str(o.match.closeness.label)},
                "blocks": o.match.blocks,
                "reason": str(o.match.reason),
                "photos": [_photo_json(request, p) for p in o.photos.all()],
            }
            for o in answer.matches
        ],
        "alerts": [
            {
                "message": a.message,
                "reason": a.reason,
                "defect": {"code": a.defect_type.code, "name": a.defect_type.name},
                "about_this_defect": a.defect_type_id == answer.defect_type.pk,
                "from_similar_customer": {"name": a.objection.customer.name, "objection": a.objection.number},
                "created_at": a.created_at.isoformat(),
            }
            for a in answer.alerts
        ],
    }


@replica_reads
@api_view()
def judgement_api(request):
    if not request.user.has_perm(PERMISSION):
        return json_response({"error": _("没有查看质量异议的权限。")}, status=403)
    form = JudgementForm(request.GET, user=request.user)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        # An unknown customer and one outside the user's scope look the same: 404.
        status = 404 if list(errors) == ["customer"] and request.GET.get("customer") else 400
        return json_response({"errors": errors}, status=status)
    return json_response(answer_json(request, answer_for(request.user, form.question())))
