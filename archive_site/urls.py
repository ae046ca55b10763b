from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("archive_site.urls_core")),
    path("customers/", include("customers.urls")),
    path("quality/", include("quality.urls")),
    path("products/", include("products.urls")),
    path("printing/", include("printing.urls")),
    path("imports/", include("archive_site.imports.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
