from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from archive_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("archive_site.accounts.urls")),
    path("", include("archive_site.dictionaries.urls")),
    path("", include("archive_site.access_log.urls")),
    path("customers/", include("customers.urls")),
    path("quality/", include("quality.urls")),
    path("products/", include("products.urls")),
    path("printing/", include("printing.urls")),
    path("orders/", include("orders.urls")),
    path("imports/", include("imports.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
