from django.urls import path  # noqa: F401

from quality.views import api, deadlines, decisions, judgement, lessons, objections, plans, work_stats

app_name = "quality"

urlpatterns = []

# Quality objections, defect photos, statistics and the judgement check.
urlpatterns += [
    path("objections/", objections.objection_list, name="objection-list"),
    path("objections/export.xlsx", objections.objection_export, name="objection-export"),
    path("objections/new/", objections.objection_create, name="objection-create"),
    path("objections/ticked/assign/", objections.objection_bulk_assign, name="objection-bulk-assign"),
    path("objections/ticked/export.xlsx", objections.objection_bulk_export, name="objection-bulk-export"),
    path("objections/<int:pk>/", objections.objection_detail, name="objection-detail"),
    path("objections/<int:pk>/edit/", objections.objection_edit, name="objection-edit"),
    path("objections/<int:pk>/status/", objections.objection_transition, name="objection-transition"),
    path("objections/<int:pk>/assign/", objections.objection_assign, name="objection-assign"),
    path("objections/<int:pk>/photos/", objections.photo_upload, name="photo-upload"),
    path("objections/<int:pk>/files/", objections.attachment_upload, name="attachment-upload"),
    path("objection-files/<int:pk>/", objections.attachment_file, name="attachment-file"),
    path("objection-files/<int:pk>/delete/", objections.attachment_delete, name="attachment-delete"),
    path("objections/<int:pk>/comments/", objections.comment_create, name="comment-create"),
    path("objections/stats/", objections.objection_stats, name="objection-stats"),
    path("objections/stats/export.xlsx", objections.objection_stats_export, name="objection-stats-export"),
    path("objections/work/", work_stats.work_stats, name="work-stats"),
    path("objections/work/export.xlsx", work_stats.work_stats_export, name="work-stats-export"),
    path("photos/<int:pk>/delete/", objections.photo_delete, name="photo-delete"),
    path("photos/<int:pk>/<slug:size>/", objections.photo_file, name="photo"),
    path("judgement/", judgement.judgement, name="judgement"),
    path("api/judgement", judgement.judgement_api, name="judgement-api"),
]

# The objections' deadline rules (by severity, and per key account).
urlpatterns += [
    path("deadline-rules/", deadlines.rule_list, name="deadline-rule-list"),
    path("deadline-rules/new/", deadlines.rule_create, name="deadline-rule-create"),
    path("deadline-rules/<int:pk>/edit/", deadlines.rule_edit, name="deadline-rule-edit"),
    path("deadline-rules/<int:pk>/delete/", deadlines.rule_delete, name="deadline-rule-delete"),
]

# The inspectors' decisions and the lessons spread to similar customers.
urlpatterns += [
    path("decisions/", decisions.decision_list, name="decision-list"),
    path("decisions/export.xlsx", decisions.decision_export, name="decision-export"),
    path("decisions/new/", decisions.decision_create, name="decision-create"),
    path("decisions/<int:pk>/", decisions.decision_detail, name="decision-detail"),
    path("decisions/stats/", decisions.decision_stats, name="decision-stats"),
    path("decisions/stats/export.xlsx", decisions.decision_stats_export, name="decision-stats-export"),
    path("objections/<int:pk>/lessons/", lessons.objection_lessons, name="objection-lessons"),
    path("alerts/<int:pk>/withdraw/", lessons.alert_withdraw, name="alert-withdraw"),
]

# Process-control plans, revisions, actual runs and reuse.
urlpatterns += [
    path("plans/", plans.plan_list, name="plan-list"),
    path("plans/export.xlsx", plans.plan_export, name="plan-export"),
    path("plans/new/", plans.plan_create, name="plan-create"),
    path("plans/reuse/", plans.plan_reuse, name="plan-reuse"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/revisions/<int:pk>/", plans.revision_detail, name="revision-detail"),
    path("plans/revisions/<int:pk>/edit/", plans.revision_edit, name="revision-edit"),
    path("plans/revisions/<int:pk>/approve/", plans.revision_approve, name="revision-approve"),
    path("plans/revisions/<int:pk>/revise/", plans.revision_new, name="revision-new"),
    path("plans/revisions/<int:pk>/adopt/", plans.revision_adopt, name="revision-adopt"),
    path("plans/revisions/<int:pk>/delete/", plans.revision_delete, name="revision-delete"),
    path("plans/revisions/<int:pk>/apply/", plans.plan_apply, name="plan-apply"),
    path("plans/revisions/<int:pk>/runs/new/", plans.run_create, name="run-create"),
    path("plans/revisions/<int:pk>/runs/grid/", plans.run_grid, name="run-grid"),
    path("plans/revisions/<int:pk>/runs/upload/", plans.run_upload, name="run-upload"),
    path("plans/revisions/<int:pk>/runs/template.xlsx", plans.run_template, name="run-template"),
    path("plans/runs/<int:pk>/delete/", plans.run_delete, name="run-delete"),
]

# The mill's process computers: actual runs (token only); the judgement check is above.
urlpatterns += [
    path("api/runs", api.runs_api, name="runs-api"),
]
