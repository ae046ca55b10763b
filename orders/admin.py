from django.contrib import admin

from orders.models import Delivery, Order


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "customer",
        "production_grade",
        "thickness",
        "width",
        "quantity",
        "order_date",
        "status",
    ]
    list_filter = ["status"]
    search_fields = ["number", "customer__name", "customer__code"]
    list_select_related = ["customer", "production_grade"]
    raw_id_fields = ["customer", "demand"]
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
