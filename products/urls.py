from django.urls import path

from products import statistics, views

app_name = "products"

urlpatterns = [
    path("", views.part_list, name="part-list"),
    path("export.xlsx", views.part_export, name="part-export"),
    path("ticked/export.xlsx", views.part_bulk_export, name="part-bulk-export"),
    path("new/", views.part_create, name="part-create"),
    path("<int:pk>/", views.part_detail, name="part-detail"),
    path("<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("<int:pk>/copy/", views.part_copy, name="part-copy"),
    path("<int:pk>/delete/", views.part_delete, name="part-delete"),
    path("<int:pk>/photos/", views.photo_upload, name="photo-upload"),
    path("photos/<int:pk>/caption/", views.photo_caption, name="photo-caption"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
    # thumb or full; after caption/ and delete/, which it would otherwise swallow
    path("photos/<int:pk>/<str:size>/", views.photo_file, name="photo"),
    # Supply statistics (paper 3.7)
    path("statistics/", statistics.supply_statistics, name="statistics"),
    path("statistics/export.xlsx", statistics.supply_statistics_export, name="statistics-export"),
]
