from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from archive_site.models import DictEntry, User

admin.site.register(User, UserAdmin)


@admin.register(DictEntry)
class DictEntryAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "name", "name_en", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
