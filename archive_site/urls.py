from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from archive_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("archive_site.accounts.urls")),
    path("", include("archive_site.dictionaries.urls")),
    path("", include("archive_site.access_log.urls")),
    path("customers/", include("customers.urls")),
    path("quality/", include("quality.urls")),
    path("products/", include("products.urls")),
    path("printing/", include("printing.urls")),
    path("orders/", include("orders.urls")),
    path("imports/", include("imports.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# The app's own pages for refused and failed requests (archive_site/errors.py).
handler400 = "archive_site.errors.bad_request"
handler403 = "archive_site.errors.permission_denied"
handler404 = "archive_site.errors.page_not_found"
handler500 = "archive_site.errors.server_error"
