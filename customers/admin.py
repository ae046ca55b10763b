from django.contrib import admin

from customers.models import Contact, Customer, CustomerDocument, Demand, DemandElement, DemandProperty


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "category", "region", "status", "sales_owner"]
    list_filter = ["category", "status"]
    search_fields = ["code", "name", "short_name", "credit_code"]
    list_select_related = ["category", "sales_owner"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(CustomerDocument)
class CustomerDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "kind", "date"]
    list_select_related = ["customer"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class DemandElementInline(admin.TabularInline):
    model = DemandElement
    extra = 0


class DemandPropertyInline(admin.TabularInline):
    model = DemandProperty
    extra = 0


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "production_grade", "thickness", "width", "updated_at"]
    list_select_related = ["customer", "production_grade"]
    search_fields = ["name", "customer__name"]
    raw_id_fields = ["customer"]
    inlines = [DemandElementInline, DemandPropertyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
