from django.urls import path

from printing import views

app_name = "printing"

urlpatterns = [
    path("parts/<int:pk>/sheet/", views.technical_sheet_preview, name="technical-sheet"),
    path("parts/<int:pk>/sheet.pdf", views.technical_sheet_pdf, name="technical-sheet-pdf"),
    path("demands/<int:pk>/card/", views.process_card_preview, name="process-card"),
    path("demands/<int:pk>/card.pdf", views.process_card_pdf, name="process-card-pdf"),
    path("objections/<int:pk>/8d/", views.eight_d_preview, name="eight-d"),
    path("objections/<int:pk>/8d.pdf", views.eight_d_pdf, name="eight-d-pdf"),
    path("customers/<int:pk>/sheets/", views.customer_sheets, name="customer-sheets"),
    path("parts/sheets/", views.selected_sheets, name="selected-sheets"),
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/status/", views.batch_status, name="batch-status"),
    path("batches/<int:pk>/sheets.pdf", views.batch_pdf, name="batch-pdf"),
    path("photos/<int:pk>/", views.part_photo, name="photo"),
]
