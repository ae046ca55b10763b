from django.urls import path

from archive_site.access_log import views

urlpatterns = [
    path("access-log/", views.access_log_list, name="access-log"),
]
