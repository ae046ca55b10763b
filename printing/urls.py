from django.urls import path

from printing import views

app_name = "printing"

urlpatterns = [
    # One preview view and one PDF view for every print document (views.PRINTABLES).
    path("parts/<int:pk>/sheet/", views.preview, {"document": "technical-sheet"}, name="technical-sheet"),
    path("parts/<int:pk>/sheet.pdf", views.pdf, {"document": "technical-sheet"}, name="technical-sheet-pdf"),
    path("demands/<int:pk>/card/", views.preview, {"document": "process-card"}, name="process-card"),
    path("demands/<int:pk>/card.pdf", views.pdf, {"document": "process-card"}, name="process-card-pdf"),
    path("objections/<int:pk>/8d/", views.preview, {"document": "eight-d"}, name="eight-d"),
    path("objections/<int:pk>/8d.pdf", views.pdf, {"document": "eight-d"}, name="eight-d-pdf"),
    path("customers/<int:pk>/sheets/", views.customer_sheets, name="customer-sheets"),
    path("parts/sheets/", views.selected_sheets, name="selected-sheets"),
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/status/", views.batch_status, name="batch-status"),
    path("batches/<int:pk>/sheets.pdf", views.batch_pdf, name="batch-pdf"),
    path("photos/<int:pk>/", views.part_photo, name="photo"),
]
