from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/status.json", views.run_status, name="run-status"),
    path("runs/<int:pk>/confirm/", views.run_confirm, name="run-confirm"),
    path("runs/<int:pk>/file/", views.run_file, name="run-file"),
    path("<slug:module>/", views.upload, name="upload"),
    path("<slug:module>/template.xlsx", views.template, name="template"),
    path("<slug:module>/export.xlsx", views.export, name="export"),
]
