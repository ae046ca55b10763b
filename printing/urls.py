from django.urls import path

from printing import views

app_name = "printing"

urlpatterns = [
    path("parts/<int:pk>/sheet/", views.technical_sheet_preview, name="technical-sheet"),
    path("parts/<int:pk>/sheet.pdf", views.technical_sheet_pdf, name="technical-sheet-pdf"),
    path("demands/<int:pk>/card/", views.process_card_preview, name="process-card"),
    path("demands/<int:pk>/card.pdf", views.process_card_pdf, name="process-card-pdf"),
    path("customers/<int:pk>/sheets.pdf", views.customer_sheets_pdf, name="customer-sheets-pdf"),
    path("photos/<int:pk>/", views.part_photo, name="photo"),
]
