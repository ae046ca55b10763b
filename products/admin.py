from django.contrib import admin

from products.models import Part


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    """Read-mostly: parts are kept in the app's own pages (photos need the upload pipeline)."""

    list_display = ["number", "name", "customer", "car_model", "usage_location", "gross_weight", "net_weight"]
    list_filter = ["car_model", "usage_location"]
    search_fields = ["number", "name", "customer__name", "customer__code"]
    list_select_related = ["customer", "car_model", "usage_location"]
    raw_id_fields = ["customer", "demand"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
