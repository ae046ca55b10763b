"""The objections' deadline rules: list, add, edit, delete (administrators keep them)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quality.forms.deadlines import DeadlineRuleForm
from quality.models import DeadlineRule, Step


def _rule_for_user(user, pk, perm):
    return DeadlineRule.objects.select_related("customer").get_visible_or_404(user, pk, perm)


@permission_required("quality.view_deadlinerule", raise_exception=True)
def rule_list(request):
    rules = DeadlineRule.objects.visible_to(request.user).select_related("customer")
    return render(request, "quality/deadline_rule_list.html", {"rules": rules, "steps": list(Step)})


@permission_required("quality.add_deadlinerule", raise_exception=True)
def rule_create(request):
    form = DeadlineRuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rule = form.save()
        messages.success(request, _("期限规则“%(rule)s”已添加。") % {"rule": rule})
        return redirect("quality:deadline-rule-list")
    return render(request, "quality/deadline_rule_form.html", {"form": form})


def rule_edit(request, pk):
    rule = _rule_for_user(request.user, pk, "quality.change_deadlinerule")
    form = DeadlineRuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("期限规则“%(rule)s”已保存。") % {"rule": rule})
        return redirect("quality:deadline-rule-list")
    return render(request, "quality/deadline_rule_form.html", {"form": form, "rule": rule})


@require_POST
def rule_delete(request, pk):
    """A rule is only a setting: deleting it leaves its objections to the default rule."""
    rule = _rule_for_user(request.user, pk, "quality.delete_deadlinerule")
    rule.delete()
    messages.success(request, _("期限规则“%(rule)s”已删除。") % {"rule": rule})
    return redirect("quality:deadline-rule-list")
