"""Plain Django admin pages for plans and objections.

Staff keep these records in the app's own pages (numbering, revisions, status
changes and photos need them); the admin is a stock fallback for
administrators and the baseline `bench/pages.py` measures the pages against.
Customers, demands and revisions are picked by id: a drop-down of 20 000
customers or 60 000 demands is no use to anyone.
"""

from django.contrib import admin

from quality.models import Objection, PlanRevision, ProcessPlan


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ProcessPlan)
class ProcessPlanAdmin(ScopedAdmin):
    list_display = ["code", "name", "customer", "demand", "updated_at"]
    search_fields = ["code", "name", "customer__name"]
    raw_id_fields = ["customer", "demand", "origin"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(ScopedAdmin):
    list_display = ["plan", "number", "status", "production_grade", "thickness_min", "thickness_max"]
    list_filter = ["status", "production_grade"]
    raw_id_fields = ["plan", "based_on"]


@admin.register(Objection)
class ObjectionAdmin(ScopedAdmin):
    list_display = ["number", "received_date", "customer", "defect_type", "severity", "status"]
    list_filter = ["status", "severity", "defect_type"]
    search_fields = ["number", "description", "cause"]
    raw_id_fields = ["customer", "demand", "plan_revision"]
