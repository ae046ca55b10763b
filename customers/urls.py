from django.urls import path

from customers import health_views, views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("export.xlsx", views.customer_export, name="customer-export"),
    path("new/", views.customer_create, name="customer-create"),
    path("ticked/owner/", views.customer_bulk_owner, name="customer-bulk-owner"),
    path("ticked/share/", views.customer_bulk_share, name="customer-bulk-share"),
    path("ticked/export.xlsx", views.customer_bulk_export, name="customer-bulk-export"),
    path("picker/", views.customer_picker, name="customer-picker"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/delete/", views.customer_delete, name="customer-delete"),
    path("<int:pk>/follow/", views.customer_follow, name="customer-follow"),
    path("<int:pk>/verify/", health_views.customer_verify, name="customer-verify"),
    path("<int:pk>/merge/", health_views.customer_merge, name="customer-merge"),
    path("<int:pk>/documents/new/", views.document_create, name="document-create"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
    # Archive health: completeness, verification, maintenance
    path("completeness/", health_views.completeness_report, name="completeness-report"),
    path("completeness/export.xlsx", health_views.completeness_export, name="completeness-export"),
    path("completeness/rules/", health_views.completeness_rules, name="completeness-rules"),
    path("maintenance/", health_views.maintenance, name="maintenance"),
    # Demands
    path("demands/", views.demand_list, name="demand-list"),
    path("demands/export.xlsx", views.demand_export, name="demand-export"),
    path("demands/new/", views.demand_create, name="demand-create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand-detail"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand-edit"),
    path("demands/<int:pk>/copy/", views.demand_copy, name="demand-copy"),
    path("demands/<int:pk>/delete/", views.demand_delete, name="demand-delete"),
    path("demands/<int:pk>/attachments/", views.demand_attachment_create, name="demand-attachment-create"),
    path("demands/files/<int:pk>/", views.demand_attachment_download, name="demand-attachment-download"),
    path("demands/files/<int:pk>/delete/", views.demand_attachment_delete, name="demand-attachment-delete"),
]
